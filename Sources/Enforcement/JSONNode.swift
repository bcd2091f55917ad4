// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// A JSON value that remembers the line it starts on, so file errors can say `FILE:LINE`.
///
/// `JSONSerialization` gives no positions; this small recursive-descent parser does, and keeps
/// object members in file order.
public struct JSONNode: Sendable {
  /// 1-based line of the value's first character.
  public var line: Int
  /// The value.
  public var value: Value

  /// A JSON value.
  public indirect enum Value: Sendable {
    case object([(key: String, line: Int, node: JSONNode)])
    case array([JSONNode])
    case string(String)
    case number(Double)
    case bool(Bool)
    case null
  }

  /// The member named `key` of an object, or `nil`.
  public subscript(key: String) -> JSONNode? {
    guard case .object(let members) = value else { return nil }
    return members.first { $0.key == key }?.node
  }

  /// The JSON type's name, for "expected …" messages.
  public var typeName: String {
    switch value {
    case .object: "an object"
    case .array: "an array"
    case .string: "a string"
    case .number: "a number"
    case .bool: "a boolean"
    case .null: "null"
    }
  }

  public var string: String? { if case .string(let s) = value { s } else { nil } }
  public var number: Double? { if case .number(let n) = value { n } else { nil } }
  public var bool: Bool? { if case .bool(let b) = value { b } else { nil } }
  public var array: [JSONNode]? { if case .array(let a) = value { a } else { nil } }
  public var members: [(key: String, line: Int, node: JSONNode)]? { if case .object(let m) = value { m } else { nil } }

  /// The value as an integer, if it is a number without a fractional part.
  public var integer: Int? {
    guard let n = number, n.rounded() == n, abs(n) < 9e15 else { return nil }
    return Int(n)
  }
}

/// A syntax error in JSON text, with its line.
public struct JSONSyntaxError: Error, Sendable {
  /// 1-based line.
  public var line: Int
  /// What is wrong.
  public var message: String
}

/// Parses JSON text (RFC 8259) into ``JSONNode`` values with line numbers.
public struct JSONTextParser {
  private let bytes: [UInt8]
  private var index = 0
  private var line = 1
  private var depth = 0

  /// Parses a complete document.
  public static func parse(_ data: Data) throws(JSONSyntaxError) -> JSONNode {
    var parser = JSONTextParser(bytes: [UInt8](data))
    parser.skipWhitespace()
    let node = try parser.parseValue()
    parser.skipWhitespace()
    if parser.index < parser.bytes.count { throw parser.error("unexpected text after the end of the document") }
    return node
  }

  private init(bytes: [UInt8]) {
    // A UTF-8 byte-order mark is allowed and skipped.
    self.bytes = bytes
    if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { index = 3 }
  }

  private func error(_ message: String) -> JSONSyntaxError { JSONSyntaxError(line: line, message: message) }

  private mutating func skipWhitespace() {
    while index < bytes.count {
      switch bytes[index] {
      case 0x0A: line += 1
      case 0x20, 0x09, 0x0D: break
      default: return
      }
      index += 1
    }
  }

  private mutating func parseValue() throws(JSONSyntaxError) -> JSONNode {
    guard index < bytes.count else { throw error("unexpected end of file") }
    let start = line
    switch bytes[index] {
    case UInt8(ascii: "{"): return JSONNode(line: start, value: try parseObject())
    case UInt8(ascii: "["): return JSONNode(line: start, value: try parseArray())
    case UInt8(ascii: "\""): return JSONNode(line: start, value: .string(try parseString()))
    case UInt8(ascii: "t"): try expectWord("true"); return JSONNode(line: start, value: .bool(true))
    case UInt8(ascii: "f"): try expectWord("false"); return JSONNode(line: start, value: .bool(false))
    case UInt8(ascii: "n"): try expectWord("null"); return JSONNode(line: start, value: .null)
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      return JSONNode(line: start, value: .number(try parseNumber()))
    default: throw error("unexpected character '\(String(UnicodeScalar(bytes[index])))'")
    }
  }

  private mutating func expectWord(_ word: String) throws(JSONSyntaxError) {
    let utf8 = Array(word.utf8)
    guard index + utf8.count <= bytes.count, Array(bytes[index..<index + utf8.count]) == utf8 else {
      throw error("invalid literal (expected \(word))")
    }
    index += utf8.count
  }

  private mutating func enter() throws(JSONSyntaxError) {
    depth += 1
    if depth > 200 { throw error("nesting deeper than 200 levels") }
  }

