// SPDX-License-Identifier: AGPL-3.0-or-later
import ChalklineModel
import Crypto
import Foundation
import Logging
import Synchronization
import Vault
import Wire

/// Vault figures for `chalkline bench`: sealed sightings stored per second, bytes per chalk mark
/// and per candidate, and, when `vault-crash-writer` sits beside the running executable, a crash
/// run (`CHALKLINE_BENCH_KILLS` kills, default 600).
public enum VaultBenchmark {
  /// Size of the synthetic plate crop (JPEG bytes are incompressible, like these random bytes).
  public static let plateCropBytes = 8 * 1024
  /// Size of the synthetic vehicle crop.
  public static let vehicleCropBytes = 32 * 1024

  /// Runs the benchmark in a fresh state directory under `directory`, with crops of the default sizes.
  public static func run(directory: URL) throws -> [(metric: String, value: Double, unit: String)] {
    try run(directory: directory, plateCropBytes: plateCropBytes, vehicleCropBytes: vehicleCropBytes)
  }

  /// Runs the benchmark with crops of the given sizes.
  public static func run(
    directory: URL, plateCropBytes: Int, vehicleCropBytes: Int
  ) throws -> [(metric: String, value: Double, unit: String)] {
    var logger = Logger(label: "chalkline.vault.bench")
    logger.logLevel = .warning
    // The vault creates its own state directory, not the folder it sits in.
    try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
    let state = directory.appendingPathComponent("vault-bench-\(UUID().uuidString.prefix(8))")
    defer { try? FileManager.default.removeItem(at: state) }
    let vault = try Vault.initialize(stateDirectory: state, actor: "bench", purpose: "benchmark", logger: logger)
    let upstream = Curve25519.KeyAgreement.PrivateKey()
    try vault.importUpstreamKeys(
      hpkePublicKey: upstream.publicKey.rawRepresentation,
      signingPublicKey: Curve25519.Signing.PrivateKey().publicKey.rawRepresentation, actor: "bench",
      purpose: "benchmark")
    let sealer = try EvidenceSealer(keyring: vault.keyring)
    let window = try ChalkWindow(id: "bench", expiresAt: Date().addingTimeInterval(86400))
    let hasher = try vault.plateHasher(for: window)
    var random = SeededGenerator(seed: 7)
    let plate = Data((0..<plateCropBytes).map { _ in UInt8.random(in: 0...255, using: &random) })
    let vehicle = Data((0..<vehicleCropBytes).map { _ in UInt8.random(in: 0...255, using: &random) })
    var results: [(metric: String, value: Double, unit: String)] = []

    // Sealing alone, one core: format v3 for a chalk mark's two candidates, as a first sighting is.
    let sealCount = 2000
    var clock = ContinuousClock.now
    var cpu = processCPUSeconds()
    for i in 0..<sealCount {
      _ = try sealer.seal(
        EvidenceCapture(plateJPEG: plate, vehicleJPEG: vehicle, plateAlternatives: ["B\(i)"], capturedAt: Date()),
        for: [UUID(), UUID()])
    }
    results.append(("vault.seal_per_second_one_core", Double(sealCount) / elapsed(since: clock), "1/s"))
    results.append(("vault.seal_per_cpu_second", Double(sealCount) / (processCPUSeconds() - cpu), "1/s"))

    // Sealed sightings stored: hash the alternatives, capture digests, seal (on every core), and
    // store in batches of 250 chalk marks per transaction (synchronous=FULL, one fsync per batch),
    // sealing the next batch while the writer stores the previous one, as the pipeline does.
    let sightings = 10_000
    let batch = 250
    let bytesBefore = try vault.status().liveBytes
    let writes = DispatchGroup()
    let writeError = Mutex<(any Error)?>(nil)
    clock = ContinuousClock.now
    cpu = processCPUSeconds()
    for start in stride(from: 0, to: sightings, by: batch) {
      let marks = try sealBatch(
        count: batch, offset: start, sealer: sealer, hasher: hasher, plate: plate, vehicle: vehicle)
      writes.wait()
      if let error = writeError.withLock({ $0 }) { throw error }
      DispatchQueue.global().async(group: writes) {
        do { try vault.recordChalkMarks(marks) } catch { writeError.withLock { $0 = error } }
      }
    }
    writes.wait()
    if let error = writeError.withLock({ $0 }) { throw error }
    let storeSeconds = elapsed(since: clock)
    let storeCPU = processCPUSeconds() - cpu
    results.append(("vault.sealed_sightings_stored_per_second", Double(sightings) / storeSeconds, "1/s"))
    // Wall time on a shared machine says little; CPU time says what one core can do.
    results.append(("vault.sealed_sightings_stored_per_cpu_second", Double(sightings) / storeCPU, "1/s"))
    let bytesAfterMarks = try vault.status().liveBytes
    let perMark = Double(bytesAfterMarks - bytesBefore) / Double(sightings)
    results.append(("vault.bytes_per_chalk_mark", perMark, "B"))
    results.append(
      ("vault.bytes_per_chalk_mark_beyond_images", perMark - Double(plateCropBytes + vehicleCropBytes), "B"))

    // The writer alone: pre-sealed sightings, stored in batches of 250.
    let presealed = try (0..<8).map { i in
      try sealBatch(
        count: batch, offset: 100_000 + i * batch, sealer: sealer, hasher: hasher, plate: plate, vehicle: vehicle)
    }
    clock = ContinuousClock.now
    cpu = processCPUSeconds()
    for marks in presealed { try vault.recordChalkMarks(marks) }
    results.append(("vault.presealed_sightings_stored_per_second", Double(8 * batch) / elapsed(since: clock), "1/s"))
    results.append(
      ("vault.presealed_sightings_stored_per_cpu_second", Double(8 * batch) / (processCPUSeconds() - cpu), "1/s"))

    // One sighting per transaction: what a lone sighting costs (an fsync each).
    let single = 200
    clock = ContinuousClock.now
    cpu = processCPUSeconds()
    for i in 0..<single {
      let marks = try sealBatch(
        count: 1, offset: sightings + i, sealer: sealer, hasher: hasher, plate: plate, vehicle: vehicle)
      try vault.recordChalkMarks(marks)
    }
    results.append(
      ("vault.sealed_sightings_stored_per_second_unbatched", Double(single) / elapsed(since: clock), "1/s"))
    results.append(
      ("vault.sealed_sightings_stored_per_cpu_second_unbatched", Double(single) / (processCPUSeconds() - cpu), "1/s"))

    // Candidates: the first sighting's evidence is the chalk mark's, the second is new.
    let marks = try vault.chalkMarks(
      matching: (0..<500).map { hasher.hash("BENCH\($0)") }, in: window.id)
    let before = try vault.status().liveBytes
    clock = ContinuousClock.now
    cpu = processCPUSeconds()
    for mark in marks {
      let id = hasher.candidateID(mark: mark.id, for: .stay)
      let second = try sealer.seal(
        EvidenceCapture(plateJPEG: plate, vehicleJPEG: vehicle, plateAlternatives: ["X"], capturedAt: Date()),
        for: [id])
      var seen = mark.first
      seen.time = Date()
      seen.evidence = EvidenceID(second.id)
      let candidate = Candidate(
        id: id, rule: .overstay(maxStay: 7200, grace: 0), zone: mark.zone, policy: mark.policy, first: mark.first,
        second: seen, enforcedElapsed: 7200, distance: 0, confidence: 1)
      try vault.enqueueCandidate(candidate, sealed: [second])
    }
    results.append(("vault.candidates_queued_per_second", Double(marks.count) / elapsed(since: clock), "1/s"))
    results.append(
      ("vault.candidates_queued_per_cpu_second", Double(marks.count) / (processCPUSeconds() - cpu), "1/s"))
    let perCandidate = Double(try vault.status().liveBytes - before) / Double(max(marks.count, 1))
    results.append(("vault.bytes_per_candidate_with_new_evidence", perCandidate, "B"))
    results.append(
      ("vault.bytes_per_candidate_beyond_images", perCandidate - Double(plateCropBytes + vehicleCropBytes), "B"))
    results.append(("vault.image_bytes_per_sighting", Double(plateCropBytes + vehicleCropBytes), "B"))

    // What the vault does (secure_delete=ON), and what FAST (zeroing only what costs no extra I/O)
    // would save: the incremental vacuum then overwrites or truncates every freed page anyway.
    results += try windowClose(vault: vault, sealer: sealer, plate: plate, vehicle: vehicle, marks: 5000, mode: "ON")
    try vault.setSecureDelete("FAST")
    results += try windowClose(vault: vault, sealer: sealer, plate: plate, vehicle: vehicle, marks: 5000, mode: "FAST")
    try vault.setSecureDelete("ON")

    clock = ContinuousClock.now
    try vault.applyRetention(now: Date().addingTimeInterval(2 * 86400))
    results.append(("vault.retention_seconds_for_\(sightings + single)_marks", elapsed(since: clock), "s"))
    try vault.close()

    if let writer = crashWriterBesideExecutable() {
      let kills = Int(ProcessInfo.processInfo.environment["CHALKLINE_BENCH_KILLS"] ?? "") ?? 600
      let crashState = directory.appendingPathComponent("vault-crash-\(UUID().uuidString.prefix(8))")
      defer {
        try? FileManager.default.removeItem(at: crashState)
        try? FileManager.default.removeItem(atPath: crashState.path + ".journal")
      }
      let report = try VaultCrashHarness(writer: writer, stateDirectory: crashState, logger: logger)
        .run(kills: kills, seed: UInt64(Date().timeIntervalSince1970))
      results.append(("vault.crash_kills", Double(report.kills), "kills"))
      results.append(("vault.crash_kills_while_writing", Double(report.killsWhileWriting), "kills"))
      results.append(("vault.crash_acknowledged_writes_checked", Double(report.acknowledgedWrites), "writes"))
      results.append(("vault.crash_invariant_failures", Double(report.failures.count), "failures"))
      results.append(("vault.crash_seconds", report.seconds, "s"))
      for failure in report.failures {
        logger.error("crash invariant failed", metadata: ["vault.failure": "\(failure)"])
      }
    }
    return results
  }

