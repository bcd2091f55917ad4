// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import ChalklineTestKit
import Foundation
import Logging
import Testing

@testable import Positioning

/// The client when gpsd goes away and when the wire carries garbage.
@Suite("gpsd client resilience")
struct GPSDResilienceTests {
  static func drive(epochs: Range<Int>) -> [Data] {
    epochs.map { Data(GPSDNMEA.epoch($0).utf8) }
  }

  @Test("gpsd killed and restarted mid-stream: the client reconnects and continues")
  func reconnectsAfterRestart() async throws {
    let feeder = try GPSDFeeder(chunks: Self.drive(epochs: 0..<100), interval: 0.04)
    let restarted = LockedBox(false)
    let run = try await withGPSD(feeder: feeder) { gpsd in
      try await ClientRun.collect(port: gpsd.port, feeder: feeder) { run in
        guard run.fixes.count >= 20, !restarted.value else { return }
        restarted.value = true
        gpsd.kill()
        try await Task.sleep(for: .milliseconds(300))
        try gpsd.restart()
      }
    }
    #expect(restarted.value)
    let lost = try #require(run.states.firstIndex(of: .noGPSD), "the client never noticed gpsd going away")
    #expect(run.states[(lost + 1)...].contains(.fix3D), "no fix after the restart: \(run.states)")
    let times = run.fixes.map(\.time)
    #expect(times == times.sorted() && Set(times).count == times.count)
    // Most of the drive arrives: only what was in flight to the killed gpsd is lost.
    #expect(run.fixes.count >= 80, "got \(run.fixes.count) of 100 epochs")
  }

  @Test("no gpsd at first: reported once, then the client connects when gpsd starts")
  func connectsWhenGPSDAppears() async throws {
    let feeder = try GPSDFeeder(chunks: Self.drive(epochs: 0..<30), interval: 0.02)
    feeder.release()
    defer { feeder.close() }
    let port = try GPSDProcess.freePort()
    let gpsd = LockedBox<GPSDProcess?>(nil)
    defer { gpsd.value?.stop() }
    let config = GPSDClient.Configuration(port: port, initialBackoff: 0.05, maxBackoff: 0.2)
    let run = try await ClientRun.collect(port: port, feeder: feeder, configuration: config) { run in
      // Start gpsd once the client has tried and failed a few times.
      guard gpsd.value == nil, run.states == [.noGPSD] else { return }
      try await Task.sleep(for: .milliseconds(400))
      gpsd.value = try GPSDProcess(feedPort: feeder.port, port: port)
    }
    #expect(run.states.first == .noGPSD)
    #expect(run.states.filter { $0 == .noGPSD }.count == 1, "\(run.states)")
    #expect(run.states.contains(.fix3D))
    #expect(!run.fixes.isEmpty)
  }

  @Test("garbage from the receiver: gpsd skips it, the client keeps the good fixes")
  func garbageBeforeGPSD() async throws {
    var chunks: [Data] = []
    var generator = SeededGenerator(seed: 7)
    for i in 0..<40 {
      chunks.append(Data(GPSDNMEA.epoch(i).utf8))
      switch i % 4 {
      case 0: chunks.append(Data((0..<300).map { _ in UInt8.random(in: 0...255, using: &generator) }))
      case 1: chunks.append(Data("$GPGGA,garbage,,,*00\r\n$GPRMC,1,2,3*FF\r\n".utf8))
      case 2: chunks.append(Data(String(repeating: "$GPXXX,", count: 200).utf8))
      default: chunks.append(Data([0, 0, 0, 0x0A, 0x0D, 0xFF, 0xA0, 0xA2]))
      }
    }
    let feeder = try GPSDFeeder(chunks: chunks, interval: 0.01)
    let run = try await withGPSD(feeder: feeder) { gpsd in
      try await ClientRun.collect(port: gpsd.port, feeder: feeder)
    }
    #expect(run.fixes.filter { $0.mode >= .twoD }.count >= 30, "got \(run.fixes.count) of 40 epochs")
  }

  @Test("garbage from gpsd itself: no crash, and fixes after it still arrive")
  func garbageFromGPSD() async throws {
    let version = #"{"class":"VERSION","release":"3.22","rev":"3.22","proto_major":3,"proto_minor":14}"# + "\n"
    let t0 = Date(timeIntervalSince1970: 1_772_442_000)
    func tpv(_ i: Int) -> Data {
      let fix = Fix(
        time: t0.addingTimeInterval(Double(i)), mode: .threeD,
        position: GeoPosition(latitude: 37.33 + Double(i) * 1e-5, longitude: -121.88), eph: 4)
      return Data((fix.tpvLine + "\n").utf8)
    }
    var generator = SeededGenerator(seed: 11)
    var chunks = [Data(version.utf8), tpv(0)]
    chunks.append(Data("{not json at all\n".utf8))
    chunks.append(Data(#"{"class":"TPV","mode":"three","lat":"north","time":12}"#.utf8 + [0x0A]))
    chunks.append(Data(#"{"class":"NEWCLASS","whatever":[1,2,{"x":null}]}"#.utf8 + [0x0A]))
    chunks.append(tpv(1))
    chunks.append(Data((0..<2_000).map { _ in UInt8.random(in: 1...255, using: &generator) } + [0x0A]))
    chunks.append(tpv(2))
    chunks.append(Data(String(repeating: "x", count: 20_000).utf8 + [0x0A]))
    chunks.append(Data([0, 0, 0x0A]))
    for i in 3..<10 { chunks.append(tpv(i)) }
    let fakeGPSD = try GPSDFeeder(chunks: chunks, interval: 0.02)
    fakeGPSD.release()
    defer { fakeGPSD.close() }
    let run = try await ClientRun.collect(port: fakeGPSD.port, feeder: fakeGPSD, quiet: 1.5)
    let times = Set(run.fixes.map(\.time))
    // libgps may give up on a line it cannot frame and the client then reconnects; the fixes after the garbage
    // must still arrive.
    #expect(
      times.isSuperset(of: (5..<10).map { t0.addingTimeInterval(Double($0)) }),
      "got \(run.fixes.count) fixes; states \(run.states); \(run.lines.count) lines")
  }
}
