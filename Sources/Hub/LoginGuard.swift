// SPDX-License-Identifier: AGPL-3.0-or-later
import Crypto
import Foundation
import NIOPosix
import Synchronization

/// Reviewer logins, guarded: failures are counted per name and per source address in a sliding
/// window; too many lock that name or address out for a stated time, refused without hashing.
/// Every check hashes (PBKDF2) off the event loop on NIO's bounded blocking pool, with a cap on
/// the checks in flight, and an unknown name costs the same work as a known one. A correct
/// credential is remembered (as a hash) so that PBKDF2 runs once per credential and process.
public final class LoginGuard: Sendable {
  /// The throttle's settings (`login` in the hub configuration).
  public struct Policy: Sendable, Codable, Equatable {
    /// Failures of one name within `window_minutes` that lock it (default 5, 1…100).
    public var maxFailuresPerName = 5
    /// Failures from one source address within `window_minutes` that lock it (default 20, 1…1000).
    public var maxFailuresPerAddress = 20
    /// The window failures are counted in, minutes (default 15, 1…1440).
    public var windowMinutes = 15.0
    /// How long a lockout lasts, minutes (default 15, 1…1440).
    public var lockoutMinutes = 15.0
    /// Password checks running or waiting at once; more are refused as busy (default 8, 1…256).
    public var maxChecksInFlight = 8

    /// The defaults.
    public init() {}

    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      let d = Policy()
      maxFailuresPerName = try c.decodeIfPresent(Int.self, forKey: .maxFailuresPerName) ?? d.maxFailuresPerName
      maxFailuresPerAddress =
        try c.decodeIfPresent(Int.self, forKey: .maxFailuresPerAddress) ?? d.maxFailuresPerAddress
      windowMinutes = try c.decodeIfPresent(Double.self, forKey: .windowMinutes) ?? d.windowMinutes
      lockoutMinutes = try c.decodeIfPresent(Double.self, forKey: .lockoutMinutes) ?? d.lockoutMinutes
      maxChecksInFlight = try c.decodeIfPresent(Int.self, forKey: .maxChecksInFlight) ?? d.maxChecksInFlight
    }

    enum CodingKeys: String, CodingKey {
      case maxFailuresPerName, maxFailuresPerAddress, windowMinutes, lockoutMinutes, maxChecksInFlight
    }

