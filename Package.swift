// swift-tools-version: 6.1
import PackageDescription

let swiftSettings: [SwiftSetting] = [
  .enableUpcomingFeature("InternalImportsByDefault"),
  .enableUpcomingFeature("MemberImportVisibility"),
  .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
  name: "Hegui",
  platforms: [.macOS(.v14)],
  products: [
    .library(name: "Hegui", targets: ["Hegui"]),
    .library(name: "HeguiLint", targets: ["HeguiLint"]),
    .library(name: "HeguiTesting", targets: ["HeguiTesting"]),
    .library(name: "HeguiTencentCloud", targets: ["HeguiTencentCloud"]),
    .library(name: "HeguiReviewQueue", targets: ["HeguiReviewQueue"]),
    .executable(name: "hegui", targets: ["HeguiCLI"]),
  ],
  // Optional weight is optional: `swift build --product hegui --disable-default-traits` builds a
  // lint-only `hegui` with no SQLite, no HTTP and no TLS or crypto stack.
  traits: [
    .trait(name: "ReviewQueue", description: "`hegui moderate`'s review stage and `hegui review` (SQLite via GRDB)."),
    .trait(name: "TencentCloud", description: "The Tencent Cloud TMS stage (async-http-client, swift-crypto)."),
    .default(enabledTraits: ["ReviewQueue", "TencentCloud"]),
  ],
  dependencies: [
    .package(url: "https://github.com/jpsim/Yams.git", exact: "6.2.2"),
    .package(url: "https://github.com/apple/swift-argument-parser.git", exact: "1.8.2"),
    .package(url: "https://github.com/groue/GRDB.swift.git", exact: "7.10.0"),
    .package(url: "https://github.com/swift-server/async-http-client.git", exact: "1.37.0"),
    .package(url: "https://github.com/apple/swift-crypto.git", exact: "3.12.3"),
    .package(url: "https://github.com/apple/swift-nio.git", exact: "2.101.3"),
    .package(url: "https://github.com/swiftlang/swift-docc-plugin.git", exact: "1.5.0"),
  ],
  targets: [
    .systemLibrary(
      name: "CICU",
      pkgConfig: "icu-i18n",
      providers: [.apt(["libicu-dev"])]
    ),
    .target(name: "CICUShims", dependencies: ["CICU"]),
    .systemLibrary(
      name: "CPCRE2",
      pkgConfig: "libpcre2-8",
      providers: [.apt(["libpcre2-dev"])]
    ),
    .systemLibrary(
      name: "CZlib",
      pkgConfig: "zlib",
      providers: [.apt(["zlib1g-dev"])]
    ),
    .executableTarget(
      name: "EmbedRulesetsTool",
      swiftSettings: swiftSettings
    ),
    .plugin(
      name: "EmbedRulesets",
      capability: .buildTool(),
      dependencies: ["EmbedRulesetsTool"]
    ),
    .plugin(
      name: "RuleCaseTests",
      capability: .buildTool(),
      dependencies: ["EmbedRulesetsTool"]
    ),
    .target(
      name: "Hegui",
      dependencies: ["CICUShims", "CPCRE2", .product(name: "Yams", package: "Yams")],
      swiftSettings: swiftSettings,
      plugins: ["EmbedRulesets"]
    ),
    .target(
      name: "HeguiLint",
      dependencies: ["Hegui", "CZlib", .product(name: "Yams", package: "Yams")],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "HeguiTesting",
      dependencies: ["Hegui", .product(name: "Yams", package: "Yams")],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "HeguiCLITestSupport",
      path: "Tests/HeguiCLITestSupport",
      swiftSettings: swiftSettings
    ),
    .target(
      name: "HeguiTencentCloud",
      dependencies: [
        "Hegui",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "HeguiTencentCloudTestSupport",
      dependencies: [
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "NIOConcurrencyHelpers", package: "swift-nio"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
        .product(name: "NIOPosix", package: "swift-nio"),
      ],
      swiftSettings: swiftSettings
    ),
    .target(
      name: "HeguiReviewQueue",
      dependencies: [
        "Hegui",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "GRDB", package: "GRDB.swift"),
      ],
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "HeguiCLI",
      dependencies: [
        "Hegui", "HeguiLint", "HeguiTesting",
        .target(name: "HeguiReviewQueue", condition: .when(traits: ["ReviewQueue"])),
        .target(name: "HeguiTencentCloud", condition: .when(traits: ["TencentCloud"])),
        .product(name: "ArgumentParser", package: "swift-argument-parser"),
      ],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "HeguiTests",
      dependencies: ["Hegui"],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "HeguiReviewQueueTests",
      dependencies: [
        "Hegui", "HeguiReviewQueue", "HeguiCLITestSupport",
        .product(name: "Crypto", package: "swift-crypto"),
        .product(name: "GRDB", package: "GRDB.swift"),
      ],
      // Queue files an older Hegui wrote; the tests copy them by path, never as a bundle resource.
      exclude: ["Fixtures"],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "HeguiTestingTests",
      dependencies: ["Hegui", "HeguiTesting"],
      swiftSettings: swiftSettings,
      plugins: ["RuleCaseTests"]
    ),
    .testTarget(
      name: "HeguiLintTests",
      dependencies: ["Hegui", "HeguiLint"],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "HeguiCLITests",
      dependencies: ["Hegui", "HeguiCLITestSupport"],
      swiftSettings: swiftSettings
    ),
    .testTarget(
      name: "HeguiTencentCloudTests",
      dependencies: [
        "Hegui", "HeguiReviewQueue", "HeguiTencentCloud", "HeguiTencentCloudTestSupport", "HeguiCLITestSupport",
        .product(name: "AsyncHTTPClient", package: "async-http-client"),
        .product(name: "NIOCore", package: "swift-nio"),
        .product(name: "NIOHTTP1", package: "swift-nio"),
      ],
      swiftSettings: swiftSettings
    ),
  ]
)
