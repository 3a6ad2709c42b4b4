// swift-tools-version: 6.1
import PackageDescription

// Hegui's benchmarks: their own package so that CI (which builds the root package) never builds
// them. Run from the repository root:
//
//   swift run -c release --package-path Benchmarks hegui-bench
//
// `name: "Hegui"` is needed on the path dependency: without it SwiftPM names the dependency after
// the checkout's folder, which is not always `Hegui`.

let swiftSettings: [SwiftSetting] = [
  .enableUpcomingFeature("InternalImportsByDefault"),
  .enableUpcomingFeature("MemberImportVisibility"),
  .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
  name: "HeguiBenchmarks",
  platforms: [.macOS(.v15)],
  products: [
    .executable(name: "hegui-bench", targets: ["HeguiBench"])
  ],
  dependencies: [
    .package(name: "Hegui", path: "..")
  ],
  targets: [
    .executableTarget(
      name: "HeguiBench",
      dependencies: [.product(name: "Hegui", package: "Hegui")],
      swiftSettings: swiftSettings
    )
  ]
)
