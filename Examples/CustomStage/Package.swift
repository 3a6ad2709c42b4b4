// swift-tools-version: 6.1
// A third-party stage for Hegui's risk-escalation pipeline, kept in its own package: Hegui's code
// is not touched, the stage type is registered at run time.
import PackageDescription

let swiftSettings: [SwiftSetting] = [
  .enableUpcomingFeature("InternalImportsByDefault"),
  .enableUpcomingFeature("MemberImportVisibility"),
  .enableUpcomingFeature("ExistentialAny"),
]

let package = Package(
  name: "CustomStage",
  platforms: [.macOS(.v14)],
  products: [
    .library(name: "KeywordModel", targets: ["KeywordModel"]),
    .executable(name: "custom-moderate", targets: ["custom-moderate"]),
  ],
  dependencies: [.package(name: "Hegui", path: "../..")],
  targets: [
    .target(
      name: "KeywordModel", dependencies: [.product(name: "Hegui", package: "Hegui")], swiftSettings: swiftSettings),
    .executableTarget(
      name: "custom-moderate",
      dependencies: ["KeywordModel", .product(name: "Hegui", package: "Hegui")],
      swiftSettings: swiftSettings
    ),
  ]
)
