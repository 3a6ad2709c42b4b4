import Foundation
public import Hegui

/// Output formats of `hegui lint`.
public enum LintFormat: String, Sendable, CaseIterable {
  /// For people: location, severity, message, the source line with carets, the rewrite.
  case text
  /// One line per finding: `path:line:column:severity:rule:message`.
  case line
  /// A versioned JSON envelope with sorted keys.
  case json
  /// SARIF 2.1.0 for GitHub code scanning.
  case sarif
  /// GitHub Actions workflow-command annotations.
  case github
}

/// Renders lint results.
public struct LintReport: Sendable {
  /// The files, in order.
  public var files: [LintedFile]
  /// The rules that ran (for SARIF rule metadata).
  public var ruleset: Ruleset
  /// Hegui's version, for tool metadata.
  public var toolVersion: String

  /// Creates a report.
  public init(files: [LintedFile], ruleset: Ruleset, toolVersion: String) {
    self.files = files
    self.ruleset = ruleset
    self.toolVersion = toolVersion
  }

  /// Counts by severity.
  public var counts: [Severity: Int] {
    var counts: [Severity: Int] = [.block: 0, .review: 0, .info: 0]
    for file in files { for f in file.findings { counts[f.finding.severity, default: 0] += 1 } }
    return counts
  }

  /// Number of input errors.
  public var errorCount: Int { files.reduce(0) { $0 + $1.errors.count } }

  /// The one-line summary.
  public var summary: String {
    let c = counts
    let total = c.values.reduce(0, +)
    var text = "\(total) finding\(total == 1 ? "" : "s") (\(c[.block] ?? 0) block, \(c[.review] ?? 0) review, \(c[.info] ?? 0) info) in \(files.count) file\(files.count == 1 ? "" : "s")"
    if errorCount > 0 { text += "; \(errorCount) input error\(errorCount == 1 ? "" : "s")" }
    return text
  }

  /// Renders in `format`.
  public func render(_ format: LintFormat, color: Bool = false) -> String {
    switch format {
    case .text: return renderText(color: color)
    case .line: return renderLines()
    case .json: return renderJSON()
    case .sarif: return renderSARIF()
    case .github: return renderGitHub()
    }
  }

  func location(_ file: LintedFile, _ f: LintFinding) -> String {
    var text = "\(file.path):\(f.line):\(f.column)"
    if let record = f.record {
      text += " [record \(record)\(f.recordID.map { " id=\($0)" } ?? ""), \(f.field ?? "")]"
    }
    return text
  }
}
