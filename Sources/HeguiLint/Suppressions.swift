import Foundation
import Hegui

/// Inline suppression in scripts, on a line of its own that nobody would read aloud:
///
///     #! hegui disable-next-line adlaw.absolute.first -- 口播为历史数据，法务已确认
///
/// The reason after `--` is required. Several ids may be given (spaces or commas); families
/// (`adlaw.absolute`) are accepted. The directive covers the next line that is not itself a
/// directive. Rules marked `suppressible: false` keep their findings and the attempt is
/// reported; a directive that suppresses nothing is reported too.
package enum Suppressions {
  struct Failure {
    var message: String
    var line: Int
  }

  /// Meta rule ids of the findings this produces.
  static let notSuppressibleID = "hegui.suppression.not-suppressible"
  static let unusedID = "hegui.suppression.unused"
  static let missingReasonID = "hegui.suppression.missing-reason"

  private struct Directive {
    var line: Int
    var target: Int
    var ruleIDs: Set<String>
    var text: String
    var used = false
  }

  static func isDirective(_ line: Substring) -> Bool {
    line.drop { $0 == " " || $0 == "\t" || $0 == "\u{3000}" }.hasPrefix("#!")
  }

  /// Whether a line is a complete hegui directive — `#! hegui disable-next-line ID… -- reason`
  /// — and so is not spoken and not checked itself. Any other line that starts with `#!` is
  /// text like the rest: a prefix must not hide a violation.
  static func isWellFormed(_ line: String) -> Bool {
    guard isDirective(line[...]) else { return false }
    if category(in: line) != nil { return true }
    let body = line.drop { $0 == " " || $0 == "\t" || $0 == "\u{3000}" }.dropFirst(2)
      .trimmingCharacters(in: .whitespaces)
    let parts = body.components(separatedBy: " -- ")
    guard parts.count > 1, !parts.dropFirst().joined(separator: " -- ").trimmingCharacters(in: .whitespaces).isEmpty
    else { return false }
    let command = parts[0].split(whereSeparator: { $0 == " " || $0 == "," })
    return command.count >= 3 && command[0] == "hegui" && command[1] == "disable-next-line"
  }

  /// The category a `#! hegui category: 化妆品` line names (also `category 化妆品`), or nil.
  static func category(in line: String) -> String? {
    guard isDirective(line[...]) else { return nil }
    let body = line.drop { $0 == " " || $0 == "\t" || $0 == "\u{3000}" }.dropFirst(2)
      .trimmingCharacters(in: .whitespaces)
    guard body.hasPrefix("hegui") else { return nil }
    var rest = body.dropFirst(5).drop { $0 == " " || $0 == "\t" }
    guard rest.hasPrefix("category") else { return nil }
    rest = rest.dropFirst(8).drop { $0 == " " || $0 == ":" || $0 == "：" || $0 == "\t" }
    let name = rest.trimmingCharacters(in: .whitespaces)
    return name.isEmpty || name.contains(" ") ? nil : name
  }

  /// The category a script names for itself: a `#! hegui category: …` line among the directives
  /// and blank lines at its top (its front matter).
  package static func frontMatterCategory(_ text: String) -> (name: String, line: Int)? {
    var number = 0
    for line in text.split(separator: "\n", omittingEmptySubsequences: false).prefix(20) {
      number += 1
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty { continue }
      guard isDirective(line) else { return nil }
      if let name = category(in: String(line)) { return (name, number) }
    }
    return nil
  }

  /// Applies the directives of a script to its findings.
  ///
  /// - Parameters:
  ///   - findings: The findings, in file order.
  ///   - directives: The script's lines that start with `#!`, by 1-based number, and its number
  ///     of lines (``SourceText/directiveLines(in:)``).
  static func apply(
    to findings: [LintFinding], directives lines: (lines: [Int: String], count: Int), ruleset: Ruleset
  ) -> (findings: [LintFinding], errors: [Failure]) {
    var directives: [Directive] = []
    var errors: [Failure] = []
    var meta: [LintFinding] = []
    var silentLines = Set<Int>()
    for (number, raw) in lines.lines.sorted(by: { $0.key < $1.key }) where isDirective(raw[...]) {
      if isWellFormed(raw) { silentLines.insert(number) }
      let body = raw.drop { $0 == " " || $0 == "\t" || $0 == "\u{3000}" }.dropFirst(2).trimmingCharacters(
        in: .whitespaces)
      guard body.hasPrefix("hegui") else { continue }  // another tool's directive
      if category(in: raw) != nil { continue }  // front matter, read by the linter
      let parts = body.components(separatedBy: " -- ")
      let command = parts[0].split(whereSeparator: { $0 == " " || $0 == "," }).map(String.init)
      guard command.count >= 2, command[0] == "hegui", command[1] == "disable-next-line" else {
        errors.append(
          Failure(
            message:
              "unknown hegui directive '\(body)'; expected '#! hegui disable-next-line RULE-ID -- reason' "
              + "or '#! hegui category: CATEGORY'",
            line: number))
        continue
      }
      let ids = Array(command.dropFirst(2))
      if ids.isEmpty {
        errors.append(Failure(message: "'disable-next-line' needs at least one rule id", line: number))
        continue
      }
      let reason =
        parts.count > 1 ? parts.dropFirst().joined(separator: " -- ").trimmingCharacters(in: .whitespaces) : ""
      if reason.isEmpty {
        meta.append(
          metaFinding(
            id: missingReasonID, severity: .block, line: number, text: raw,
            message: "抑制指令缺少理由：请在“--”后写明为何此处可以不改（例如法务确认的依据），否则指令无效。"))
        continue
      }
      var canonical: Set<String> = []
      var unknown = false
      for id in ids {
        do { canonical.formUnion(try ruleset.ruleIDs(selectedBy: id)) } catch {
          errors.append(Failure(message: error.message + " in a suppression directive", line: number))
          unknown = true
        }
      }
      if unknown { continue }
      var target = number + 1
      while silentLines.contains(target) || (target <= lines.count && lines.lines[target].map(isWellFormed) == true) {
        target += 1
      }
      directives.append(Directive(line: number, target: target, ruleIDs: canonical, text: raw))
    }

    var kept: [LintFinding] = []
    for finding in findings {
      if silentLines.contains(finding.line) && finding.finding.span != nil { continue }  // directives are not spoken
      guard
        let index = directives.firstIndex(where: {
          $0.target == finding.line && $0.ruleIDs.contains(finding.finding.ruleID)
        })
      else {
        kept.append(finding)
        continue
      }
      directives[index].used = true
      if finding.finding.isSuppressible { continue }
      kept.append(finding)
      meta.append(
        metaFinding(
          id: notSuppressibleID, severity: .review, line: directives[index].line, text: directives[index].text,
          message: "规则 \(finding.finding.ruleID) 不允许行内抑制，该发现仍然有效；如确属例外，请交由人工审核。"))
    }
    for directive in directives where !directive.used {
      meta.append(
        metaFinding(
          id: unusedID, severity: .info, line: directive.line, text: directive.text,
          message: "该抑制指令没有抑制任何发现（下一行没有 \(directive.ruleIDs.sorted().joined(separator: ", ")) 的发现），请删除。"))
    }
    return ((kept + meta).sorted { ($0.line, $0.column) < ($1.line, $1.column) }, errors)
  }

  private static func metaFinding(id: String, severity: Severity, line: Int, text: String, message: String)
    -> LintFinding
  {
    let finding = Finding(
      ruleID: id, kind: .meta, severity: severity, match: "", span: nil, field: nil, message: message, suggestions: [],
      basis: [], policy: .platform, isSuppressible: false, note: nil)
    let width = text.unicodeScalars.count
    return LintFinding(
      finding: finding, line: line, column: 1, endLine: line, endColumn: width + 1, utf16Columns: 0..<text.utf16.count,
      sourceLine: text, sourceColumns: 0..<Substring(text).count, record: nil, recordID: nil, field: nil)
  }
}
