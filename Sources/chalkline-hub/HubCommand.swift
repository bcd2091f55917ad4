// SPDX-License-Identifier: AGPL-3.0-or-later
import ArgumentParser
import ChalklineModel
import Foundation
import Hub
import HubDevTools
import Logging
import Wire

/// `chalkline-hub`: the reference upstream a city runs.
@main
struct HubCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "chalkline-hub",
    abstract: "The Chalkline reference hub: candidate ingest over mutual TLS, signed distribution, audited review.",
    subcommands: [
      Report.self, Outcomes.self, Retention.self, Citations.self, GenerateYear.self,
      Serve.self, Keys.self, Devices.self, Reviewers.self, Publish.self, DevPKI.self, AuditVerify.self,
      WriteAuditCheckpoint.self, AuditCheckpoints.self, Bench.self, BenchLogin.self, Export.self,
      ExportCorrections.self,
      BenchReview.self, Permits.self, BenchPermits.self,
    ])
}

/// Options naming the configuration file.
struct ConfigOption: ParsableArguments {
  @Option(name: .long, help: "The hub configuration (JSON; see docs/hub.md).")
  var config: String

  func load() throws -> HubConfiguration { try HubConfiguration.load(path: config) }
}

/// Who runs a command and why, for the access audit: the operating-system user (not a name the
/// command line states) and a purpose the operator must give.
struct Accountability: ParsableArguments {
  @Option(help: "Why this is done (recorded in the access audit with the operating-system user).")
  var purpose: String

  func validate() throws {
    guard (1...200).contains(purpose.count) else { throw ValidationError("--purpose must be 1…200 characters.") }
  }

  /// `os:LOGIN` of the effective user.
  var who: String { OperatorIdentity.current }
}

func makeLogger() -> Logger {
  var logger = Logger(label: "chalkline-hub")
  logger.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
  return logger
}

struct Serve: AsyncParsableCommand {
  static let configuration = CommandConfiguration(abstract: "Serve HTTPS with mutual TLS until SIGTERM or SIGINT.")
  @OptionGroup var options: ConfigOption

  func run() async throws {
    let logger = makeLogger()
    let configuration = try options.load()
    let service = try HubService(configuration: configuration, logger: logger)
    // Retention runs daily beside the server; leaving this scope cancels it.
    async let _ = dailyRetention(configuration: configuration, service: service, logger: logger)
    try await HubServer(service: service, logger: logger, startedBy: OperatorIdentity.current).run(
      handleSignals: true,
      onReady: { port in
        logger.notice("Hub listening.", metadata: ["hub.host": "\(configuration.listen.host)", "hub.port": "\(port)"])
      },
      onReviewReady: { port in
        logger.notice(
          "Review pages listening.", metadata: ["hub.host": "\(configuration.review.host)", "hub.port": "\(port)"])
      })
  }
}

struct Keys: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "The hub's signing, HPKE and audit keys.", subcommands: [Init.self, Show.self, Export.self, Rotate.self])

  struct Rotate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Replace the HPKE sealing key (the old one is kept while evidence sealed to it is held); restart serve."
    )
    @OptionGroup var options: ConfigOption
    @OptionGroup var accountability: Accountability
    func run() async throws {
      let keys = try await HubService.rotateSealingKey(
        configuration: options.load(), actor: accountability.who, purpose: accountability.purpose,
        logger: makeLogger())
      print(Keys.describe(keys))
      print("retired keys kept: \(keys.retired.count); restart serve to publish the new key to vehicles")
    }
  }

  struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Write the public keys as the JSON file a vehicle's profile names in uplink.upstream_keys.")
    @OptionGroup var options: ConfigOption
    @Option(help: "The file to write.") var out: String
    func run() async throws {
      let keys = try HubKeys.load(from: options.load().keysDirectory)
      try UplinkAPI.encoder().encode(keys.publicKeys).write(to: URL(fileURLWithPath: out))
      print("wrote \(out)")
    }
  }

  struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create the hub's keys (once).")
    @OptionGroup var options: ConfigOption
    func run() async throws {
      let keys = try HubKeys.create(in: options.load().keysDirectory)
      print(Keys.describe(keys))
    }
  }

  struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print the public keys devices import.")
    @OptionGroup var options: ConfigOption
    func run() async throws { print(Keys.describe(try HubKeys.load(from: options.load().keysDirectory))) }
  }

  static func describe(_ keys: HubKeys) -> String {
    """
    hpke_public_key: \(keys.publicKeys.hpkePublicKey.base64EncodedString())
    signing_public_key: \(keys.publicKeys.signingPublicKey.base64EncodedString())
    """
  }
}

