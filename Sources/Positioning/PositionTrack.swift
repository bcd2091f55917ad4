// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// The recent fixes of the vehicle, and its pose at any instant between or just after them.
///
/// Only fixes that passed ``FixQuality/verdictIgnoringAge(for:)`` should be appended; the track itself refuses
/// fixes without a position and fixes that go back in time. Memory is bounded by ``Configuration/capacity``.
public struct PositionTrack: Sendable {
  /// Limits of the track.
  public struct Configuration: Sendable, Equatable {
    /// The longest gap between two fixes that is interpolated across, seconds.
    public var maxGap: TimeInterval
    /// How far before the first or past the last fix (or into a gap) a pose is carried, seconds.
    public var maxExtrapolation: TimeInterval
    /// Below this speed (m/s) gpsd's `track` is noise; the heading comes from consecutive fixes instead.
    public var minSpeedForTrack: Double
    /// Fixes must be this far apart (metres) for their bearing to count as a heading.
    public var minDisplacementForHeading: Double
    /// Heading uncertainty assumed for gpsd's `track` at speed, degrees.
    public var trackHeadingUncertainty: Double
    /// Uncertainty added per second of extrapolation, metres per second (unmodelled acceleration and turns).
    public var extrapolationGrowth: Double
    /// How many fixes are kept.
    public var capacity: Int

    /// Makes a configuration; the defaults suit 1–10 Hz receivers on a vehicle in city traffic.
    public init(
      maxGap: TimeInterval = 3, maxExtrapolation: TimeInterval = 1, minSpeedForTrack: Double = 1.5,
      minDisplacementForHeading: Double = 2, trackHeadingUncertainty: Double = 5, extrapolationGrowth: Double = 2,
      capacity: Int = 600
    ) {
      self.maxGap = maxGap
      self.maxExtrapolation = maxExtrapolation
      self.minSpeedForTrack = minSpeedForTrack
      self.minDisplacementForHeading = minDisplacementForHeading
      self.trackHeadingUncertainty = trackHeadingUncertainty
      self.extrapolationGrowth = extrapolationGrowth
      self.capacity = capacity
    }
  }

  /// Why there is no pose at an instant.
  public enum Refusal: Error, Sendable, Equatable {
    /// No fix at all yet.
    case noFixes
    /// The instant is further than the extrapolation limit from the nearest fix.
    case tooFarFromFix(seconds: TimeInterval)
  }

  /// A fix as kept by the track, with the heading decided when it was appended.
  struct Point: Sendable {
    var fix: Fix
    var position: GeoPosition
    var heading: Double?
    var headingUncertainty: Double
  }

  /// The limits.
  public let configuration: Configuration
  private(set) var points: [Point] = []

  /// Makes an empty track.
  public init(configuration: Configuration = Configuration()) {
    self.configuration = configuration
  }

  /// How many fixes the track holds.
  public var count: Int { points.count }

  /// Appends a fix; returns `false` (and keeps nothing) when it has no position or is not later than the last.
  @discardableResult
  public mutating func append(_ fix: Fix) -> Bool {
    guard let position = fix.position, position.isValid, fix.mode >= .twoD else { return false }
    if let last = points.last, fix.time <= last.fix.time { return false }
    var heading: Double?
    var headingUncertainty = 180.0
    if let track = fix.track, let speed = fix.speed, speed >= configuration.minSpeedForTrack {
      heading = Heading.normalized(track)
      headingUncertainty = configuration.trackHeadingUncertainty
    } else if let last = points.last {
      // Slow: the receiver's course is noise. Use the bearing from the last fix far enough away, else keep the
      // last heading (a stopped vehicle does not turn).
      let anchor = points.last(where: { $0.position.distance(to: position) >= configuration.minDisplacementForHeading })
      if let anchor, fix.time.timeIntervalSince(anchor.fix.time) <= configuration.maxGap * 4 {
        let distance = anchor.position.distance(to: position)
        heading = anchor.position.bearing(to: position)
        let error = (anchor.fix.horizontalError ?? 0) + (fix.horizontalError ?? 0)
        headingUncertainty = min(180, atan2(error, distance) * 180 / .pi)
      } else {
        heading = last.heading
        headingUncertainty = last.headingUncertainty
      }
    }
    points.append(Point(fix: fix, position: position, heading: heading, headingUncertainty: headingUncertainty))
    if points.count > configuration.capacity { points.removeFirst(points.count - configuration.capacity) }
    return true
  }

