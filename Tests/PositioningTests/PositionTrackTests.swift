// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Testing

@testable import Positioning

@Suite("position at a frame's time")
struct PositionTrackTests {
  static let t0 = Date(timeIntervalSince1970: 1_772_442_000)

  static func fix(
    _ seconds: Double, _ lat: Double, _ lon: Double, speed: Double? = nil, track: Double? = nil, eph: Double = 3
  ) -> Fix {
    Fix(
      time: t0.addingTimeInterval(seconds), mode: .threeD, position: GeoPosition(latitude: lat, longitude: lon),
      eph: eph, speed: speed, track: track)
  }

  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var fixes: [Fix]
    var at: Double
    /// Expected position, or nil when the track must refuse.
    var position: GeoPosition?
    var heading: Double?
    var method: VehiclePose.Method = .interpolated
    var testDescription: String { name }
  }

  static let cases: [Case] = [
    Case(
      name: "midway between two fixes",
      fixes: [fix(0, 37.0, -122.0, speed: 10, track: 0), fix(1, 37.0001, -122.0, speed: 10, track: 0)],
      at: 0.5, position: GeoPosition(latitude: 37.00005, longitude: -122.0), heading: 0),
    Case(
      name: "heading wraps from 350 to 10 through north",
      fixes: [fix(0, 10.0, 20.0, speed: 8, track: 350), fix(1, 10.00007, 20.0, speed: 8, track: 10)],
      at: 0.5, position: GeoPosition(latitude: 10.000035, longitude: 20.0), heading: 0),
    Case(
      name: "heading wraps from 10 to 350 a quarter of the way",
      fixes: [fix(0, 10.0, 20.0, speed: 8, track: 10), fix(1, 10.00007, 20.0, speed: 8, track: 350)],
      at: 0.25, position: GeoPosition(latitude: 10.0000175, longitude: 20.0), heading: 5),
    Case(
      name: "heading exactly 360 is 0",
      fixes: [fix(0, 10.0, 20.0, speed: 8, track: 360), fix(1, 10.00007, 20.0, speed: 8, track: 0)],
      at: 0.5, position: GeoPosition(latitude: 10.000035, longitude: 20.0), heading: 0),
    Case(
      name: "stopped vehicle keeps its position and last heading",
      fixes: [
        fix(0, 37.0, -122.0, speed: 5, track: 90), fix(1, 37.0, -121.99995, speed: 0.1, track: 213),
        fix(2, 37.0, -121.99995, speed: 0, track: 17), fix(3, 37.0, -121.99995, speed: 0, track: 300),
      ],
      at: 2.5, position: GeoPosition(latitude: 37.0, longitude: -121.99995), heading: 90),
    Case(
      name: "slow vehicle takes its heading from consecutive fixes, not from track",
      fixes: [
        fix(0, -33.0, -70.0, speed: 0.5, track: 200), fix(2, -33.0, -70.0, speed: 0.5, track: 200),
        fix(4, -33.0 + 0.00002695, -70.0, speed: 0.5, track: 200),
      ],
      at: 4, position: GeoPosition(latitude: -33.0 + 0.00002695, longitude: -70.0), heading: 0),
    Case(
      name: "negative coordinates (southern and western hemispheres)",
      fixes: [fix(0, -33.45, -70.66, speed: 10, track: 225), fix(1, -33.45006, -70.66008, speed: 10, track: 225)],
      at: 0.5, position: GeoPosition(latitude: -33.45003, longitude: -70.66004), heading: 225),
    Case(
      name: "gap longer than the limit: carried from the nearer fix within the extrapolation limit",
      fixes: [fix(0, 37.0, -122.0, speed: 0, track: 0), fix(10, 37.001, -122.0, speed: 0, track: 0)],
      at: 0.5, position: GeoPosition(latitude: 37.0, longitude: -122.0), heading: nil, method: .extrapolated),
    Case(
      name: "gap longer than the limit, frame in the middle: refused",
      fixes: [fix(0, 37.0, -122.0, speed: 10, track: 0), fix(10, 37.001, -122.0, speed: 10, track: 0)],
      at: 5, position: nil),
    Case(
      name: "short gap is interpolated",
      fixes: [fix(0, 37.0, -122.0, speed: 5, track: 90), fix(2.5, 37.0, -121.9998, speed: 5, track: 90)],
      at: 1.25, position: GeoPosition(latitude: 37.0, longitude: -121.9999), heading: 90),
    Case(
      name: "just past the last fix: dead reckoning",
      fixes: [fix(0, 0.0, 0.0, speed: 10, track: 90), fix(1, 0.0, 0.0000898, speed: 10, track: 90)],
      at: 1.5, position: GeoPosition(latitude: 0.0, longitude: 0.0000898 + 0.0000449), heading: 90,
      method: .extrapolated),
    Case(
      name: "too far past the last fix: refused",
      fixes: [fix(0, 0.0, 0.0, speed: 10, track: 90), fix(1, 0.0, 0.0000898, speed: 10, track: 90)],
      at: 2.5, position: nil),
    Case(
      name: "before the first fix beyond the limit: refused",
      fixes: [fix(5, 0.0, 0.0, speed: 10, track: 90)],
      at: 3, position: nil),
  ]

  @Test(arguments: cases)
  func pose(_ c: Case) throws {
    var track = PositionTrack()
    for f in c.fixes {
      let accepted = track.append(f)
      #expect(accepted)
    }
    let result = track.pose(at: Self.t0.addingTimeInterval(c.at))
    guard let want = c.position else {
      if case .success(let pose) = result { Issue.record("expected a refusal, got \(pose)") }
      return
    }
    let pose = try result.get()
    #expect(pose.position.distance(to: want) < 0.05, "at \(pose.position), want \(want)")
    #expect(pose.method == c.method)
    if let heading = c.heading {
      let got = try #require(pose.heading)
      #expect(abs(Heading.difference(from: got, to: heading)) < 0.5, "heading \(got), want \(heading)")
    } else {
      #expect(pose.heading == nil)
    }
  }

  @Test func refusesFixesWithoutPositionOrOutOfOrder() {
    var track = PositionTrack()
    let accepted = [
      track.append(Fix(time: Self.t0, mode: .noFix, position: nil)), track.append(Self.fix(1, 1, 1)),
      track.append(Self.fix(1, 1, 1)), track.append(Self.fix(0.5, 1, 1)),
    ]
    #expect(accepted == [false, true, false, false])
    #expect(track.count == 1)
    #expect(PositionTrack().pose(at: Self.t0) == .failure(.noFixes))
  }

  @Test func extrapolationGrowsUncertainty() throws {
    var track = PositionTrack()
    track.append(Self.fix(0, 0, 0, speed: 10, track: 90, eph: 4))
    let at = try track.pose(at: Self.t0).get()
    let later = try track.pose(at: Self.t0.addingTimeInterval(0.8)).get()
    #expect(at.uncertainty == 4)
    #expect(later.uncertainty > at.uncertainty)
  }

  @Test func capacityBoundsMemory() {
    var track = PositionTrack(configuration: .init(capacity: 10))
    for i in 0..<100 { track.append(Self.fix(Double(i), 1, 1 + Double(i) * 1e-5)) }
    #expect(track.count == 10)
  }
}

extension VehiclePose: CustomStringConvertible {
  public var description: String {
    "\(position) heading \(heading.map { "\($0)" } ?? "-") ±\(uncertainty) m (\(method))"
  }
}
