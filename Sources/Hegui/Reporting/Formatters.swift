import Foundation

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

  private func location(_ file: LintedFile, _ f: LintFinding) -> String {
    var text = "\(file.path):\(f.line):\(f.column)"
    if let record = f.record {
      text += " [record \(record)\(f.recordID.map { " id=\($0)" } ?? ""), \(f.field ?? "")]"
    }
    return text
  }

  // MARK: text

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

  // MARK: line

  func renderLines() -> String {
    var out = ""
    for file in files {
      for error in file.errors {
        out += "\(error.location?.description ?? file.path):error:hegui.input:\(error.message)\n"
      }
      for f in file.findings {
        var where_ = "\(file.path):\(f.line):\(f.column)"
        if let record = f.record { where_ += ":record=\(record):field=\(f.field ?? "")" }
        out += "\(where_):\(f.finding.severity.rawValue):\(f.finding.ruleID):\(f.finding.message)\n"
      }
    }
    return out
  }

  // MARK: json

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
          findings: file.findings.map { f in
            JSONEnvelope.Item(
              rule: f.finding.ruleID, kind: f.finding.kind.rawValue, severity: f.finding.severity.rawValue,
              match: f.finding.match, message: f.finding.message, suggestions: f.finding.suggestions, basis: f.finding.basis,
              policy: f.finding.policy.rawValue, note: f.finding.note,
              span: .init(
                line: f.line, column: f.column, endLine: f.endLine, endColumn: f.endColumn,
                utf8: f.finding.span.map { [$0.utf8.lowerBound, $0.utf8.upperBound] },
                utf16: f.finding.span.map { [$0.utf16.lowerBound, $0.utf16.upperBound] }),
              record: f.record, recordId: f.recordID, field: f.field)
          },
          errors: file.errors.map(\.description))
      },
      summary: .init(
        files: files.count, findings: c.values.reduce(0, +), block: c[.block] ?? 0, review: c[.review] ?? 0,
        info: c[.info] ?? 0, errors: errorCount))
    return LintReport.encode(envelope)
  }

  static func encode(_ value: some Encodable) -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
    guard let data = try? encoder.encode(value) else { return "{}" }
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  // MARK: github

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

  func renderGitHub() -> String {
    var out = ""
    var emitted: [String: Int] = [:]
    var dropped: [String: Int] = [:]
    for file in files {
      for error in file.errors {
        out += "::error file=\(LintReport.escapeProperty(file.path))\(error.location?.line.map { ",line=\($0)" } ?? ""),title=hegui::\(LintReport.escapeMessage(error.message))\n"
      }
      for f in file.findings {
        let level: String
        switch f.finding.severity {
        case .block: level = "error"
        case .review: level = "warning"
        case .info: level = "notice"
        }
        if emitted[level, default: 0] >= LintReport.annotationLimit {
          dropped[level, default: 0] += 1
          continue
        }
        emitted[level, default: 0] += 1
        var properties = "file=\(LintReport.escapeProperty(file.path)),line=\(f.line),endLine=\(f.endLine)"
        if f.record == nil && f.finding.span != nil { properties += ",col=\(f.column),endColumn=\(f.endColumn)" }
        properties += ",title=\(LintReport.escapeProperty(f.finding.ruleID))"
        var message = f.finding.message
        if !f.finding.match.isEmpty { message = "“\(f.finding.match)” " + message }
        if !f.finding.suggestions.isEmpty { message += "\n建议改为: " + f.finding.suggestions.joined(separator: " / ") }
        out += "::\(level) \(properties)::\(LintReport.escapeMessage(message))\n"
      }
    }
    for level in ["error", "warning", "notice"] {
      if let count = dropped[level], count > 0 {
        out += "::notice title=hegui::\(count) more \(level) annotation\(count == 1 ? "" : "s") not shown (GitHub shows \(LintReport.annotationLimit) per step). Run `hegui lint --format sarif` and upload it to code scanning to see every finding.\n"
      }
    }
    out += summary + "\n"
    return out
  }
}
