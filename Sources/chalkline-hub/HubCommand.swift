// SPDX-License-Identifier: AGPL-3.0-or-later
import ArgumentParser
import Foundation
import Hub
import Logging
import Uplink

/// `chalkline-hub`: the reference upstream a city runs.
@main
struct HubCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "chalkline-hub",
    abstract: "The Chalkline reference hub: candidate ingest over mutual TLS, signed distribution, audited review.",
    subcommands: [
      Report.self, Outcomes.self, Retention.self, Citations.self, GenerateYear.self,
      Serve.self, Keys.self, Devices.self, Reviewers.self, Publish.self, DevPKI.self, AuditVerify.self, Bench.self,
      Export.self, ExportCorrections.self, BenchReview.self, Permits.self, BenchPermits.self,
    ])
}

/// Options naming the configuration file.
struct ConfigOption: ParsableArguments {
  @Option(name: .long, help: "The hub configuration (JSON; see docs/hub.md).")
  var config: String

  func load() throws -> HubConfiguration { try HubConfiguration.load(path: config) }
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
    async let _ = dailyRetention(configuration: configuration, storage: service.storage, logger: logger)
    try await HubServer(service: service, logger: logger).run(
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
    abstract: "The hub's signing and HPKE keys.", subcommands: [Init.self, Show.self, Export.self])

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
    abstract: "Registered devices.", subcommands: [Add.self, List.self])

  struct Add: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Register a device's client certificate and key.")
    @OptionGroup var options: ConfigOption
    @Option(help: "The vehicle's device id (its profile's device.id).") var name: String
    @Option(help: "The device's client certificate (PEM).") var certificate: String
    @Option(help: "The device's Ed25519 public key, base64 (`chalkline keys show`).") var signingKey: String

    func run() async throws {
      guard let key = Data(base64Encoded: signingKey) else {
        throw ValidationError("--signing-key must be base64 of a raw 32-byte Ed25519 public key.")
      }
      let service = try HubService(configuration: options.load(), logger: makeLogger())
      let record = try await service.registerDevice(name: name, certificatePath: certificate, signingKey: key)
      print("registered \(record.name) as \(record.id) (certificate sha256 \(record.certificateSHA256))")
      // The permit key of the list in force must be sealed to the new vehicle too.
      if let permits = try await service.publishPermits(actor: "operator:\(operatorName())") {
        print("published permits version \(permits.version) to \(record.name) and the other vehicles")
      }
    }
  }

  struct List: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "List registered devices.")
    @OptionGroup var options: ConfigOption
    func run() async throws {
      let service = try HubService(configuration: options.load(), logger: makeLogger())
      for device in try await service.storage.devices() {
        print("\(device.name)\t\(device.id)\t\(device.certificateSHA256)")
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
  func run() async throws {
    try await HubService(configuration: options.load(), logger: makeLogger()).publishAll()
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
    commandName: "audit-verify", abstract: "Check the access audit's hash chain.")
  @OptionGroup var options: ConfigOption
  func run() async throws {
    let service = try HubService(configuration: options.load(), logger: makeLogger())
    if let broken = try await service.verifyAuditChain() {
      print("audit chain broken at entry \(broken)")
      throw ExitCode(1)
    }
    print("audit chain intact (\(try await service.storage.auditEntries().count) entries)")
  }
}

struct Bench: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    abstract: "Measure candidate sync over loopback TLS against a scratch hub and print the figures.")
  @Option(help: "Candidates to sync.") var candidates = 2_000
  @Option(help: "Candidates per batch.") var batchSize = 50
  func run() async throws {
    for figure in try await UplinkBenchmark.run(candidates: candidates, batchSize: batchSize) {
      print("\(figure.metric)\t\(String(format: "%.1f", figure.value))\t\(figure.unit)")
    }
  }
}
