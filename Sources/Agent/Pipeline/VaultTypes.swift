// SPDX-License-Identifier: AGPL-3.0-or-later

import Vault

// The Vault module's class is also named `Vault`, so `Vault.ChalkMark` names a member of the
// class, not the module's type. This file imports only Vault and names its types unambiguously
// for the rest of the module (Enforcement has a ChalkMark and a CurbPosition of its own).

/// The vault's stored form of a chalk mark (hashes of one window, position, times).
typealias StoredChalkMark = ChalkMark
/// The vault's curb position.
typealias StoredCurbPosition = CurbPosition