  private mutating func parseObject() throws(JSONSyntaxError) -> JSONNode.Value {
    try enter()
    defer { depth -= 1 }
    index += 1
    var members: [(key: String, line: Int, node: JSONNode)] = []
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
      index += 1
      return .object(members)
    }
    while true {
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: "\"") else {
        throw error("expected a member name in quotes")
      }
      let keyLine = line
      let key = try parseString()
      skipWhitespace()
      guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else { throw error("expected ':' after \"\(key)\"") }
      index += 1
      skipWhitespace()
      members.append((key, keyLine, try parseValue()))
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of file inside an object") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      if bytes[index] == UInt8(ascii: "}") {
        index += 1
        return .object(members)
      }
      throw error("expected ',' or '}' in an object")
    }
  }

  private mutating func parseArray() throws(JSONSyntaxError) -> JSONNode.Value {
    try enter()
    defer { depth -= 1 }
    index += 1
    var items: [JSONNode] = []
    skipWhitespace()
    if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
      index += 1
      return .array(items)
    }
    while true {
      skipWhitespace()
      items.append(try parseValue())
      skipWhitespace()
      guard index < bytes.count else { throw error("unexpected end of file inside an array") }
      if bytes[index] == UInt8(ascii: ",") {
        index += 1
        continue
      }
      if bytes[index] == UInt8(ascii: "]") {
        index += 1
        return .array(items)
      }
      throw error("expected ',' or ']' in an array")
    }
  }

  private mutating func parseString() throws(JSONSyntaxError) -> String {
    index += 1
    var out: [UInt8] = []
    while index < bytes.count {
      let byte = bytes[index]
      index += 1
      switch byte {
      case UInt8(ascii: "\""):
        guard let text = String(validating: out, as: UTF8.self) else { throw error("string is not valid UTF-8") }
        return text
      case UInt8(ascii: "\\"):
        guard index < bytes.count else { break }
        let escape = bytes[index]
        index += 1
        switch escape {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(escape)
        case UInt8(ascii: "b"): out.append(0x08)
        case UInt8(ascii: "f"): out.append(0x0C)
        case UInt8(ascii: "n"): out.append(0x0A)
        case UInt8(ascii: "r"): out.append(0x0D)
        case UInt8(ascii: "t"): out.append(0x09)
        case UInt8(ascii: "u"): out.append(contentsOf: try parseUnicodeEscape())
        default: throw error("invalid escape in a string")
        }
      case 0x0A, 0x0D: throw error("line break inside a string (a missing closing quote?)")
      case 0x00..<0x20: throw error("control character inside a string")
      default: out.append(byte)
      }
    }
    throw error("unexpected end of file inside a string")
  }

  private mutating func hex4() throws(JSONSyntaxError) -> UInt32 {
    guard index + 4 <= bytes.count,
      let value = UInt32(String(decoding: bytes[index..<index + 4], as: UTF8.self), radix: 16)
    else { throw error("invalid \\u escape") }
    index += 4
    return value
  }

  private mutating func parseUnicodeEscape() throws(JSONSyntaxError) -> [UInt8] {
    var scalar = try hex4()
    if (0xD800..<0xDC00).contains(scalar) {
      guard index + 2 <= bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u") else {
        throw error("unpaired surrogate in a \\u escape")
      }
      index += 2
      let low = try hex4()
      guard (0xDC00..<0xE000).contains(low) else { throw error("unpaired surrogate in a \\u escape") }
      scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
    }
    guard let unicode = Unicode.Scalar(scalar) else { throw error("invalid \\u escape") }
    return Array(String(Character(unicode)).utf8)
  }

  private mutating func parseNumber() throws(JSONSyntaxError) -> Double {
    let start = index
    if bytes[index] == UInt8(ascii: "-") { index += 1 }
    func digits(_ parser: inout JSONTextParser) -> Int {
      var count = 0
      while parser.index < parser.bytes.count,
        (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(parser.bytes[parser.index])
      {
        parser.index += 1
        count += 1
      }
      return count
    }
    let integerDigits = digits(&self)
    guard integerDigits > 0 else { throw error("invalid number") }
    if integerDigits > 1, bytes[index - integerDigits] == UInt8(ascii: "0") {
      throw error("invalid number (leading zero)")
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
      index += 1
      guard digits(&self) > 0 else { throw error("invalid number") }
    }
    if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
      index += 1
      if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") { index += 1 }
      guard digits(&self) > 0 else { throw error("invalid number") }
    }
    guard let value = Double(String(decoding: bytes[start..<index], as: UTF8.self)) else {
      throw error("invalid number")
    }
    return value
  }
}
