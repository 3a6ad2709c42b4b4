// swift-tools-version: 6.1
import PackageDescription

// Hegui's libFuzzer targets: their own package, like Benchmarks/, so that CI (which builds the
// root package) never builds them. Build and run them with `Fuzz/run.sh` (Fuzz/README.md), which
// adds ASan and coverage instrumentation for the dependencies:
//
//   Fuzz/run.sh checker 600
//
// `name: "Hegui"` is needed on the path dependency: without it SwiftPM names the dependency after
// the checkout's folder, which is not always `Hegui`.

// Each target is a libFuzzer harness: `-sanitize=fuzzer` instruments it and links libFuzzer, and
// its `@main` hands `LLVMFuzzerTestOneInput` to libFuzzer's driver (`FuzzSupport`). The flags are
// set here, not on the command line, because `-Xswiftc` and `--sanitize fuzzer` also reach the
// root package's build-tool plugin (EmbedRulesetsTool), which must stay a normal executable.
let swiftSettings: [SwiftSetting] = [
  .enableUpcomingFeature("InternalImportsByDefault"),
  .enableUpcomingFeature("MemberImportVisibility"),
  .enableUpcomingFeature("ExistentialAny"),
  .unsafeFlags(["-sanitize=fuzzer", "-parse-as-library"]),
]
let linkerSettings: [LinkerSetting] = [.unsafeFlags(["-sanitize=fuzzer"])]

let package = Package(
  name: "HeguiFuzz",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "fuzz-checker", targets: ["FuzzChecker"]),
    .executable(name: "fuzz-ruleset-loader", targets: ["FuzzRulesetLoader"]),
    .executable(name: "fuzz-listing-parser", targets: ["FuzzListingParser"]),
  ],
  dependencies: [
    .package(name: "Hegui", path: "..")
  ],
  targets: [
    .target(name: "CLibFuzzer"),
    .target(
      name: "FuzzSupport",
      dependencies: ["CLibFuzzer", .product(name: "Hegui", package: "Hegui")],
      swiftSettings: swiftSettings
    ),
    .executableTarget(
      name: "FuzzChecker",
      dependencies: ["FuzzSupport", .product(name: "Hegui", package: "Hegui")],
      swiftSettings: swiftSettings,
      linkerSettings: linkerSettings
    ),
    .executableTarget(
      name: "FuzzRulesetLoader",
      dependencies: ["FuzzSupport", .product(name: "Hegui", package: "Hegui")],
      swiftSettings: swiftSettings,
      linkerSettings: linkerSettings
    ),
    .executableTarget(
      name: "FuzzListingParser",
      dependencies: [
        "FuzzSupport",
        .product(name: "Hegui", package: "Hegui"),
        .product(name: "HeguiLint", package: "Hegui"),
      ],
      swiftSettings: swiftSettings,
      linkerSettings: linkerSettings
    ),
  ]
)
