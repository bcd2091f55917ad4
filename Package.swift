// swift-tools-version:6.1
// SPDX-License-Identifier: AGPL-3.0-or-later
import PackageDescription

// One set of Swift settings for every target: Swift 6 language mode with strict concurrency.
// MemberImportVisibility: a file sees only the members of modules it imports itself, and a module
// imported but not declared as a dependency fails the build instead of leaking in transitively.
let swiftSettings: [SwiftSetting] = [
  .swiftLanguageMode(.v6),
  .enableUpcomingFeature("MemberImportVisibility"),
]
// Pixel and tensor loops run 10-50x slower unoptimised, and the tests read real photos and replay
// whole patrols in debug builds: these two targets are always optimised.
let optimized: [SwiftSetting] = swiftSettings + [.unsafeFlags(["-O"])]

let package = Package(
  name: "chalkline",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "chalkline", targets: ["chalkline"]),
    .executable(name: "chalkline-v4l2-probe", targets: ["chalkline-v4l2-probe"]),
    .executable(name: "chalkline-hub", targets: ["chalkline-hub"]),
  ],
  dependencies: [
    .package(url: "https://github.com/apple/swift-argument-parser", exact: "1.8.2"),
    .package(url: "https://github.com/apple/swift-log", exact: "1.16.2"),
    .package(url: "https://github.com/jpsim/Yams", exact: "6.2.2"),
    .package(url: "https://github.com/apple/swift-crypto", exact: "4.5.2"),
    .package(url: "https://github.com/groue/GRDB.swift", exact: "7.10.0"),
    .package(url: "https://github.com/hummingbird-project/hummingbird", exact: "2.28.1"),
    .package(url: "https://github.com/swift-server/async-http-client", exact: "1.37.0"),
    .package(url: "https://github.com/apple/swift-nio", exact: "2.101.3"),
    .package(url: "https://github.com/apple/swift-nio-ssl", exact: "2.37.6"),
    .package(url: "https://github.com/swift-server/swift-prometheus", exact: "2.4.1"),
    .package(url: "https://github.com/hummingbird-project/hummingbird-auth", exact: "2.5.0"),
    .package(url: "https://github.com/HdrHistogram/hdrhistogram-swift", exact: "0.2.0"),
    .package(url: "https://github.com/swift-server/swift-service-lifecycle", exact: "2.13.0"),
    .package(url: "https://github.com/hummingbird-project/swift-mustache", exact: "2.1.1"),
    .package(url: "https://github.com/apple/swift-collections", exact: "1.6.0"),
    .package(url: "https://github.com/apple/swift-metrics", exact: "2.13.0"),
    .package(url: "https://github.com/apple/swift-http-types", exact: "1.8.0"),
  ],
  targets: [
    // MARK: - C shims

    .systemLibrary(name: "CV4L2", pkgConfig: "libv4l2", providers: [.apt(["libv4l-dev"])]),
    .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
    .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
    .systemLibrary(name: "CGPS", pkgConfig: "libgps", providers: [.apt(["libgps-dev"])]),
    .systemLibrary(name: "CProcess"),

    // MARK: - The shared vocabulary

    .target(name: "ChalklineModel", swiftSettings: swiftSettings),

    // MARK: - Imaging, capture, reading

    .target(name: "Imaging", dependencies: ["CTurboJPEG", "ChalklineModel"], swiftSettings: optimized),
    .target(
      name: "Capture",
      dependencies: ["CV4L2", "ChalklineModel", .product(name: "Logging", package: "swift-log")],
      swiftSettings: swiftSettings
    ),
    // The frame-dump format: dump.json, frames.jsonl, the frame files and gps.jsonl (written
    // here; read as gpsd JSON by Positioning's GPSDLog).
    .target(
      name: "Dump",
      dependencies: ["Capture", "ChalklineModel", .product(name: "Logging", package: "swift-log")],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "Positioning",
      dependencies: ["CGPS", "ChalklineModel", .product(name: "Logging", package: "swift-log")],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "PlateReading",
      dependencies: ["Imaging", "CBLAS", "ChalklineModel", .product(name: "Logging", package: "swift-log")],
      resources: [.copy("Resources")],
      swiftSettings: optimized
    ),

    // MARK: - Enforcement, the wire and the vault

    .target(
      name: "Enforcement",
      dependencies: ["ChalklineModel", .product(name: "Logging", package: "swift-log")],
      swiftSettings: swiftSettings
    ),
    // The upstream protocol's types, shared by the vehicle and the hub: the signed manifest,
    // candidates and aggregates on the wire, signed documents, the permits document, audit
    // checkpoints, and evidence sealing and opening.
    .target(
      name: "Wire",
      dependencies: ["ChalklineModel", .product(name: "Crypto", package: "swift-crypto")],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "Vault",
      dependencies: [
        "ChalklineModel", "Wire",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),

    // MARK: - Uplink and the reference hub

    .target(
      name: "Uplink",
      dependencies: [
        "ChalklineModel", "Wire",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
      ],
      swiftSettings: swiftSettings
    ),
    // Running an HTTP server so that cancelling it shuts it down gracefully (the hub's listeners,
    // the agent's metrics endpoint).
    .target(
      name: "ServerSupport",
      dependencies: [
        .product(name: "Logging", package: "swift-log"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
      ],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "HubOversight",
      dependencies: [
        "ChalklineModel",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "Hub",
      dependencies: [
        "ChalklineModel", "Enforcement", "HubOversight", "ServerSupport", "Wire",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "HTTPTypes", package: "swift-http-types"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "HummingbirdAuth", package: "hummingbird-auth"),
        .product(name: "Mustache", package: "swift-mustache"),
        .product(name: "HummingbirdTLS", package: "hummingbird"),
        .product(name: "NIOSSL", package: "swift-nio-ssl"),
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "_CryptoExtras", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),

    // MARK: - Agent

    .target(
      name: "Agent",
      dependencies: [
        "CProcess", "Capture", "ChalklineModel", "Dump", "Enforcement", "Imaging", "PlateReading", "Positioning",
        "ServerSupport", "Uplink", "Vault", "Wire",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Prometheus", package: "swift-prometheus"),
        .product(name: "Histogram", package: "hdrhistogram-swift"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "DequeModule", package: "swift-collections"),
        .product(name: "CoreMetrics", package: "swift-metrics"),
        .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        .product(name: "Yams", package: "Yams"),
      ],
      swiftSettings: swiftSettings
    ),

    // MARK: - Benchmarks and development tools (never linked into the agent's libraries or the hub's)

    .target(
      name: "ChalklineBench",
      dependencies: [
        "Agent", "Capture", "ChalklineModel", "ChalklineTestKit", "Enforcement", "Imaging", "PlateReading",
        "Positioning", "Vault", "Wire",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "HubDevTools",
      dependencies: [
        // Uplink only for UplinkBenchmark, which syncs the real client with a loopback hub.
        "ChalklineModel", "Hub", "HubOversight", "Uplink", "Wire",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),

    // MARK: - Commands

    .executableTarget(
      name: "chalkline",
      dependencies: [
        "Agent", "Capture", "ChalklineBench", "ChalklineModel", "Dump", "Enforcement", "Imaging", "PlateReading",
        "Positioning", "Vault", "Wire",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "UnixSignals", package: "swift-service-lifecycle"),
        .product(name: "CoreMetrics", package: "swift-metrics"),
      ],
      swiftSettings: swiftSettings
    ),
    // Runs inside the V4L2 test VM; its closure stays small so its static release build is cheap.
    .executableTarget(
      name: "chalkline-v4l2-probe",
      dependencies: ["CV4L2", "Capture", "ChalklineModel", "Dump", .product(name: "Logging", package: "swift-log")],
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "chalkline-hub",
      dependencies: [
        "ChalklineModel", "Enforcement", "Hub", "HubDevTools", "HubOversight", "Wire",
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
    // The process the vault's crash harness kills at random instants.
    .executableTarget(
      name: "vault-crash-writer",
      dependencies: ["ChalklineBench", "ChalklineModel", "Vault", .product(name: "Logging", package: "swift-log")],
      swiftSettings: swiftSettings
    ),

    // MARK: - Test support

    .target(
      name: "ChalklineTestKit",
      dependencies: ["ChalklineModel"],
      swiftSettings: swiftSettings
    ),

    // What each fuzz target runs on one input: the product's own parsers of outside input. The
    // regression tests run it on the seed corpus in the normal build; `make fuzz` links it into
    // libFuzzer (below).
    .target(
      name: "ChalklineFuzz",
      dependencies: [
        "Agent", "Capture", "ChalklineModel", "Dump", "Enforcement", "Hub", "Imaging", "Positioning", "Wire",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
      ],
      path: "Fuzz/ChalklineFuzz",
      swiftSettings: swiftSettings
    ),

    // MARK: - Tests

    .testTarget(
      name: "AgentTests",
      dependencies: [
        "Agent", "Capture", "ChalklineBench", "ChalklineModel", "ChalklineTestKit", "Dump", "Enforcement", "Hub",
        "HubDevTools", "Imaging", "PlateReading", "Positioning", "Uplink", "Vault", "Wire",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "InMemoryLogging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(name: "ImagingTests", dependencies: ["Imaging", "ChalklineTestKit"], swiftSettings: swiftSettings),
    .testTarget(
      name: "CaptureTests",
      dependencies: [
        "Capture", "ChalklineModel", "ChalklineTestKit", "Dump", "Positioning",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "PlateReadingTests",
      dependencies: [
        "PlateReading", "ChalklineBench", "ChalklineModel", "ChalklineTestKit", "Imaging",
        .product(name: "Logging", package: "swift-log"),
        .product(name: "InMemoryLogging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "EnforcementTests",
      dependencies: [
        "ChalklineBench", "ChalklineModel", "Enforcement", .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(name: "ChalklineModelTests", dependencies: ["ChalklineModel"], swiftSettings: swiftSettings),
    .testTarget(
      name: "PositioningTests",
      dependencies: [
        "Positioning", "ChalklineBench", "ChalklineModel", "ChalklineTestKit",
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "UplinkTests",
      dependencies: [
        "Agent", "Uplink", "Hub", "HubDevTools", "ChalklineModel", "Vault", "ChalklineTestKit", "Wire",
        .product(name: "Hummingbird", package: "hummingbird"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "HubOversightTests",
      dependencies: [
        "Hub", "HubDevTools", "ChalklineModel", "HubOversight", "ChalklineTestKit", "Wire",
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Logging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "HubTests",
      dependencies: [
        "Hub", "HubDevTools", "ChalklineModel", "HubOversight", "Uplink", "ChalklineTestKit", "Vault", "Wire",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "FuzzTests",
      dependencies: [
        "Agent", "ChalklineFuzz", "ChalklineModel", "Capture", "Dump", "Hub", "Imaging", "Positioning", "Wire",
      ],
      path: "Fuzz/Tests",
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "WireTests",
      dependencies: ["Wire", "ChalklineModel", .product(name: "Crypto", package: "swift-crypto")],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "VaultTests",
      dependencies: [
        "Vault", "ChalklineBench", "ChalklineModel", "vault-crash-writer", "ChalklineTestKit", "Wire",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "GRDB", package: "GRDB.swift"),
        .product(name: "Logging", package: "swift-log"),
        .product(name: "InMemoryLogging", package: "swift-log"),
      ],
      swiftSettings: swiftSettings
    ),
  ]
)

// MARK: - Fuzzing

// `make fuzz` builds in its own build directory with CHALKLINE_FUZZ_RUNTIME naming clang's
// libFuzzer without its `main` (SwiftPM renames an executable's entry point, so the driver is
// called from `chalkline-fuzz`'s own main). The project's modules get coverage instrumentation and
// AddressSanitizer; dependencies stay as they are. Normal builds never see this target.
if let fuzzRuntime = Context.environment["CHALKLINE_FUZZ_RUNTIME"] {
  let instrumented: [SwiftSetting] = [.unsafeFlags(["-sanitize=fuzzer,address"])]
  let external = ["CV4L2", "CTurboJPEG", "CBLAS", "CGPS", "CProcess"]
  for target in package.targets where !external.contains(target.name) && target.type == .regular {
    target.swiftSettings = (target.swiftSettings ?? []) + instrumented
  }
  package.targets += [
    .systemLibrary(name: "CLibFuzzer", path: "Fuzz/CLibFuzzer"),
    .executableTarget(
      name: "chalkline-fuzz",
      dependencies: ["ChalklineFuzz", "CLibFuzzer"],
      path: "Fuzz/chalkline-fuzz",
      swiftSettings: swiftSettings + instrumented,
      linkerSettings: [.unsafeFlags(["-sanitize=address", "-Xlinker", fuzzRuntime, "-lstdc++"])]
    ),
  ]
  package.products.append(.executable(name: "chalkline-fuzz", targets: ["chalkline-fuzz"]))
}
