// swift-tools-version:6.1
// SPDX-License-Identifier: AGPL-3.0-or-later
import PackageDescription

// One set of Swift settings for every target: Swift 6 language mode with strict concurrency.
let swiftSettings: [SwiftSetting] = [
  .swiftLanguageMode(.v6)
]

let package = Package(
  name: "chalkline",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "chalkline", targets: ["chalkline"])
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
    .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
  ],
  targets: [
    // MARK: - Agent

    .target(
      name: "Agent",
      dependencies: [
        .product(name: "Logging", package: "swift-log"),
        .product(name: "Yams", package: "Yams"),
      ],
      swiftSettings: swiftSettings
    ),

    // MARK: - Commands

    .executableTarget(
      name: "chalkline",
      dependencies: [
        "Agent",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),

    // MARK: - Test support

    .target(
      name: "ChalklineTestKit",
      dependencies: [],
      swiftSettings: swiftSettings
    ),

    // MARK: - Tests

    .testTarget(
      name: "AgentTests",
      dependencies: [
        "Agent", "ChalklineTestKit",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
  ]
)
