import Foundation
import Hegui

/// `--format github`: GitHub Actions workflow commands, escaped as GitHub specifies.
extension LintReport {
  static func escapeMessage(_ s: String) -> String {
    s.replacingOccurrences(of: "%", with: "%25").replacingOccurrences(of: "\r", with: "%0D")
      .replacingOccurrences(of: "\n", with: "%0A")
  }

  static func escapeProperty(_ s: String) -> String {
    escapeMessage(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
  }

  /// GitHub shows at most 10 annotations of each level per step; beyond that it drops them
  /// silently. So after 10 of a level, one notice says how many more there are and where.
  static let annotationLimit = 10

  /// How many annotations of each level were written and left out so far.
  struct GitHubState {
    var emitted: [String: Int] = [:]
    var dropped: [String: Int] = [:]
  }

  /// The annotations of one file (or one piece of it).
  static func github(_ file: LintedFile, state: inout GitHubState) -> String {
    var out = ""
    for error in file.errors {
      out +=
        "::error file=\(LintReport.escapeProperty(file.path))\(error.location?.line.map { ",line=\($0)" } ?? ""),title=hegui::\(LintReport.escapeMessage(TerminalSafe.escape(error.message)))\n"
    }
    for f in file.findings {
      let level: String
      switch f.finding.severity {
      case .block: level = "error"
      case .review: level = "warning"
      case .info: level = "notice"
      }
      if state.emitted[level, default: 0] >= LintReport.annotationLimit {
        state.dropped[level, default: 0] += 1
        continue
      }
      state.emitted[level, default: 0] += 1
      var properties = "file=\(LintReport.escapeProperty(file.path)),line=\(f.line),endLine=\(f.endLine)"
      if f.record == nil && f.finding.span != nil { properties += ",col=\(f.column),endColumn=\(f.endColumn)" }
      properties += ",title=\(LintReport.escapeProperty(f.finding.ruleID))"
      // Input text (the match) is shown, never obeyed: its controls are written visibly before
      // GitHub's own escaping, so neither a line break nor `::` can start a workflow command.
      var message = TerminalSafe.escape(f.finding.message)
      if !f.finding.match.isEmpty { message = "“\(TerminalSafe.escape(f.finding.match))” " + message }
      if !f.finding.suggestions.isEmpty {
        message += "\n建议改为: " + TerminalSafe.escape(f.finding.suggestions.joined(separator: " / "))
      }
      out += "::\(level) \(properties)::\(LintReport.escapeMessage(message))\n"
    }
    return out
  }

  /// The notices about annotations left out, after the last file.
  static func githubTrailer(_ state: GitHubState) -> String {
    var out = ""
    for level in ["error", "warning", "notice"] {
      if let count = state.dropped[level], count > 0 {
        out +=
          "::notice title=hegui::\(count) more \(level) annotation\(count == 1 ? "" : "s") not shown (GitHub shows \(LintReport.annotationLimit) per step). Run `hegui lint --format sarif` and upload it to code scanning to see every finding.\n"
      }
    }
    return out
  }
}
