import Foundation
import PackagePlugin

/// Compiles the shipped `Rulesets/` folder into the library as Swift source.
///
/// Resource bundles are not used on purpose: on Linux a bundle accessor falls back to an absolute
/// build path and traps once the binary is copied elsewhere (see DESIGN.md). Known SwiftPM wart:
/// deleting a ruleset file breaks incremental builds until `Package.swift` is touched or `.build`
/// is removed.
@main
struct EmbedRulesets: BuildToolPlugin {
  func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
    let root = context.package.directoryURL.appending(path: "Rulesets")
    var inputs: [URL] = []
    if let enumerator = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil) {
      for case let url as URL in enumerator {
        let ext = url.pathExtension.lowercased()
        // Corpus and bulk case files are tests, read from disk by `hegui rules test`; not shipped.
        let folders = url.deletingLastPathComponent().pathComponents.dropFirst(root.pathComponents.count)
        if folders.contains("corpus") || folders.contains("tests") { continue }
        if ["yml", "yaml", "txt"].contains(ext) { inputs.append(url) }
      }
    }
    inputs.sort { $0.path < $1.path }
    let output = context.pluginWorkDirectoryURL.appending(path: "EmbeddedRulesets.swift")
    return [
      .buildCommand(
        displayName: "Embedding \(inputs.count) ruleset files",
        executable: try context.tool(named: "EmbedRulesetsTool").url,
        arguments: [output.path, root.path] + inputs.map(\.path),
        inputFiles: inputs + [root],
        outputFiles: [output]
      )
    ]
  }
}
