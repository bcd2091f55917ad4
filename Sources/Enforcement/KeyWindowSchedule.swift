// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Foundation

/// Which hashing key a sighting's readings are hashed with: one key window per local day in the
/// zones' time zone, named `chalk-YYYY-MM-DD`.
///
/// The choice, and why: the ledger never holds keys, so the caller (the pipeline with the vault's
/// keyring) hashes each canonical reading once per window that ``ChalkLedger/keyWindows(at:)``
/// lists — the sighting's own day, plus every earlier day that a live chalk mark still holds
/// keys of. A match needs equal keys, so a chalk made at 17:30 is still recognised the next
/// morning under the previous day's key. When no live mark references a window any more, the
/// ledger reports it closed (``ChalkLedger/ExpiryReport/closedWindows``) and the vault destroys
/// that key, which makes every hash made with it meaningless (crypto-shredding).
public struct KeyWindowSchedule: Sendable {
  private let clock: LocalClock

  /// Creates a schedule in a time zone (the zones file's).
  public init(timeZone: TimeZone) { clock = LocalClock(timeZone: timeZone) }

  /// What every chalk window's id starts with.
  public static let prefix = "chalk-"

  /// The window an instant belongs to.
  public func window(at time: Date) -> KeyWindowID {
    KeyWindowID("\(Self.prefix)\(clock.moment(time).date)")
  }
}
