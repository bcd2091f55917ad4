// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineTestKit
import Foundation
import Testing

/// The real-driver test: tools/vm/run-vm-test.sh boots Debian's kernel under qemu (TCG) with
/// vivid and chalkline-v4l2-probe, which runs this module's capture code; the probe's result
/// lines come back over the serial console and are checked here.
///
/// Needs qemu-system-x86, busybox-static, cpio and kmod (`make deps`), and network access to
/// Debian's archive on the first run (the kernel is cached in /var/cache/chalkline-vm).
/// Set CHALKLINE_SKIP_VM_TEST=1 to leave it out of a quick local run.
@Suite(.serialized) struct VividVMTests {
  static let enabled = ProcessInfo.processInfo.environment["CHALKLINE_SKIP_VM_TEST"] != "1"

  /// The package root: this file is Tests/CaptureTests/VividVMTests.swift.
  static var packageRoot: URL {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
  }

  typealias Results = [String: [[String: String]]]

  static func runVM() throws -> (results: Results, output: String, status: Int32) {
    let root = packageRoot
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = [root.appendingPathComponent("tools/vm/run-vm-test.sh").path, root.path]
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = FileHandle.standardError
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let output = String(decoding: data, as: UTF8.self)
    var results: Results = [:]
    for line in output.split(separator: "\n")
    where line.hasPrefix("CHALKLINE-RESULT ") || line.hasPrefix("CHALKLINE-VM-TIMES ") {
      let words = line.split(separator: " ")
      let name = line.hasPrefix("CHALKLINE-VM-TIMES") ? "times" : String(words[1])
      var fields: [String: String] = [:]
      for word in words.dropFirst(line.hasPrefix("CHALKLINE-VM-TIMES") ? 1 : 2) {
        let parts = word.split(separator: "=", maxSplits: 1)
        if parts.count == 2 { fields[String(parts[0])] = String(parts[1]) }
      }
      results[name, default: []].append(fields)
    }
    return (results, output, process.terminationStatus)
  }

  @Test(.enabled(if: enabled), .timeLimit(.minutes(20)))
  func captureCodeWorksAgainstVivid() async throws {
    // Minutes of waiting for the VM, on a thread of its own and not on the cooperative pool.
    let (results, output, status) = try await offPool { try Self.runVM() }
    print(
      output.split(separator: "\n").filter { $0.hasPrefix("CHALKLINE-") || $0.hasPrefix("chalkline-vm") }.joined(
        separator: "\n"))
    #expect(status == 0, "the VM run did not finish: see the console tail on stderr")
    func one(_ name: String, _ key: String? = nil, _ value: String? = nil) -> [String: String]? {
      results[name]?.first { key == nil || $0[key!] == value }
    }
    func int(_ fields: [String: String]?, _ key: String) -> Int { fields?[key].flatMap { Int($0) } ?? -1 }

    // A camera missing at start: reported, retried, streaming once vivid is loaded.
    let missing = one("missing")
    #expect(missing?["first_fault"] == "device-missing")
    #expect(int(missing, "frames") == 5)
    #expect(int(missing, "recoveries") >= 1)

    // Devices and formats listed.
    #expect(int(one("devices"), "count") >= 2)
    let capture = one("device", "path", "/dev/video0")
    #expect(capture?["capture"] == "true")
    let formats = capture?["formats"]?.split(separator: ",").map(String.init) ?? []
    #expect(formats.contains("YUYV") && formats.contains("GREY"))
    #expect(int(capture, "sizes") > 0 && int(capture, "intervals") > 0 && int(capture, "controls") > 0)
    #expect(one("device", "path", "/dev/video1")?["output"] == "true")

    // At least 30 frames in YUYV and GREY, of the right size, in order, stamped in UTC.
    for format in ["YUYV", "GREY"] {
      let run = results["capture"]?.first { $0["format"] == format && $0["size"] == "640x360" }
      #expect(int(run, "frames") >= 30, "\(format)")
      #expect(run?["bad_size"] == "0" && run?["ordered"] == "true", "\(format)")
      #expect((run?["utc_skew_s"]).flatMap(Double.init).map { $0 < 5 } == true, "\(format)")
      #expect(run?["gain"] == "77", "gain control applied")
    }
    if let mjpeg = one("capture", "format", "MJPG"), mjpeg["skipped"] == nil {
      #expect(int(mjpeg, "frames") >= 30)
    }

    // Real frames recorded into a dump replay bit-exact.
    let dump = one("dump")
    #expect(int(dump, "captured") == 10 && dump?["identical"] == "true" && dump?["faults"] == "0")
    #expect(dump?["gps_lines"] == "1")

    // Corrupt buffers skipped, a stall survived, an unplug survived.
    let corrupt = one("corrupt")
    #expect(corrupt?["injected"] == "true" && int(corrupt, "corrupt_buffers") >= 1 && int(corrupt, "frames") == 15)
    let stall = one("stall")
    #expect(int(stall, "stalls") >= 1 && int(stall, "recoveries") >= 1 && int(stall, "frames_after") == 5)
    let unplug = one("unplug")
    #expect(unplug?["triggered"] == "true")
    #expect(int(unplug, "unplugs") >= 1 && int(unplug, "recoveries") >= 1 && int(unplug, "frames_after") == 10)

    // Our own frame, bit-exact, through vivid's HDMI output→capture loopback.
    let loopback = one("loopback")
    #expect(int(loopback, "exact") >= 1, "best frame differed in \(loopback?["best_diff_bytes"] ?? "?") bytes")
  }
}
