// SPDX-License-Identifier: AGPL-3.0-or-later

import ArgumentParser
import Capture
import ChalklineModel
import Foundation

/// `chalkline devices [--json]`: the cameras with their formats, sizes, frame intervals and
/// controls, like `v4l2-ctl --list-formats-ext`.
struct DevicesCommand: AsyncParsableCommand {
  static let configuration = CommandConfiguration(
    commandName: "devices",
    abstract: "List the cameras: formats, sizes, frame intervals and controls.",
    discussion: "Every /dev/video* node is listed unless --device names some.")

  @Flag(help: "Print JSON instead of text.")
  var json = false

  @Option(name: .customLong("device"), help: "A device node to list (repeatable).")
  var devices: [String] = []

  func run() async throws {
    let paths = devices.isEmpty ? CameraInventory.nodes() : devices
    var found: [DeviceDescription] = []
    var failures: [(path: String, error: CaptureError)] = []
    for path in paths {
      do { found.append(try CameraInventory.describe(path)) } catch { failures.append((path, error)) }
    }
    if json {
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      encoder.keyEncodingStrategy = .convertToSnakeCase
      let report = Report(
        devices: found,
        errors: failures.map { .init(path: $0.path, code: $0.error.code.name, message: $0.error.message) })
      print(String(decoding: try encoder.encode(report), as: UTF8.self))
      return
    }
    if paths.isEmpty { print("No cameras: /dev has no video* nodes (is the camera plugged in and its driver loaded?)") }
    for description in found { print(description.text) }
    for failure in failures { print("\(failure.path): \(failure.error.message)") }
  }

  struct Report: Encodable {
    var devices: [DeviceDescription]
    var errors: [Failure]
    struct Failure: Encodable {
      var path: String
      var code: String
      var message: String
    }
  }
}
