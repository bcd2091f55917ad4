// SPDX-License-Identifier: AGPL-3.0-or-later

import UnixSignals

/// The signals the daemon acts on: SIGTERM and SIGINT stop it, SIGHUP reloads the profile.
public enum DaemonSignal: Int32, Sendable, CaseIterable, CustomStringConvertible {
  case terminate = 15
  case interrupt = 2
  case hangUp = 1

  public var description: String {
    switch self {
    case .terminate: "SIGTERM"
    case .interrupt: "SIGINT"
    case .hangUp: "SIGHUP"
    }
  }

  var unixSignal: UnixSignal {
    switch self {
    case .terminate: .sigterm
    case .interrupt: .sigint
    case .hangUp: .sighup
    }
  }

  /// The `signals` as they arrive, through swift-service-lifecycle's `UnixSignalsSequence` (no
  /// handler runs in signal context; their default actions are off while it is listened to).
  public static func events(
    _ signals: [DaemonSignal] = allCases
  ) async -> some AsyncSequence<DaemonSignal, Never> & Sendable {
    await UnixSignalsSequence(trapping: signals.map(\.unixSignal)).compactMap { unix in
      signals.first { $0.unixSignal == unix }
    }
  }
}