    /// What is wrong with these settings (`login.KEY: problem`).
    public var problems: [String] {
      var problems: [String] = []
      if !(1...100).contains(maxFailuresPerName) { problems.append("login.max_failures_per_name: must be 1…100") }
      if !(1...1000).contains(maxFailuresPerAddress) {
        problems.append("login.max_failures_per_address: must be 1…1000")
      }
      if !(1...1440).contains(windowMinutes) { problems.append("login.window_minutes: must be 1…1440") }
      if !(1...1440).contains(lockoutMinutes) { problems.append("login.lockout_minutes: must be 1…1440") }
      if !(1...256).contains(maxChecksInFlight) { problems.append("login.max_checks_in_flight: must be 1…256") }
      return problems
    }
  }

  /// A lockout that engaged: what (`name:N` or `address:A`), after how many failures, until when.
  public struct Lock: Sendable, Equatable {
    /// `name:NAME` or `address:ADDRESS`.
    public var key: String
    /// Failures counted in the window.
    public var failures: Int
    /// When it ends.
    public var until: Date
  }

  /// What a login attempt came to.
  public enum Outcome: Sendable, Equatable {
    /// Name and password match.
    case allowed
    /// Wrong; `engaged` are the lockouts this failure started (audit each once).
    case failed(engaged: [Lock])
    /// The name or address is locked out until then; nothing was checked.
    case locked(until: Date)
    /// Too many checks in flight; nothing was checked.
    case busy
  }

  /// The longest name, password and purpose a login may state.
  public static let maxNameLength = 64
  /// The longest password.
  public static let maxPasswordLength = 256

  struct State {
    var failures: [String: [Date]] = [:]
    var lockedUntil: [String: Date] = [:]
    var inFlight = 0
    var verified: Set<Data> = []
  }

  let policy: Policy
  let hashes: [String: PasswordHash]
  let state = Mutex(State())
  /// Hashed for unknown names, so that they cost what a known name costs.
  let decoy: PasswordHash

  /// A guard for the configured reviewers.
  public init(reviewers: [HubConfiguration.Reviewer], policy: Policy) {
    self.policy = policy
    var hashes: [String: PasswordHash] = [:]
    for reviewer in reviewers { hashes[reviewer.name] = PasswordHash(encoded: reviewer.passwordHash) }
    self.hashes = hashes
    let rounds = hashes.values.map(\.rounds).max() ?? PasswordHash.defaultRounds
    decoy = PasswordHash(rounds: rounds, salt: Data(repeating: 7, count: 16), hash: Data(repeating: 0, count: 32))
  }

  /// Puts back lockouts that engaged before a restart (read from the access audit's
  /// `review.lockout` entries), so restarting the hub does not lift them; those already over are
  /// ignored, and a lockout already held keeps the later end.
  public func restore(_ locks: [Lock], now: Date = Date()) {
    state.withLock { state in
      for lock in locks where lock.until > now {
        state.lockedUntil[lock.key] = max(state.lockedUntil[lock.key] ?? lock.until, lock.until)
      }
    }
  }

  /// Checks a login: refused at once while its name or address is locked out, else hashed on
  /// the blocking pool. `now` is for tests of the window.
  public func attempt(name: String, password: String, address: String, now: Date = Date()) async throws -> Outcome {
    let nameKey = "name:" + String(name.prefix(Self.maxNameLength))
    let addressKey = "address:" + String(address.prefix(64))
    let token = Data(SHA256.hash(data: Data("\(name)\u{0}\(password)".utf8)))
    enum Gate { case locked(Date), busy, remembered, check }
    let gate = state.withLock { state -> Gate in
      state.lockedUntil = state.lockedUntil.filter { $0.value > now }
      if let until = [state.lockedUntil[nameKey], state.lockedUntil[addressKey]].compactMap({ $0 }).max() {
        return .locked(until)
      }
      if state.verified.contains(token) { return .remembered }
      guard state.inFlight < policy.maxChecksInFlight else { return .busy }
      state.inFlight += 1
      return .check
    }
    switch gate {
    case .locked(let until): return .locked(until: until)
    case .busy: return .busy
    case .remembered: return .allowed
    case .check: break
    }
    let hash = hashes[name]
    let bounded = name.count <= Self.maxNameLength && password.count <= Self.maxPasswordLength
    let matches: Bool
    do {
      matches = try await NIOThreadPool.singleton.runIfActive { [decoy] in
        // Oversized fields are failures, checked against the decoy like unknown names.
        let checked = (bounded ? hash : nil) ?? decoy
        return checked.matches(bounded ? password : "") && hash != nil && bounded
      }
    } catch {
      state.withLock { $0.inFlight -= 1 }
      throw error
    }
    return state.withLock { state -> Outcome in
      state.inFlight -= 1
      if matches {
        state.failures[nameKey] = nil
        if state.verified.count > 10_000 { state.verified.removeAll() }
        state.verified.insert(token)
        return .allowed
      }
      let window = now.addingTimeInterval(-policy.windowMinutes * 60)
      if state.failures.count > 100_000 { state.failures = state.failures.filter { $0.value.last ?? now > window } }
      var engaged: [Lock] = []
      for (key, limit) in [(nameKey, policy.maxFailuresPerName), (addressKey, policy.maxFailuresPerAddress)] {
        var times = (state.failures[key] ?? []).filter { $0 > window }
        times.append(now)
        if times.count >= limit {
          let until = now.addingTimeInterval(policy.lockoutMinutes * 60)
          state.lockedUntil[key] = until
          engaged.append(Lock(key: key, failures: times.count, until: until))
          times.removeAll()
        }
        state.failures[key] = times.isEmpty ? nil : times
      }
      return .failed(engaged: engaged)
    }
  }
}
