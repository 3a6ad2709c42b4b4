import Foundation
import Hegui

/// `--format json`: a versioned envelope with sorted keys.
extension LintReport {
  struct JSONEnvelope: Encodable {
    struct Tool: Encodable {
      var name: String
      var version: String
    }
    struct Span: Encodable {
      var line: Int
      var column: Int
      var endLine: Int
      var endColumn: Int
      var utf8: [Int]?
      var utf16: [Int]?
    }
    struct Item: Encodable {
      var rule: String
      var kind: String
      var severity: String
      var match: String
      var message: String
      var suggestions: [String]
      /// The safe replacement `--fix` writes (absent when a person must rewrite).
      var fix: String?
      var basis: [String]
      var policy: String
      var note: String?
      var span: Span
      var record: Int?
      var recordId: String?
      var field: String?
    }
    struct File: Encodable {
      var path: String
      var findings: [Item]
      var errors: [String]
    }
    struct Summary: Encodable {
      var files: Int
      var findings: Int
      var block: Int
      var review: Int
      var info: Int
      var errors: Int
    }
    var version: Int
    var tool: Tool
    var files: [File]
    var summary: Summary
  }

  func renderJSON() -> String {
    let c = counts
    let envelope = JSONEnvelope(
      version: 1, tool: .init(name: "hegui", version: toolVersion),
      files: files.map { file in
        JSONEnvelope.File(
          path: file.path,
          findings: file.findings.map(LintReport.item),
          errors: file.errors.map(\.description))
      },
      summary: .init(
        files: files.count, findings: c.values.reduce(0, +), block: c[.block] ?? 0, review: c[.review] ?? 0,
        info: c[.info] ?? 0, errors: errorCount))
    return LintReport.encode(envelope)
  }

  /// A finding as the JSON formats write it.
  static func item(_ f: LintFinding) -> JSONEnvelope.Item {
    JSONEnvelope.Item(
      rule: f.finding.ruleID, kind: f.finding.kind.rawValue, severity: f.finding.severity.rawValue,
      match: f.finding.match, message: f.finding.message, suggestions: f.finding.suggestions, fix: f.finding.fix,
      basis: f.finding.basis,
      policy: f.finding.policy.rawValue, note: f.finding.note,
      span: .init(
        line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn,
        utf8: (f.utf8 ?? f.finding.span?.utf8).map { [$0.lowerBound, $0.upperBound] },
        utf16: (f.utf16 ?? f.finding.span?.utf16).map { [$0.lowerBound, $0.upperBound] }),
      record: f.record, recordId: f.recordID, field: f.field)
  }

  /// `--format jsonl`: one compact object per line — `{"path", "error"}` for an input error, the
  /// finding with its `path` for a finding — keys sorted, written as each file is checked.
  static func jsonLines(_ file: LintedFile) -> String {
    struct ErrorLine: Encodable {
      var path: String
      var error: String
    }
    struct FindingLine: Encodable {
      var path: String
      var finding: JSONEnvelope.Item

      func encode(to encoder: any Encoder) throws {
        try finding.encode(to: encoder)
        var container = encoder.container(keyedBy: Key.self)
        try container.encode(path, forKey: .path)
      }

      enum Key: String, CodingKey { case path }
    }
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
    var out = ""
    func line(_ value: some Encodable) {
      guard let data = try? encoder.encode(value) else { return }
      out += String(decoding: data, as: UTF8.self) + "\n"
    }
    for error in file.errors { line(ErrorLine(path: file.path, error: error.description)) }
    for f in file.findings { line(FindingLine(path: file.path, finding: item(f))) }
    return out
  }

  static func encode(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(value) else { return "{}" }
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}
