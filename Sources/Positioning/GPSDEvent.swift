// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// What the gpsd client tells its consumer.
public enum GPSDEvent: Sendable, Equatable {
  /// One receiver epoch's fix (merged from gpsd's TPVs of that epoch), any mode; gate it with ``FixQuality``.
  case fix(Fix)
  /// The receiver's state changed; sent once per change.
  case state(GPSDState)
  /// One JSON line exactly as gpsd sent it (only with ``GPSDClient/Configuration/forwardsLines``).
  case line(String)
}
