// SPDX-License-Identifier: AGPL-3.0-or-later
import Agent
import ArgumentParser
import ChalklineModel
import Crypto
import Foundation
import Logging
import Vault
import Wire

/// `chalkline keys init | show | import-upstream | rotate`: the vehicle's keyring.
struct KeysCommand: ParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "keys",
    abstract: "Create, show, import and rotate the vehicle's keys.",
    discussion: """
      Keys live in STATE/keys (0700, files 0600); each chalk window's key is a row of the vault,
      sealed with the storage key and destroyed with the window's marks (docs/forgetting.md).
      Every operation is written to the audit log.
      Commands that change keys need the agent stopped (they take the vault lock).
      """,
    subcommands: [Init.self, Show.self, ImportUpstream.self, Rotate.self])

  /// Options every vault command shares.
  struct VaultOptions: ParsableArguments {
    @Option(help: "The device profile: its vault.state_dir is the agent's state directory.")
    var profile: String = "/etc/chalkline/profile.yaml"

    @Option(
      name: .customLong("state-dir"),
      help: "The agent's state directory, instead of the profile's vault.state_dir (created 0700 by `keys init`).")
    var stateDirectory: String?

    @Option(help: "Who is doing this, for the audit log (default: technician:$USER).")
    var actor: String?

    @Flag(help: "Print machine-readable JSON.")
    var json = false

    /// `--state-dir`, else the profile's `vault.state_dir`: the directory the agent itself uses.
    /// Run as the agent's user (`sudo -u chalkline chalkline …`): the vault refuses a directory
    /// another user owns.
    func stateURL() throws -> URL {
      if let stateDirectory { return URL(fileURLWithPath: stateDirectory) }
      do { return URL(fileURLWithPath: try DeviceProfile.load(from: profile).vault.stateDirectory) } catch {
        FileHandle.standardError.write(
          Data((error.description + "\n(give --state-dir DIR to name the state directory without a profile)\n").utf8))
        throw ExitCode(error.code == .unreadable ? 2 : 1)
      }
    }
    var who: String { actor ?? "technician:\(ProcessInfo.processInfo.environment["USER"] ?? "unknown")" }
    var logger: Logger {
      var logger = Logger(label: "chalkline.keys")
      logger.logLevel = .warning
      return logger
    }

    func printJSON(_ object: [String: Any]) throws {
      let data = try JSONSerialization.data(
        withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
      print(String(decoding: data, as: UTF8.self))
    }
  }

  struct Init: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Create the device signing key and the storage key in a new state directory.")

    @OptionGroup var options: VaultOptions

    @Option(help: "Why, for the audit log.")
    var purpose = "device provisioning"

    func run() throws {
      let vault = try Vault.initialize(
        stateDirectory: try options.stateURL(), actor: options.who, purpose: purpose, logger: options.logger)
      try KeysCommand.report(vault.keyring, vault: vault, options: options)
    }
  }

  struct Show: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Print the device's public key and the fingerprints of every key (never a secret).")

    @OptionGroup var options: VaultOptions

    @Option(help: "Why, for the audit log.")
    var purpose = "key inspection"

    func run() throws {
      let vault = try Vault(stateDirectory: try options.stateURL(), exclusive: false, logger: options.logger)
      try vault.audit(actor: options.who, action: "keys.show", purpose: purpose)
      try KeysCommand.report(vault.keyring, vault: vault, options: options)
    }
  }

  struct ImportUpstream: ParsableCommand {
    static let configuration = CommandConfiguration(
      commandName: "import-upstream",
      abstract: "Store the upstream's HPKE (X25519) and signing (Ed25519) public keys.",
      discussion: """
        Give both keys as base64 of their raw 32 bytes, or a JSON file
        {"hpke_public_key": "…", "signing_public_key": "…"} with --from.
        """)

    @OptionGroup var options: VaultOptions

    @Option(help: "The upstream's X25519 public key, base64 of 32 bytes.")
    var hpkePublicKey: String?

    @Option(help: "The upstream's Ed25519 public key, base64 of 32 bytes.")
    var signingPublicKey: String?

    @Option(help: "A JSON file holding both keys.")
    var from: String?

    @Option(help: "Why, for the audit log.")
    var purpose = "upstream key provisioning"

    func validate() throws {
      if from != nil && (hpkePublicKey != nil || signingPublicKey != nil) {
        throw ValidationError("Give either --from FILE or both --hpke-public-key and --signing-public-key, not both.")
      }
      if from == nil && (hpkePublicKey == nil || signingPublicKey == nil) {
        throw ValidationError("Give --from FILE, or both --hpke-public-key and --signing-public-key.")
      }
    }

    func run() throws {
      var hpke = hpkePublicKey ?? ""
      var signing = signingPublicKey ?? ""
      if let from {
        let keys: (hpke: Data, signing: Data)
        do { keys = try UpstreamKeysFile.read(from) } catch { throw ValidationError("\(error)") }
        hpke = keys.hpke.base64EncodedString()
        signing = keys.signing.base64EncodedString()
      }
      guard let hpkeBytes = Data(base64Encoded: hpke), let signingBytes = Data(base64Encoded: signing) else {
        throw ValidationError("The upstream keys must be base64 (of 32 raw bytes each).")
      }
      let vault = try Vault(stateDirectory: try options.stateURL(), logger: options.logger)
      try vault.importUpstreamKeys(
        hpkePublicKey: hpkeBytes, signingPublicKey: signingBytes, actor: options.who, purpose: purpose)
      try KeysCommand.report(vault.keyring, vault: vault, options: options)
    }
  }

  struct Rotate: ParsableCommand {
    static let configuration = CommandConfiguration(
      abstract: "Replace the device signing key and/or the storage key (default: both).",
      discussion: """
        A new device key must be registered with the upstream (see `keys show`). A storage key
        rotation re-encrypts every local row, then destroys the old key. Stop the agent first.
        """)

    @OptionGroup var options: VaultOptions

    @Flag(help: "Rotate the device signing key.")
    var device = false

    @Flag(help: "Rotate the storage key.")
    var storage = false

    @Option(help: "Why, for the audit log.")
    var purpose = "scheduled key rotation"

    func run() throws {
      let both = !device && !storage
      let vault = try Vault(stateDirectory: try options.stateURL(), logger: options.logger)
      if device || both { try vault.rotateDeviceKey(actor: options.who, purpose: purpose) }
      if storage || both { try vault.rotateStorageKey(actor: options.who, purpose: purpose) }
      try KeysCommand.report(vault.keyring, vault: vault, options: options)
    }
  }

  /// Prints public keys and fingerprints; never a private key.
  static func report(_ keyring: Keyring, vault: Vault, options: VaultOptions) throws {
    let device = keyring.deviceKey.publicKey.rawRepresentation
    let status = try vault.status()
    let fields: [(String, String)] = [
      ("state_dir", vault.stateDirectory.path),
      ("device_public_key", device.base64EncodedString()),
      ("device_fingerprint", keyFingerprint(device)),
      ("storage_key_ids", keyring.storageKeyIDs.map(String.init).joined(separator: ",")),
      (
        "upstream_hpke_fingerprint",
        keyring.upstreamHPKEKey.map { keyFingerprint($0.rawRepresentation) } ?? "not imported"
      ),
      (
        "upstream_signing_fingerprint",
        keyring.upstreamSigningKey.map { keyFingerprint($0.rawRepresentation) } ?? "not imported"
      ),
      ("chalk_window_keys", String(status.chalkWindows)),
    ]
    // Each window whose key exists: a technician (and a test) watches windows go as they close.
    let windows = try vault.chalkWindows()
    let time = Date.ISO8601FormatStyle(includingFractionalSeconds: false)
    if options.json {
      var object = Dictionary(uniqueKeysWithValues: fields.map { ($0.0, $0.1 as Any) })
      object["chalk_windows"] = windows.map { window -> [String: Any] in
        [
          "id": window.id, "opened": window.opened.formatted(time), "closes": window.closes.formatted(time),
          "marks": window.marks,
        ]
      }
      try options.printJSON(object)
    } else {
      for (key, value) in fields { print("\(key.replacingOccurrences(of: "_", with: " ")): \(value)") }
      for window in windows {
        print(
          "chalk window \(window.id): opened \(window.opened.formatted(time)), key destroyed by "
            + "\(window.closes.formatted(time)) at the latest, \(window.marks) marks")
      }
    }
  }
}