struct Devices: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Registered devices.", subcommands: [Add.self, Revoke.self, List.self])

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Register a device's client certificate and key.")
    @OptionGroup var options: ConfigOption
    @Option(help: "The vehicle's device id (its profile's device.id).") var name: String
    @Option(help: "The device's client certificate (PEM).") var certificate: String
    @Option(help: "The device's Ed25519 public key, base64 (`chalkline keys show`).") var signingKey: String
    @OptionGroup var accountability: Accountability

    func run() async throws {
      guard let key = Data(base64Encoded: signingKey) else {
        throw ValidationError("--signing-key must be base64 of a raw 32-byte Ed25519 public key.")
      }
      let service = try HubService(configuration: options.load(), logger: makeLogger())
      let record = try await service.registerDevice(
        name: name, certificatePath: certificate, signingKey: key, actor: accountability.who,
        purpose: accountability.purpose)
      print("registered \(record.name) as \(record.id) (certificate sha256 \(record.certificateSHA256))")
      // The permit key of the list in force must be sealed to the new vehicle too.
      if let permits = try await service.publishPermits(actor: accountability.who) {
        print("published permits version \(permits.version) to \(record.name) and the other vehicles")
      }
    }
  }

  struct Revoke: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Revoke a device at once: its certificate is refused from the next request on (audited).")
    @OptionGroup var options: ConfigOption
    @Option(help: "The device's name (or id) as `devices list` shows it.") var name: String
    @OptionGroup var accountability: Accountability

    func run() async throws {
      let service = try HubService(configuration: options.load(), logger: makeLogger())
      for device in try await service.revokeDevice(
        name: name, actor: accountability.who, purpose: accountability.purpose)
      {
        print("revoked \(device.name) (\(device.id))")
      }
      // The next permit key is sealed to the vehicles still registered, not to the revoked one.
      if let permits = try await service.publishPermits(actor: accountability.who, force: true) {
        print("published permits version \(permits.version) without the revoked vehicle")
      }
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List registered devices.")
    @OptionGroup var options: ConfigOption
    func run() async throws {
      let service = try HubService(configuration: options.load(), logger: makeLogger())
      for device in try await service.storage.devices() {
        let state = device.revokedAt.map { "revoked \(UTCTime.format($0))" } ?? "active"
        print("\(device.name)\t\(device.id)\t\(device.certificateSHA256)\t\(state)")
      }
    }
  }
}

struct Reviewers: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Reviewer accounts.", subcommands: [HashPassword.self])

  struct HashPassword: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Read a password from standard input and print its hash for the configuration's reviewers.")
    func run() async throws {
      guard let password = readLine(strippingNewline: true), !password.isEmpty else {
        throw ValidationError("Give the password on standard input.")
      }
      print(try PasswordHash(password: password).encoded)
    }
  }
}

struct Publish: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract:
      "Sign and publish zones.json from the distribution directory, and the imported permit list, if they changed.")
  @OptionGroup var options: ConfigOption
  @OptionGroup var accountability: Accountability
  func run() async throws {
    try await HubService(configuration: options.load(), logger: makeLogger()).publishAll(
      actor: accountability.who, purpose: accountability.purpose)
  }
}

struct DevPKI: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "dev-pki",
    abstract: "Make a throwaway CA, a hub certificate for localhost and client certificates (development only).")
  @Option(help: "Directory to write into.") var dir: String
  @Option(help: "Client certificates to issue.") var client: [String] = ["device1", "reviewer"]
  func run() async throws {
    let pki = try DevelopmentPKI.create(in: URL(fileURLWithPath: dir))
    for name in client { _ = try pki.issue(name: name) }
    print("CA \(pki.caCertificate), hub \(pki.hubCertificate), clients: \(client.joined(separator: ", "))")
  }
}

