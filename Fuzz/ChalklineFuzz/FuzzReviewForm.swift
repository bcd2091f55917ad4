// SPDX-License-Identifier: AGPL-3.0-or-later

import ChalklineModel
import Foundation

@testable import Hub

/// The review pages' form bodies, as the review server reads every POST.
enum FuzzReviewForm {
  static func run(_ input: Data) {
    let form = ReviewServer.formFields(body: String(decoding: input, as: UTF8.self))
    _ = try? ReviewServer.action(form)
    _ = ReviewExportFormat(rawValue: form["format"] ?? "csv")
    _ = form["since"].flatMap { $0.isEmpty ? nil : UTCTime.parse($0 + "T00:00:00Z") }.map(UTCTime.format)
    _ = String((form["purpose"] ?? "").prefix(128))
  }
}
