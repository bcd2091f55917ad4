// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Enforcement
import Foundation
import Vault

/// The candidate ids evidence is sealed for (format v3, `EvidenceSealer`).
///
/// A sighting's evidence is sealed once, when the sighting is made, and the vehicle cannot open it
/// again; so every candidate it may come to be part of needs its id then. A chalk mark yields at
/// most two candidates, both with the mark's first evidence: one for the stay it chalks (overstay,
/// or permit — a mark is flagged once) and one for a return too soon after that stay (no-return —
/// the mark ends then). Their ids are derived from the mark under its window's key
/// (`PlateHasher.candidateID`), and the ledger's candidate takes the one for its kind. The
/// sighting that made a candidate seals its own evidence for that candidate too.
extension PatrolPipeline {
  /// The candidate with the id its chalk mark's evidence was sealed for: a no-return candidate is
  /// formed from the mark it ended (the earlier stay), any other from the mark the sighting saved.
  func withBoundID(_ candidate: Candidate, outcome: ChalkLedger.Outcome, at time: Date) throws -> Candidate {
    let mark: ChalkMark?
    let purpose: CandidatePurpose
    if case .noReturn = candidate.rule {
      (mark, purpose) = (outcome.removed.first(where: { $0.last.evidence == candidate.first.evidence }), .noReturn)
    } else {
      (mark, purpose) = (outcome.saved, .stay)
    }
    guard let mark, let id = try candidateID(of: mark, purpose, at: time) else { return candidate }
    var bound = candidate
    bound.id = id
    return bound
  }

  /// The ids a new mark's first evidence is sealed for: the mark's own two candidates.
  func candidateIDs(ofNewMark mark: ChalkMark, at time: Date) throws -> [UUID] {
    try CandidatePurpose.allCases.compactMap { try candidateID(of: mark, $0, at: time) }
  }

  private func candidateID(of mark: ChalkMark, _ purpose: CandidatePurpose, at time: Date) throws -> UUID? {
    guard let window = mark.first.alternatives.first?.keys.first?.window else { return nil }
    return try (hashers[window] ?? hasher(for: window, at: time)).candidateID(mark: mark.id, for: purpose)
  }
}