  /// What closing one chalk window of `marks` marks costs: the transaction that deletes its marks,
  /// evidence, row and key, the incremental vacuum and the truncating checkpoint, in wall and CPU
  /// time and in bytes this process wrote (`wchar` of /proc/self/io: WAL frames, database pages,
  /// secure_delete's zeroes).
  static func windowClose(
    vault: Vault, sealer: EvidenceSealer, plate: Data, vehicle: Data, marks: Int, mode: String
  ) throws -> [(metric: String, value: Double, unit: String)] {
    let id = "bench-close-\(mode.lowercased())"
    let hasher = try vault.plateHasher(for: try ChalkWindow(id: id, expiresAt: Date().addingTimeInterval(86400)))
    for start in stride(from: 0, to: marks, by: 250) {
      try vault.recordChalkMarks(
        try sealBatch(
          count: min(250, marks - start), offset: 500_000 + start, sealer: sealer, hasher: hasher, plate: plate,
          vehicle: vehicle))
    }
    try vault.checkpoint()
    let size = { () -> Double in
      Double(
        (try? FileManager.default.attributesOfItem(
          atPath: vault.stateDirectory.appendingPathComponent(Vault.databaseName).path)[.size] as? Int) ?? 0)
    }
    let fileBefore = size()
    let written = processBytesWritten()
    let clock = ContinuousClock.now
    let cpu = processCPUSeconds()
    let report = try vault.applyRetention(now: Date(timeIntervalSince1970: 0), closing: [id])
    let seconds = elapsed(since: clock)
    let cpuSeconds = processCPUSeconds() - cpu
    let bytes = processBytesWritten().map { after in Double(after - (written ?? after)) } ?? -1
    let prefix = "vault.window_close_secure_delete_\(mode.lowercased())"
    return [
      ("\(prefix)_marks", Double(report.chalkMarksDeleted), "marks"),
      ("\(prefix)_seconds", seconds, "s"),
      ("\(prefix)_cpu_seconds", cpuSeconds, "s"),
      ("\(prefix)_bytes_written", bytes, "B"),
      ("\(prefix)_wal_bytes_truncated", Double(report.walBytesTruncated), "B"),
      ("\(prefix)_pages_vacuumed", Double(report.pagesVacuumed), "pages"),
      ("\(prefix)_file_shrunk_by", fileBefore - size(), "B"),
    ]
  }

