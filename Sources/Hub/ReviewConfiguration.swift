// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

extension HubConfiguration {
  /// The officers' review pages: a second HTTPS listener with the hub's certificate that asks for
  /// no client certificate (a browser has none), so it defaults to loopback; put it behind the
  /// city's network controls before binding it elsewhere.
  public struct Review: Sendable, Codable {
    /// Address to bind (default 127.0.0.1).
    public var host: String
    /// Port (default 8444; 0 picks a free one).
    public var port: Int
    /// Minutes a login lasts (default 30).
    public var sessionMinutes: Int

    /// Creates review listener settings.
    public init(host: String = "127.0.0.1", port: Int = 8444, sessionMinutes: Int = 30) {
      self.host = host
      self.port = port
      self.sessionMinutes = sessionMinutes
    }

    public init(from decoder: any Decoder) throws {
      let c = try decoder.container(keyedBy: CodingKeys.self)
      host = try c.decodeIfPresent(String.self, forKey: .host) ?? "127.0.0.1"
      port = try c.decodeIfPresent(Int.self, forKey: .port) ?? 8444
      sessionMinutes = try c.decodeIfPresent(Int.self, forKey: .sessionMinutes) ?? 30
    }

    enum CodingKeys: String, CodingKey { case host, port, sessionMinutes }

    /// Problems with these settings, one a line, for `HubConfiguration.load`.
    var problems: [String] {
      var problems: [String] = []
      if !(0...65535).contains(port) { problems.append("review.port: must be 0…65535") }
      if !(1...1440).contains(sessionMinutes) { problems.append("review.session_minutes: must be 1…1440") }
      return problems
    }
  }
}
