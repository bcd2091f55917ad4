// SPDX-License-Identifier: AGPL-3.0-or-later
import Foundation

/// The models shipped as resources of this module (written by tools/train, see MODEL.md).
public enum PlateModels {
  /// The folder holding `detector.*` and `recognizer.*` inside the module's resource bundle.
  public static var resourceDirectory: URL {
    // Foundation on Linux reports the bundle's `Resources` folder itself as `resourceURL`, on
    // Darwin the folder above it; the copied folder is named `Resources` in both cases.
    let fm = FileManager.default
    let base = Bundle.module.resourceURL ?? Bundle.module.bundleURL
    for dir in [base, base.appendingPathComponent("Resources")]
    where fm.fileExists(atPath: dir.appendingPathComponent("detector.json").path) {
      return dir
    }
    return base
  }

  /// Loads the shipped plate detector.
  public static func detectorNetwork() throws(PlateReadingError) -> NeuralNetwork {
    try NeuralNetwork(directory: resourceDirectory, name: "detector")
  }

  /// Loads the shipped plate recognizer.
  public static func recognizerNetwork() throws(PlateReadingError) -> NeuralNetwork {
    try NeuralNetwork(directory: resourceDirectory, name: "recognizer")
  }

  /// Loads the shipped plate layout prior (`layouts.json`).
  public static func layoutPrior() throws(PlateReadingError) -> LayoutPrior {
    try LayoutPrior.load(directory: resourceDirectory)
  }
}
