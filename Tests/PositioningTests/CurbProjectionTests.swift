// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation
import Testing

@testable import Positioning

@Suite("curb projection")
struct CurbProjectionTests {
  struct Case: Sendable, CustomTestStringConvertible {
    var name: String
    var position: GeoPosition
    var heading: Double
    var mount: CameraMount
    /// Expected displacement of the car from the antenna, metres north and east.
    var north: Double
    var east: Double
    var testDescription: String { name }
  }

  static let here = GeoPosition(latitude: 37.3352, longitude: -121.8811)
  static let south = GeoPosition(latitude: -33.4489, longitude: -70.6693)

  static let cases: [Case] = [
    Case(
      name: "heading north, right side", position: here, heading: 0, mount: .init(side: .right, curbDistance: 3),
      north: 0, east: 3),
    Case(
      name: "heading north, left side", position: here, heading: 0, mount: .init(side: .left, curbDistance: 3),
      north: 0, east: -3),
    Case(
      name: "heading east, right side looks south", position: here, heading: 90,
      mount: .init(side: .right, curbDistance: 4), north: -4, east: 0),
    Case(
      name: "heading 360 is heading 0", position: here, heading: 360, mount: .init(side: .right, curbDistance: 3),
      north: 0, east: 3),
    Case(
      name: "heading 359.9 almost north", position: here, heading: 359.9,
      mount: .init(side: .right, curbDistance: 3), north: 3 * sin(0.1 * .pi / 180), east: 3 * cos(0.1 * .pi / 180)),
    Case(
      name: "forward offset moves the point along the heading", position: here, heading: 180,
      mount: .init(side: .right, curbDistance: 2, forwardOffset: 1.5), north: -1.5, east: -2),
    Case(
      name: "yaw towards the front sees a point ahead", position: here, heading: 0,
      mount: .init(side: .right, curbDistance: 3, yaw: 45), north: 3, east: 3),
    Case(
      name: "negative coordinates, heading south-west, left side", position: south, heading: 225,
      mount: .init(side: .left, curbDistance: 2 * 2.0.squareRoot()), north: -2, east: 2),
  ]

  @Test(arguments: cases)
  func projects(_ c: Case) throws {
    let pose = VehiclePose(
      time: Date(timeIntervalSince1970: 0), position: c.position, heading: c.heading, headingUncertainty: 0,
      uncertainty: 3)
    let estimate = try #require(CurbProjection(mount: c.mount).project(pose))
    let d = c.position.displacement(to: estimate.position)
    #expect(abs(d.north - c.north) < 0.01 && abs(d.east - c.east) < 0.01, "got \(d), want (\(c.north), \(c.east))")
    #expect(abs(estimate.uncertainty - (3 + c.mount.mountError)) < 1e-9)
  }

  @Test func headingUncertaintyWidensTheEstimate() throws {
    let mount = CameraMount(side: .right, curbDistance: 5, mountError: 0.5)
    func uncertainty(_ headingError: Double) throws -> Double {
      let pose = VehiclePose(
        time: Date(), position: Self.here, heading: 10, headingUncertainty: headingError, uncertainty: 2)
      return try #require(CurbProjection(mount: mount).project(pose)).uncertainty
    }
    #expect(try uncertainty(0) == 2.5)
    #expect(abs(try uncertainty(30) - (2.5 + 5 * 0.5)) < 1e-9)
  }

  @Test func noHeadingNoProjection() {
    let pose = VehiclePose(time: Date(), position: Self.here, heading: nil, uncertainty: 2)
    #expect(CurbProjection(mount: .init(side: .left, curbDistance: 3)).project(pose) == nil)
  }
}
