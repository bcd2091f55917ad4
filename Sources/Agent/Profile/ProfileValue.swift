// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Foundation
import Yams

/// A checked value of one profile key.
package enum ProfileValue: Sendable, Equatable {
  case text(String)
  case integer(Int)
  case number(Double)
  case boolean(Bool)
  case size(Int64)
  case list([String])
  case auto

  var text: String? { if case .text(let value) = self { value } else { nil } }
  var integer: Int? { if case .integer(let value) = self { value } else { nil } }
  var size: Int64? { if case .size(let value) = self { value } else { nil } }
  var list: [String]? { if case .list(let value) = self { value } else { nil } }
  var number: Double? {
    switch self {
    case .number(let value): value
    case .integer(let value): Double(value)
    default: nil
    }
  }
}

/// Where relative and absolute paths of a profile are resolved.
package struct ProfilePathContext: Sendable {
  /// The folder of the profile file: relative paths are taken from there.
  package var directory: String
  /// When set, absolute paths are looked up below this folder (checking a vehicle image before it is flashed).
  package var root: String?

  /// The path as the agent will use it.
  package func resolve(_ path: String) -> String {
    path.hasPrefix("/") ? path : URL(fileURLWithPath: directory).appendingPathComponent(path).standardizedFileURL.path
  }

  /// The path to look at on this machine, for a path as the profile writes it. The root goes only
  /// before an absolute path (one of the vehicle's); a relative path is taken from the profile's
  /// folder, which is already on this machine (under the root, when the profile is in the image).
  package func onDisk(_ written: String) -> String {
    let resolved = resolve(written)
    guard let root, written.hasPrefix("/") else { return resolved }
    return URL(fileURLWithPath: root).appendingPathComponent(resolved).standardizedFileURL.path
  }
}

extension ProfileValueKind {
  /// Checks one YAML node against this kind: the value, or what is wrong with it.
  package func convert(_ node: Node, paths: ProfilePathContext) -> Result<ProfileValue, Failure> {
    if case .choiceList(let choices) = self {
      guard case .sequence(let sequence) = node else {
        return .failure(Failure("is not a list"))
      }
      var items: [String] = []
      for item in sequence {
        guard let text = item.scalar?.string, choices.contains(text) else {
          return .failure(Failure("has \(Self.show(item)) in its list"))
        }
        guard !items.contains(text) else { return .failure(Failure("lists \(text) twice")) }
        items.append(text)
      }
      guard !items.isEmpty else { return .failure(Failure("is an empty list")) }
      return .success(.list(items))
    }
    guard let scalar = node.scalar else {
      return .failure(
        Failure(node.mapping != nil ? "is a mapping, not a single value" : "is a list, not a single value"))
    }
    let text = scalar.string
    switch self {
    case .string(let pattern):
      if let pattern, text.range(of: pattern, options: .regularExpression) == nil {
        return .failure(Failure("\(Self.quote(text)) is not allowed"))
      }
      return .success(.text(text))
    case .integer(let range):
      guard let value = Int(text) else { return .failure(Failure("\(Self.quote(text)) is not a whole number")) }
      guard range.contains(value) else { return .failure(Failure("\(value) is out of range")) }
      return .success(.integer(value))
    case .number(let range):
      guard let value = Double(text), value.isFinite else {
        return .failure(Failure("\(Self.quote(text)) is not a number"))
      }
      guard range.contains(value) else { return .failure(Failure("\(text) is out of range")) }
      return .success(.number(value))
    case .boolean:
      switch text.lowercased() {
      case "true", "yes", "on": return .success(.boolean(true))
      case "false", "no", "off": return .success(.boolean(false))
      default: return .failure(Failure("\(Self.quote(text)) is not true or false"))
      }
    case .duration(let range):
      guard let seconds = DurationText.parse(text) else {
        return .failure(Failure("\(Self.quote(text)) is not a duration"))
      }
      guard range.contains(seconds) else { return .failure(Failure("\(text) is out of range")) }
      return .success(.number(seconds))
    case .size(let range):
      guard let bytes = SizeText.parse(text) else { return .failure(Failure("\(Self.quote(text)) is not a size")) }
      guard range.contains(bytes) else { return .failure(Failure("\(text) is out of range")) }
      return .success(.size(bytes))
    case .choice(let choices):
      guard choices.contains(text) else { return .failure(Failure("\(Self.quote(text)) is not allowed")) }
      return .success(.text(text))
    case .autoOrInteger(let range):
      if text == "auto" { return .success(.auto) }
      guard let value = Int(text) else {
        return .failure(Failure("\(Self.quote(text)) is neither auto nor a whole number"))
      }
      guard range.contains(value) else { return .failure(Failure("\(value) is out of range")) }
      return .success(.integer(value))
    case .file(let privateKey):
      return Self.checkFile(text, privateKey: privateKey, paths: paths)
    case .directory:
      let resolved = paths.resolve(text)
      var isDirectory: ObjCBool = false
      if FileManager.default.fileExists(atPath: paths.onDisk(text), isDirectory: &isDirectory),
        !isDirectory.boolValue
      {
        return .failure(Failure("\(resolved) exists and is not a directory"))
      }
      return .success(.text(resolved))
    case .devicePath:
      guard text.hasPrefix("/dev/"), text.count > 5 else {
        return .failure(Failure("\(Self.quote(text)) is not under /dev"))
      }
      return .success(.text(text))
    case .httpsURL:
      guard let url = URL(string: text), url.scheme == "https", let host = url.host, !host.isEmpty else {
        return .failure(Failure("\(Self.quote(text)) is not an https URL"))
      }
      return .success(.text(text))
    case .timeZone:
      guard IANATimeZone.named(text) != nil else {
        return .failure(
          Failure("\(Self.quote(text)) is not a known time zone (an abbreviation has no daylight saving time)"))
      }
      return .success(.text(text))
    case .choiceList:
      preconditionFailure("handled above")
    }
  }

