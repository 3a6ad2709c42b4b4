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
  /// JSON Lines: one object per finding and per input error, written as files are checked.
  case jsonl
  /// One self-contained HTML page: counts by rule and severity, each text with its findings
  /// highlighted on their exact spans.
  case html

  /// Whether the report is written as files are checked (else once, at the end).
  public var streams: Bool {
    switch self {
    case .text, .line, .github, .jsonl: true
    case .json, .sarif, .html: false
    }
  }
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
  public var counts: [Severity: Int] { tally.counts }

  /// Number of input errors.
  public var errorCount: Int { tally.errors }

  /// The one-line summary.
  public var summary: String { tally.summary }

  var tally: Tally {
    var tally = Tally()
    for file in files {
      tally.add(file)
      tally.files += 1
    }
    return tally
  }

  /// Renders in `format`.
  public func render(_ format: LintFormat, color: Bool = false) -> String {
    var out = ""
    let writer = ReportWriter(format: format, ruleset: ruleset, toolVersion: toolVersion, color: color) { out += $0 }
    for file in files { writer.add(file: file) }
    writer.finish()
    return out
  }

  static func location(_ file: LintedFile, _ f: LintFinding) -> String {
    var text = "\(file.path):\(f.line):\(f.column)"
    // A match across lines (a claim spoken over two caption lines) names where it ends.
    if f.endLine > f.line { text += "-\(f.endLine):\(f.endColumn)" }
    if let record = f.record {
      text += " [record \(record)\(f.recordID.map { " id=\($0)" } ?? ""), \(f.field ?? "")]"
    }
    return text
  }
}
