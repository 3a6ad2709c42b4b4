import Foundation
import Hegui

/// `--format text`: for people. Location, severity, message and rule, the source line with carets
/// under the match (aligned by display width), the suggested rewrite and the note.
extension LintReport {
  func renderText(color: Bool) -> String {
    func paint(_ s: String, _ code: String) -> String { color ? "\u{1B}[\(code)m\(s)\u{1B}[0m" : s }
    var out = ""
    for file in files {
      for error in file.errors { out += paint("error", "1;31") + ": \(error)\n" }
      for f in file.findings {
        let severity: String
        switch f.finding.severity {
        case .block: severity = paint("block", "1;31")
        case .review: severity = paint("review", "1;33")
        case .info: severity = paint("info", "1;36")
        }
        out += "\(paint(location(file, f), "1"))  \(severity)  \(f.finding.message)  [\(f.finding.ruleID)]\n"
        if let columns = f.sourceColumns, !f.sourceLine.isEmpty {
          let characters = Array(f.sourceLine)
          let before = String(characters.prefix(min(columns.lowerBound, characters.count)))
          let matched = String(characters.dropFirst(columns.lowerBound).prefix(max(1, columns.count)))
          out += "    \(f.sourceLine)\n"
          out += "    \(String(repeating: " ", count: TextVariants.displayWidth(before)))\(paint(String(repeating: "^", count: max(1, TextVariants.displayWidth(matched))), "1;32"))\n"
        }
        if !f.finding.suggestions.isEmpty {
          out += "    建议改为: \(f.finding.suggestions.joined(separator: " / "))\n"
        }
        if let note = f.finding.note { out += "    说明: \(note)\n" }
      }
    }
    out += summary + "\n"
    return out
  }
}
