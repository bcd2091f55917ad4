// SPDX-License-Identifier: AGPL-3.0-or-later

import Dispatch

#if canImport(Glibc)
  import Glibc
#endif

/// The signals the daemon acts on, as an async sequence: SIGTERM and SIGINT stop it, SIGHUP
/// reloads the profile. The default actions are switched off while it is listened to, so a
/// signal becomes an event instead of killing the process.
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

  /// Listens for `signals` until the stream's consumer goes away. Dispatch sources watch them,
  /// so no handler runs in signal context.
  public static func events(_ signals: [DaemonSignal] = allCases) -> AsyncStream<DaemonSignal> {
    let (stream, continuation) = AsyncStream.makeStream(of: DaemonSignal.self, bufferingPolicy: .bufferingNewest(8))
    let queue = DispatchQueue(label: "chalkline.signals")
    let sources = signals.map { signal in
      Glibc.signal(signal.rawValue, SIG_IGN)
      let source = DispatchSource.makeSignalSource(signal: signal.rawValue, queue: queue)
      source.setEventHandler { continuation.yield(signal) }
      source.resume()
      return source
    }
    let box = SourceBox(sources)
    continuation.onTermination = { _ in
      queue.async {
        for source in box.sources { source.cancel() }
        for signal in signals { Glibc.signal(signal.rawValue, SIG_DFL) }
      }
    }
    return stream
  }

  /// Holds the dispatch sources until the stream ends.
  private final class SourceBox: @unchecked Sendable {
    // @unchecked: set once at creation; only read afterwards, on the signal queue.
    let sources: [any DispatchSourceSignal]
    init(_ sources: [any DispatchSourceSignal]) { self.sources = sources }
  }
}