  /// The vehicle's pose at `time`, or why there is none.
  public func pose(at time: Date) -> Result<VehiclePose, Refusal> {
    guard let first = points.first, let last = points.last else { return .failure(.noFixes) }
    // Index of the first point strictly after `time`.
    var low = 0
    var high = points.count
    while low < high {
      let mid = (low + high) / 2
      if points[mid].fix.time <= time { low = mid + 1 } else { high = mid }
    }
    if low == 0 { return carried(from: first, to: time) }
    let before = points[low - 1]
    if before.fix.time == time { return .success(pose(of: before, at: time, method: .interpolated)) }
    if low == points.count { return carried(from: last, to: time) }
    let after = points[low]
    let gap = after.fix.time.timeIntervalSince(before.fix.time)
    guard gap <= configuration.maxGap else {
      let fromBefore = time.timeIntervalSince(before.fix.time)
      let toAfter = after.fix.time.timeIntervalSince(time)
      return carried(from: fromBefore <= toAfter ? before : after, to: time)
    }
    let t = time.timeIntervalSince(before.fix.time) / gap
    let d = before.position.displacement(to: after.position)
    let position = before.position.offset(north: d.north * t, east: d.east * t)
    var heading: Double?
    switch (before.heading, after.heading) {
    case (let a?, let b?): heading = Heading.interpolate(a, b, fraction: t)
    case (let a?, nil): heading = a
    case (nil, let b?): heading = b
    case (nil, nil): heading = nil
    }
    let speed = speedBetween(before, after, gap: gap, distance: (d.north * d.north + d.east * d.east).squareRoot())
    let uncertainty = interpolate(before.fix.horizontalError ?? 0, after.fix.horizontalError ?? 0, t)
    return .success(
      VehiclePose(
        time: time, position: position, heading: heading,
        headingUncertainty: max(before.headingUncertainty, after.headingUncertainty), speed: speed,
        uncertainty: uncertainty, method: .interpolated))
  }

  private func interpolate(_ a: Double, _ b: Double, _ t: Double) -> Double { a + (b - a) * t }

  private func speedBetween(_ a: Point, _ b: Point, gap: TimeInterval, distance: Double) -> Double {
    if let sa = a.fix.speed, let sb = b.fix.speed { return (sa + sb) / 2 }
    return gap > 0 ? distance / gap : 0
  }

  private func pose(of point: Point, at time: Date, method: VehiclePose.Method) -> VehiclePose {
    VehiclePose(
      time: time, position: point.position, heading: point.heading, headingUncertainty: point.headingUncertainty,
      speed: point.fix.speed ?? 0, uncertainty: point.fix.horizontalError ?? 0, method: method)
  }

  /// Dead reckoning from one fix by its speed and heading, within the extrapolation limit.
  private func carried(from point: Point, to time: Date) -> Result<VehiclePose, Refusal> {
    let dt = time.timeIntervalSince(point.fix.time)
    guard abs(dt) <= configuration.maxExtrapolation else { return .failure(.tooFarFromFix(seconds: dt)) }
    var pose = pose(of: point, at: time, method: .extrapolated)
    if let heading = point.heading, pose.speed > 0 {
      pose.position = point.position.moved(distance: pose.speed * dt, bearing: heading)
    }
    pose.uncertainty += abs(dt) * configuration.extrapolationGrowth
    return .success(pose)
  }
}
