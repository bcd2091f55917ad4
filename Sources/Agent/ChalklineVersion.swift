// SPDX-License-Identifier: AGPL-3.0-or-later

/// The agent's version, printed by `chalkline --version` and sent to the upstream.
public enum ChalklineVersion {
  public static let current = "0.1.0"
}