  private static func checkFile(
    _ text: String, privateKey: Bool, paths: ProfilePathContext
  )
    -> Result<ProfileValue, Failure>
  {
    let resolved = paths.resolve(text)
    let local = paths.onDisk(text)
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: local, isDirectory: &isDirectory) else {
      return .failure(Failure("\(resolved) does not exist"))
    }
    guard !isDirectory.boolValue else { return .failure(Failure("\(resolved) is a directory")) }
    guard FileManager.default.isReadableFile(atPath: local) else {
      return .failure(Failure("\(resolved) is not readable"))
    }
    guard let status = FileStatus(path: local) else { return .success(.text(resolved)) }
    let mode = status.octalPermissions
    // Whoever can write a file the agent reads keys, certificates or rules from can redirect it;
    // whoever can read a private key can impersonate the device.
    if privateKey {
      guard [0o600, 0o400].contains(status.permissions & 0o7777) else {
        let problem = Self.access(status.permissions) ?? "is not mode 0600 or 0400"
        return .failure(
          Failure(
            "\(resolved) \(problem) (mode 0\(mode))",
            expected: "a private key of mode 0600 or 0400: chmod 600 \(resolved)"))
      }
    } else if status.permissions & 0o022 != 0 {
      return .failure(
        Failure(
          "\(resolved) can be written by its group or others (mode 0\(mode))",
          expected: "a file only its owner can write: chmod go-w \(resolved)"))
    }
    return .success(.text(resolved))
  }

  /// Who besides the owner may read or write a file of `permissions`, such as "is readable by
  /// its group"; nil when nobody else may.
  private static func access(_ permissions: UInt32) -> String? {
    func words(_ bits: UInt32) -> String? {
      switch (bits & 0o4 != 0, bits & 0o2 != 0) {
      case (true, true): "readable and writable"
      case (true, false): "readable"
      case (false, true): "writable"
      default: bits & 0o1 != 0 ? "executable" : nil
      }
    }
    let group = words(permissions >> 3 & 0o7)
    let others = words(permissions & 0o7)
    switch (group, others) {
    case (let group?, let others?) where group == others: return "is \(group) by its group and others"
    case (let group?, let others?): return "is \(group) by its group and \(others) by others"
    case (let group?, nil): return "is \(group) by its group"
    case (nil, let others?): return "is \(others) by others"
    default: return nil
    }
  }

  /// What is wrong with a value, and (when it differs from the kind's own) what is expected.
  package struct Failure: Error, Sendable {
    package var problem: String
    package var expected: String?
    init(_ problem: String, expected: String? = nil) {
      self.problem = problem
      self.expected = expected
    }
  }

  private static func quote(_ text: String) -> String { "\"\(text)\"" }

  private static func show(_ node: Node) -> String {
    node.scalar.map { quote($0.string) } ?? "a nested value"
  }
}
