public import Foundation
public import Hegui

/// Counts for the summary line, kept as pieces of files arrive.
struct Tally {
  var counts: [Severity: Int] = [.block: 0, .review: 0, .info: 0]
  /// Findings by rule id and severity.
  var byRule: [String: [Severity: Int]] = [:]
  var errors = 0
  var files = 0

  mutating func add(_ piece: LintedFile) {
    for f in piece.findings {
      counts[f.finding.severity, default: 0] += 1
      byRule[f.finding.ruleID, default: [:]][f.finding.severity, default: 0] += 1
    }
    errors += piece.errors.count
  }

  /// One line per rule, most findings first: `  12  adlaw.absolute.lowest-price  (12 block)`.
  func ruleTable(in language: Language = .english) -> String {
    struct Row {
      var rule: String
      var total: Int
      var severities: [Severity: Int]
    }
    var rows: [Row] = []
    for (rule, severities) in byRule {
      let total: Int = severities.values.reduce(0, +)
      rows.append(Row(rule: rule, total: total, severities: severities))
    }
    rows.sort { a, b in a.total != b.total ? a.total > b.total : a.rule < b.rule }
    guard let first = rows.first else { return "" }
    let width = String(first.total).count
    var text = language.pick("by rule:\n", "按规则：\n")
    for row in rows {
      var parts: [String] = []
      for severity in [Severity.block, .review, .info] {
        if let n = row.severities[severity] {
          parts.append(language == .chinese ? "\(language.name(severity)) \(n)" : "\(n) \(severity.rawValue)")
        }
      }
      let number = String(row.total)
      let pad = String(repeating: " ", count: width - number.count)
      let shown =
        language == .chinese ? "（" + parts.joined(separator: "，") + "）" : "(" + parts.joined(separator: ", ") + ")"
      text += "  \(pad)\(number)  \(row.rule)  \(shown)\n"
    }
    return text
  }

  /// `N findings (B block, R review, I info) in F files[; E input errors]`, in `language`.
  func summary(in language: Language = .english) -> String {
    language.summary(total: counts.values.reduce(0, +), counts: counts, files: files, errors: errors)
  }

  var summary: String { summary() }
}

/// Writes a lint report as results arrive: the streaming formats (text, line, github, jsonl)
/// write each piece of each file at once and keep only counts, so memory does not grow with the
/// input; JSON writes each file when it ends (holding that file's findings as rendered text);
/// SARIF, whose rules and results are one document, is written at ``finish()``.
///
/// Pieces must arrive in file order; a file may come in several pieces (a long script is checked
/// in blocks), followed by ``endFile()``. Not thread-safe: feed it from one task at a time.
public final class ReportWriter {
  private let format: LintFormat
  private let ruleset: Ruleset
  private let toolVersion: String
  private let color: Bool
  private let write: (String) -> Void
  private var tally = Tally()
  private var github = LintReport.GitHubState()
  private var held: [LintedFile] = []
  private var json = JSONStream()

  /// A writer that hands each rendered part to `write`.
  ///
  /// - Parameters:
  ///   - format: The report format.
  ///   - ruleset: The rules that ran (SARIF lists them).
  ///   - toolVersion: Hegui's version, for tool metadata.
  ///   - color: ANSI colour in the text format.
  ///   - write: Receives the report in parts, in order.
  public init(
    format: LintFormat, ruleset: Ruleset, toolVersion: String, color: Bool = false, write: @escaping (String) -> Void
  ) {
    self.format = format
    self.ruleset = ruleset
    self.toolVersion = toolVersion
    self.color = color
    self.write = write
  }

  /// Adds the findings and errors of the current file, or of a piece of it.
  public func add(_ piece: LintedFile) {
    tally.add(piece)
    switch format {
    case .text: write(LintReport.text(piece, color: color, language: language))
    case .line: write(LintReport.lines(piece))
    case .github: write(LintReport.github(piece, state: &github))
    case .jsonl: write(LintReport.jsonLines(piece))
    case .json: json.add(piece, write: write)
    case .sarif, .html:
      // One document: pieces of a file are joined into the file.
      if inFile, !held.isEmpty {
        held[held.count - 1].findings += piece.findings
        held[held.count - 1].errors += piece.errors
      } else {
        held.append(piece)
      }
      inFile = true
    }
  }

  /// Ends the current file: the next piece belongs to another file.
  public func endFile() {
    tally.files += 1
    inFile = false
    if format == .json { json.endFile(write: write) }
  }

  /// Adds a whole file.
  public func add(file: LintedFile) {
    add(file)
    endFile()
  }

  private var inFile = false

  /// Writes what comes after the last file: the summary line (text, github), or the whole
  /// document (json, sarif).
  public func finish() {
    switch format {
    case .text: write((summaryByRule ? tally.ruleTable(in: language) : "") + summary + "\n")
    case .line, .jsonl: break
    case .github: write(LintReport.githubTrailer(github) + summary + "\n")
    case .json: json.finish(tally: tally, toolVersion: toolVersion, write: write)
    case .sarif: write(LintReport(files: held, ruleset: ruleset, toolVersion: toolVersion).renderSARIF())
    case .html:
      write(
        LintReport(files: held, ruleset: ruleset, toolVersion: toolVersion).renderHTML(
          generated: Date(), timeZone: timeZone))
    }
  }

  /// The summary line so far, in ``language``.
  public var summary: String { tally.summary(in: language) }

  /// The language of the summary and the rule table (default English).
  public var language = Language.english

  /// Whether the text report ends with the findings counted by rule (`--summary`).
  public var summaryByRule = false

  /// The time zone times are shown in (the HTML report's date); default Asia/Shanghai.
  public var timeZone = TimeZone(identifier: "Asia/Shanghai") ?? .current

  /// Findings so far, by severity.
  public var counts: [Severity: Int] { tally.counts }

  /// Input errors so far.
  public var errorCount: Int { tally.errors }
}