struct AuditVerify: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit-verify",
    abstract: "Check the access audit's keyed chain, and against checkpoints: truncation and rewriting.")
  @OptionGroup var options: ConfigOption
  @Option(
    help: "Checkpoints kept off the hub (JSON, or JSON lines: the officer's export, a vehicle's copy); each is checked."
  )
  var checkpoint: String?

  func run() async throws {
    let service = try HubService(configuration: options.load(), logger: makeLogger())
    var given: [AuditCheckpoint]? = nil
    if let checkpoint {
      guard let text = try? String(contentsOfFile: checkpoint, encoding: .utf8) else {
        throw ValidationError("\(checkpoint) cannot be read.")
      }
      given = try AuditCheckpoint.parseAll(text, file: checkpoint)
    }
    let report = try await service.verifyAudit(against: given)
    for problem in report.problems { print("audit: \(problem)") }
    guard report.intact else {
      print("audit NOT intact")
      throw ExitCode(1)
    }
    let against =
      given.map { all in
        all.count == 1
          ? "checkpoint \(all[0].at) (\(all[0].sequence) entries) matches"
          : "\(all.count) checkpoints, the newest \(all[all.count - 1].at) (\(all[all.count - 1].sequence) entries), match"
      } ?? "stored checkpoints match"
    print(
      "audit chain intact (\(report.chain.entries) entries, \(report.chain.legacyEntries) legacy); \(against); head \(report.chain.head)"
    )
  }
}

struct WriteAuditCheckpoint: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit-checkpoint",
    abstract: "Write a signed checkpoint of the access audit now and print it (JSON) for the privacy officer.")
  @OptionGroup var options: ConfigOption
  @OptionGroup var accountability: Accountability
  @Option(help: "Also write the checkpoint to this file.") var out: String?

  func run() async throws {
    let service = try HubService(configuration: options.load(), logger: makeLogger())
    let checkpoint = try await service.checkpoint(reason: "on demand")
    try await service.audit(
      actor: accountability.who, purpose: accountability.purpose, action: "audit.checkpoint",
      detail: "sequence=\(checkpoint.sequence) head=\(checkpoint.head)")
    let line = try checkpoint.jsonLine()
    if let out { try Data((line + "\n").utf8).write(to: URL(fileURLWithPath: out)) }
    print(line)
  }
}

struct AuditCheckpoints: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "audit-checkpoints",
    abstract: "Export every signed audit checkpoint (JSON lines) for the privacy officer (audited).")
  @OptionGroup var options: ConfigOption
  @OptionGroup var accountability: Accountability
  @Option(help: "The file to write.") var out: String

  func run() async throws {
    let service = try HubService(configuration: options.load(), logger: makeLogger())
    let checkpoints = try await service.checkpoints()
    try Data(checkpoints.map { try $0.jsonLine() + "\n" }.joined().utf8).write(to: URL(fileURLWithPath: out))
    try await service.audit(
      actor: accountability.who, purpose: accountability.purpose, action: "audit.export-checkpoints",
      detail: "count=\(checkpoints.count) out=\(out)")
    print("wrote \(checkpoints.count) checkpoint(s) to \(out)")
  }
}

struct Bench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure candidate sync over loopback TLS and ingest before and after validation; print the figures.")
  @Option(help: "Candidates to sync.") var candidates = 2_000
  @Option(help: "Candidates per batch.") var batchSize = 50
  func run() async throws {
    let ingest = try await IngestBenchmark.run(candidates: candidates, batchSize: batchSize)
    for figure in try await UplinkBenchmark.run(candidates: candidates, batchSize: batchSize) + ingest {
      print("\(figure.metric)\t\(String(format: "%.1f", figure.value))\t\(figure.unit)")
    }
  }
}

struct BenchLogin: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "bench-login",
    abstract: "Measure how long a review-login lockout takes to engage under guessing, on a scratch hub.")
  func run() async throws {
    for figure in try await LoginBenchmark.run() {
      print("\(figure.metric)\t\(String(format: "%.1f", figure.value))\t\(figure.unit)")
    }
  }
}
