// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Enforcement
import Foundation
import Hub

/// A permit office's CSV export, as `permits import` reads and summarises it.
enum FuzzPermits {
  static func run(_ input: Data) {
    do {
      let list = try PermitList.parse(input, file: "permits.csv")
      _ = list.counts(on: CivilDate(year: 2026, month: 3, day: 2))
    } catch let error as FileRefusal {
      if error.problems.isEmpty { contractBroken("a refused permit list lists no problem") }
    } catch {
      contractBroken("PermitList.parse threw \(type(of: error)), not a FileRefusal")
    }
  }
}
