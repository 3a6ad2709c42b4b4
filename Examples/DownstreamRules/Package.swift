// swift-tools-version: 6.1
// A company's own rules, kept in its own package and tested with Hegui's runner.
import PackageDescription

let package = Package(
  name: "DownstreamRules",
  platforms: [.macOS(.v14)],
  products: [.library(name: "DownstreamRules", targets: ["DownstreamRules"])],
  dependencies: [.package(name: "Hegui", path: "../..")],
  targets: [
    .target(name: "DownstreamRules", dependencies: [.product(name: "Hegui", package: "Hegui")]),
    .testTarget(
      name: "DownstreamRulesTests",
      dependencies: ["DownstreamRules", .product(name: "HeguiTesting", package: "Hegui")]
    ),
  ]
)
