import Foundation
import Hegui

/// `--format line`: one line per finding, `path:line:column:severity:rule:message`. Control
/// characters anywhere in it (a path, a message) are written visibly: never two lines for one finding.
extension LintReport {
  /// The lines of one file (or one piece of it).
  static func lines(_ file: LintedFile) -> String {
    var out = ""
    for error in file.errors {
      let place = error.location?.description ?? file.path
      out += TerminalSafe.escape("\(place):error:hegui.input:\(error.message)") + "\n"
    }
    for f in file.findings {
      var place = "\(file.path):\(f.line):\(f.column)"
      if let record = f.record { place += ":record=\(record):field=\(f.field ?? "")" }
      out +=
        TerminalSafe.escape("\(place):\(f.finding.severity.rawValue):\(f.finding.ruleID):\(f.finding.message)") + "\n"
    }
    return out
  }
}
