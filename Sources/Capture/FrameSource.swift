// SPDX-License-Identifier: AGPL-3.0-or-later

/// What a frame source delivers: a frame, or a fault it survived.
public enum FrameEvent: Sendable {
  /// A frame, in capture order.
  case frame(Frame)
  /// A fault the source reports and carries on after (a skipped dump frame, a camera that went
  /// away and is being retried). When a dump cannot go on, this is its last event.
  case fault(CaptureError)
}

/// Anything that produces frames: the V4L2 camera on the road, a frame dump in the lab.
///
/// The sequence ends when the source is exhausted (a dump) or when the consumer stops
/// iterating (a camera, which then releases the device).
public protocol FrameSource: Sendable {
  /// The sequence `events()` returns.
  associatedtype Events: AsyncSequence<FrameEvent, Never>
  /// Starts producing; each call starts anew.
  func events() -> Events
}
