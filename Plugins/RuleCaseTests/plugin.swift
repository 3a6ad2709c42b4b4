import Foundation
import PackagePlugin

/// Generates one Swift Testing function per shipped rule, so `swift test --filter RULE-OR-FAMILY`
/// selects rule cases and adding a rule file adds tests without writing Swift.
@main
struct RuleCaseTests: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
    let root = context.package.directoryURL.appending(path: "Rulesets")
    var inputs: [URL] = []
    if let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) {
      for case let url as URL in enumerator where ["yml", "yaml"].contains(url.pathExtension.lowercased()) {
        inputs.append(url)
      }
    }
    inputs.sort { $0.path < $1.path }
    let output = context.pluginWorkDirectoryURL.appending(path: "GeneratedRuleCases.swift")
    return [
      .buildCommand(
        displayName: "Generating rule case tests from \(inputs.count) ruleset files",
        executable: try context.tool(named: "EmbedRulesetsTool").url,
        arguments: ["--tests", output.path] + inputs.map(\.path),
        inputFiles: inputs + [root],
        outputFiles: [output]
      )
    ]
  }
}
