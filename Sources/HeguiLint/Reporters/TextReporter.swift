import Foundation
import Hegui

/// `--format text`: for people. Location, severity, message and rule, the source line with carets
/// under the match (aligned by display width), the suggested rewrite, the legal or platform basis
/// and the note.
extension LintReport {
  /// The text report of one file (or one piece of it), without the summary.
  static func text(_ file: LintedFile, color: Bool, language: Language = .english) -> String {
    func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    var out = ""
    for error in file.errors {
      out += paint(language.pick("error", "错误"), "1;31") + language.pick(": ", "：")
      out += TerminalSafe.escape(language.describe(error)) + "\n"
    }
    for f in file.findings {
      let severity: String
      switch f.finding.severity {
      case .block: severity = paint("block", "1;31")
      case .review: severity = paint("review", "1;33")
      case .info: severity = paint("info", "1;36")
      }
      out +=
        "\(paint(TerminalSafe.escape(LintReport.location(file, f)), "1"))  \(severity)  \(TerminalSafe.escape(f.finding.message))"
      out += "  [\(TerminalSafe.escape(f.finding.ruleID))]\n"
      if let columns = f.sourceColumns, !f.sourceLine.isEmpty {
        // The excerpt is short (a window around the match), so indexing its characters is cheap.
        let characters = Array(f.sourceLine)
        let before = TerminalSafe.escape(String(characters.prefix(min(columns.lowerBound, characters.count))))
        let matched = TerminalSafe.escape(
          String(characters.dropFirst(columns.lowerBound).prefix(max(1, columns.count))))
        let carets = String(repeating: "^", count: max(1, TextVariants.displayWidth(matched)))
        out += "    \(TerminalSafe.escape(f.sourceLine))\n"
        out += "    \(String(repeating: " ", count: TextVariants.displayWidth(before)))\(paint(carets, "1;32"))\n"
        // A match across caption lines: its part on each later line, under the first.
        if f.endLine > f.line {
          for part in f.finding.match.split(separator: "\n").dropFirst() {
            let shown = TerminalSafe.escape(String(part.hasSuffix("\r") ? part.dropLast() : part))
            out += "    \(shown)\n"
            out += "    \(paint(String(repeating: "^", count: max(1, TextVariants.displayWidth(shown))), "1;32"))\n"
          }
        }
      }
      if !f.finding.suggestions.isEmpty {
        out += "    建议改为: \(TerminalSafe.escape(f.finding.suggestions.joined(separator: " / ")))"
        out += f.finding.fix.map { "（--fix 可自动改为“\(TerminalSafe.escape($0))”）" } ?? ""
        out += "\n"
      }
      if !f.finding.basis.isEmpty {
        out += "    依据: \(TerminalSafe.escape(f.finding.basis.joined(separator: "；")))\n"
      }
      if let note = f.finding.note { out += "    说明: \(TerminalSafe.escape(note))\n" }
    }
    return out
  }
}
