// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation
import Hub

/// A throwaway certificate authority for tests, benchmarks and trying the hub out, made with the
/// `openssl` command (Debian's `openssl` package). A city's production PKI is its own; nothing
/// here is meant for it.
public struct DevelopmentPKI: Sendable {
  /// The directory holding every file.
  public let directory: URL
  /// The CA certificate (PEM): hub and clients trust it.
  public var caCertificate: String { directory.appendingPathComponent("ca.pem").path }
  /// The hub's certificate, valid for `localhost` and `127.0.0.1`.
  public var hubCertificate: String { directory.appendingPathComponent("hub.pem").path }
  /// The hub certificate's key.
  public var hubKey: String { directory.appendingPathComponent("hub.key").path }

  /// A certificate and its key.
  public struct Identity: Sendable {
    /// Certificate (PEM).
    public var certificate: String
    /// Private key (PEM).
    public var key: String
  }

  /// Creates the CA and the hub certificate in `directory` (created if needed).
  public static func create(in directory: URL, commonName: String = "Chalkline Development CA") throws -> DevelopmentPKI
  {
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let pki = DevelopmentPKI(directory: directory)
    let dir = directory.path
    try FileManager.default.createDirectory(atPath: "\(dir)/issued", withIntermediateDirectories: true)
    FileManager.default.createFile(atPath: "\(dir)/index.txt", contents: Data())
    FileManager.default.createFile(atPath: "\(dir)/serial", contents: Data("1000\n".utf8))
    let config = """
      [ ca ]
      default_ca = dev
      [ dev ]
      database = \(dir)/index.txt
      new_certs_dir = \(dir)/issued
      serial = \(dir)/serial
      default_md = sha256
      policy = any
      unique_subject = no
      copy_extensions = none
      [ any ]
      commonName = supplied
      [ server ]
      basicConstraints = CA:FALSE
      keyUsage = digitalSignature
      extendedKeyUsage = serverAuth
      subjectAltName = DNS:localhost, IP:127.0.0.1
      [ client ]
      basicConstraints = CA:FALSE
      keyUsage = digitalSignature
      extendedKeyUsage = clientAuth
      """
    try Data(config.utf8).write(to: directory.appendingPathComponent("ca.cnf"))
    try openssl([
      "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "3650",
      "-subj", "/CN=\(commonName)", "-keyout", "\(dir)/ca.key", "-out", "\(dir)/ca.pem",
      "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign",
    ])
    _ = try pki.issue(name: "hub", commonName: "localhost", extensions: "server")
    return pki
  }

  /// Issues a client certificate (`NAME.pem`, `NAME.key`). `validity` in days from now, or
  /// `expired: true` for one that ended in 2021.
  public func issue(
    name: String, commonName: String? = nil, expired: Bool = false, extensions: String = "client"
  )
    throws -> Identity
  {
    let dir = directory.path
    let key = "\(dir)/\(name).key"
    let csr = "\(dir)/\(name).csr"
    let certificate = "\(dir)/\(name).pem"
    try Self.openssl([
      "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
      "-subj", "/CN=\(commonName ?? name)", "-keyout", key, "-out", csr,
    ])
    var arguments = [
      "ca", "-batch", "-notext", "-config", "\(dir)/ca.cnf", "-cert", "\(dir)/ca.pem", "-keyfile", "\(dir)/ca.key",
      "-in", csr, "-out", certificate, "-extensions", extensions,
    ]
    arguments += expired ? ["-startdate", "20200101000000Z", "-enddate", "20210101000000Z"] : ["-days", "825"]
    try Self.openssl(arguments)
    return Identity(certificate: certificate, key: key)
  }

  /// Runs `openssl` with arguments; throws with its error output when it fails.
  static func openssl(_ arguments: [String]) throws {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
    process.arguments = arguments
    // A file, not a Pipe: Foundation's readDataToEndOfFile traps on EINTR when tests run in parallel.
    let errorPath = FileManager.default.temporaryDirectory.appendingPathComponent("openssl-\(UUID().uuidString).err")
    FileManager.default.createFile(atPath: errorPath.path, contents: nil)
    defer { try? FileManager.default.removeItem(at: errorPath) }
    let errors = try FileHandle(forWritingTo: errorPath)
    defer { try? errors.close() }
    process.standardError = errors
    process.standardOutput = FileHandle.nullDevice
    do { try process.run() } catch {
      throw HubError(.tool, "/usr/bin/openssl cannot be run; install Debian's openssl package.", cause: error)
    }
    process.waitUntilExit()
    let output = (try? Data(contentsOf: errorPath)) ?? Data()
    guard process.terminationStatus == 0 else {
      throw HubError(
        .tool, "openssl \(arguments.first ?? "") failed (exit \(process.terminationStatus)).",
        cause: ErrorText(String(decoding: output, as: UTF8.self)))
    }
  }
}
