import Foundation
public import Hegui

/// This company's rules: the shipped ones plus the packs in `Rules/`.
public enum DownstreamRules {
  /// The folder holding the company's packs.
  public static let directory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appending(path: "Rules")

  /// The shipped rules with the company's packs added.
  public static func ruleset() throws -> Ruleset {
    try Ruleset.load(directories: [directory], includingShipped: true)
  }
}