  /// Bytes this process passed to write(2) and friends so far (`wchar` in /proc/self/io).
  static func processBytesWritten() -> Int64? {
    guard let text = try? String(contentsOfFile: "/proc/self/io", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix("wchar:") {
      return Int64(line.dropFirst("wchar:".count).trimmingCharacters(in: .whitespaces))
    }
    return nil
  }

  static func sealBatch(
    count: Int, offset: Int, sealer: EvidenceSealer, hasher: PlateHasher, plate: Data, vehicle: Data
  ) throws -> [NewChalkMark] {
    let results = Mutex<[Result<NewChalkMark, any Error>?]>(Array(repeating: nil, count: count))
    DispatchQueue.concurrentPerform(iterations: count) { i in
      let result = Result<NewChalkMark, any Error> {
        let now = Date()
        let capture = EvidenceCapture(
          plateJPEG: plate, vehicleJPEG: vehicle, plateAlternatives: ["BENCH\(offset + i)", "8ENCH\(offset + i)"],
          capturedAt: now)
        let markID = UUID()
        let sealed = try sealer.seal(
          capture, for: CandidatePurpose.allCases.map { hasher.candidateID(mark: markID, for: $0) })
        let mark = ChalkMark(
          id: markID, window: KeyWindowID(hasher.window.id), hashes: hasher.hashes(capture.plateAlternatives),
          zone: ZoneID("bench-zone"), policy: PolicyID("bench-policy"), kind: .timed,
          position: CurbPosition(latitude: 37.3382, longitude: -121.8863, uncertainty: 2.5), firstSeen: now,
          lastSeen: now, evidence: sealed.id)
        return NewChalkMark(mark: mark, evidence: sealed)
      }
      results.withLock { $0[i] = result }
    }
    return try results.withLock { $0 }.map { try $0!.get() }
  }

  /// User plus system CPU time of this process, seconds.
  static func processCPUSeconds() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
  }

  static func elapsed(since start: ContinuousClock.Instant) -> Double { (ContinuousClock.now - start).seconds }

  /// `vault-crash-writer` in the directory of the running executable (SwiftPM's build folder).
  public static func crashWriterBesideExecutable() -> URL? {
    guard let executable = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") else {
      return nil
    }
    let writer = URL(fileURLWithPath: executable).deletingLastPathComponent().appendingPathComponent(
      "vault-crash-writer")
    return FileManager.default.isExecutableFile(atPath: writer.path) ? writer : nil
  }
}
