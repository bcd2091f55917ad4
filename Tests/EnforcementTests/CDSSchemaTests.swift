// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Testing

/// The shipped San José responses and the official examples against the official OpenAPI
/// schema (the corrected copy in tools/cds), checked by tools/cds/validate.py.
@Suite("CDS schema")
struct CDSSchemaTests {
  static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

  static func validate(_ files: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    // python3 from PATH: Debian's with python3-jsonschema (tools/deps.sh), or one with openapi-schema-validator.
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = ["python3", Self.root.appendingPathComponent("tools/cds/validate.py").path] + files
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let output = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: output, as: UTF8.self))
  }

  @Test("the shipped San José zones and policies responses and the official examples are valid CDS")
  func shippedFilesAreValid() throws {
    let files = [
      "device-profiles/zones/san-jose-downtown.json", "device-profiles/zones/san-jose-downtown-policies.json",
      "tools/cds/examples/zones-minimum.json", "tools/cds/examples/policies.json",
    ].map { Self.root.appendingPathComponent($0).path }
    let result = try Self.validate(files)
    #expect(result.status == 0, "\(result.output)")
    #expect(result.output.components(separatedBy: "valid ").count == 5, "\(result.output)")
  }

  @Test("a zones response with a non-UUID id and no start_date is refused by the schema")
  func invalidIsRefused() throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("cds-schema-\(getpid())")
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    let shipped = try String(
      contentsOf: Self.root.appendingPathComponent("device-profiles/zones/san-jose-downtown.json"), encoding: .utf8)
    let broken = shipped.replacingOccurrences(
      of: "\"curb_zone_id\": \"fbecfba9-6a5b-5355-8baa-c8cd2610c2ca\"",
      with: "\"curb_zone_id\": \"sj-e-santa-clara-0-n\""
    )
    .replacingOccurrences(of: ",\n        \"start_date\": 1767225600000", with: "")
    let file = directory.appendingPathComponent("zones.json")
    try broken.write(to: file, atomically: true, encoding: .utf8)
    let result = try Self.validate([file.path])
    #expect(result.status == 1)
    #expect(
      result.output.contains("data.zones.0.curb_zone_id: 'sj-e-santa-clara-0-n' is not a 'uuid'"), "\(result.output)")
    #expect(result.output.contains("data.zones.0: 'start_date' is a required property"), "\(result.output)")
  }
}
