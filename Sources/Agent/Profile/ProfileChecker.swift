// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Foundation
import Yams

/// Walks a profile's YAML tree against ``ProfileSchema`` and collects every problem.
struct ProfileChecker {
  let file: String
  let paths: ProfilePathContext
  private(set) var problems: [FileProblem] = []
  /// The line of each key's value, so a problem found after the check (in a file the key names)
  /// is reported where the key is.
  private(set) var lines: [String: Int] = [:]
  /// Each path a file or directory key names, as the agent will use it, to where it is on this
  /// machine (they differ under `--root`).
  private(set) var onDisk: [String: String] = [:]
  /// Line of each mapping seen, so a missing key is reported where it belongs.
  private var sectionLines: [String: Int] = ["": 1]
  private var nodes: [String: Node] = [:]

  init(file: String, paths: ProfilePathContext) {
    self.file = file
    self.paths = paths
  }

  /// The checked values of every key present; problems are collected in ``problems``.
  mutating func check(yaml: String) -> [String: ProfileValue] {
    let root: Node?
    do {
      root = try Yams.compose(yaml: yaml)
    } catch YamlError.duplicatedKeysInMapping(let duplicates, let context) {
      let names = duplicates.joined(separator: ", ")
      report(line: context.mark.line, names, "appears twice in one section", "each key once; remove one of them")
      return [:]
    } catch let error as YamlError {
      report(line: Self.line(of: error), "(profile)", "is not valid YAML: \(Self.reason(of: error))", "a YAML mapping")
      return [:]
    } catch {
      report(line: 1, "(profile)", "is not valid YAML: \(error)", "a YAML mapping")
      return [:]
    }
    guard let root, case .mapping(let mapping) = root else {
      report(
        line: root?.mark?.line ?? 1, "(profile)", "is empty or not a mapping of keys",
        "sections such as device:, camera:")
      return [:]
    }
    walk(mapping, path: "")
    var values: [String: ProfileValue] = [:]
    for key in ProfileSchema.keys {
      let required = key.required || (nodes["uplink.url"] != nil && ProfileSchema.uplinkKeys.contains(key.path))
      guard let node = nodes[key.path], !Self.isNull(node) else {
        if required {
          let parent = key.path.split(separator: ".").dropLast().joined(separator: ".")
          report(line: nearestSectionLine(parent), key.path, "is missing", key.kind.expectation)
        }
        continue
      }
      lines[key.path] = node.mark?.line ?? 1
      switch key.kind.convert(node, paths: paths) {
      case .success(let value):
        values[key.path] = value
        switch key.kind {
        case .file, .directory:
          if let text = node.scalar?.string, let resolved = value.text { onDisk[resolved] = paths.onDisk(text) }
        default: break
        }
      case .failure(let failure):
        report(line: node.mark?.line ?? 1, key.path, failure.problem, failure.expected ?? key.kind.expectation)
      }
    }
    return values
  }

  /// The schema default of `path`, checked like a value written in a profile.
  static func defaultValue(_ path: String) -> ProfileValue? {
    guard let key = ProfileSchema.byPath[path], let text = key.defaultValue,
      let node = try? Yams.compose(yaml: text)
    else { return nil }
    let paths = ProfilePathContext(directory: "/", root: nil)
    if case .directory = key.kind { return .text(text) }
    return try? key.kind.convert(node, paths: paths).get()
  }

  private mutating func walk(_ mapping: Node.Mapping, path: String) {
    var seen: Set<String> = []
    for (keyNode, value) in mapping {
      let line = keyNode.mark?.line ?? 1
      guard let name = keyNode.scalar?.string else {
        report(line: line, path.isEmpty ? "(profile)" : path, "has a key that is not plain text", "key: value")
        continue
      }
      let full = path.isEmpty ? name : "\(path).\(name)"
      guard seen.insert(name).inserted else {
        report(line: line, full, "appears twice", "each key once; remove one of them")
        continue
      }
      if ProfileSchema.byPath[full] != nil {
        nodes[full] = value
      } else if let names = ProfileSchema.children[full] {
        switch value {
        case .mapping(let inner):
          sectionLines[full] = line
          walk(inner, path: full)
        case _ where Self.isNull(value): sectionLines[full] = line
        default:
          report(line: line, full, "is a single value, not a section", "keys " + names.sorted().joined(separator: ", "))
        }
      } else {
        report(line: line, full, "is not a known key", suggestion(for: name, under: path))
      }
    }
  }

  private func suggestion(for name: String, under path: String) -> String {
    let siblings = ProfileSchema.children[path] ?? []
    let close = siblings.map { ($0, Self.distance($0, name)) }.filter { $0.1 <= max(2, name.count / 3) }
    if let best = close.min(by: { ($0.1, $0.0) < ($1.1, $1.0) }) {
      return "a known key; did you mean \(path.isEmpty ? best.0 : "\(path).\(best.0)")?"
    }
    let elsewhere =
      ProfileSchema.keys.map(\.path).filter { $0.hasSuffix(".\(name)") || $0 == name }
      + ProfileSchema.children.keys.filter { $0.hasSuffix(".\(name)") || $0 == name }
    if let other = elsewhere.sorted().first {
      return "a known key; did you mean \(other)? it belongs in another section"
    }
    return "a known key: one of " + siblings.sorted().joined(separator: ", ")
  }

  private func nearestSectionLine(_ path: String) -> Int {
    var parts = path.split(separator: ".").map(String.init)
    while true {
      if let line = sectionLines[parts.joined(separator: ".")] { return line }
      if parts.isEmpty { return 1 }
      parts.removeLast()
    }
  }

  private mutating func report(line: Int, _ keyPath: String, _ problem: String, _ expected: String) {
    problems.append(FileProblem(file: file, line: line, keyPath: keyPath, problem: problem, expected: expected))
  }

  private static func isNull(_ node: Node) -> Bool {
    guard let scalar = node.scalar, scalar.style == .plain else { return false }
    return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
  }

  private static func line(of error: YamlError) -> Int {
    switch error {
    case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
    default: return 1
    }
  }

  private static func reason(of error: YamlError) -> String {
    switch error {
    case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _): return problem
    default: return "\(error)"
    }
  }

  /// Levenshtein distance, for "did you mean".
  static func distance(_ a: String, _ b: String) -> Int {
    let a = Array(a)
    let b = Array(b)
    var previous = Array(0...b.count)
    for (i, x) in a.enumerated() {
      var current = [i + 1]
      for (j, y) in b.enumerated() {
        current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
      }
      previous = current
    }
    return previous[b.count]
  }
}
