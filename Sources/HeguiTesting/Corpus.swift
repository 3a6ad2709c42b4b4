public import Foundation
public import Hegui

/// Whole-ruleset regression files: `corpus/NAME.txt` plus `corpus/NAME.expect.json`, holding
/// every finding the whole ruleset must produce on the text — no more, no fewer. They catch
/// rules that interfere with each other and double reports, which per-rule examples cannot.
public struct CorpusCase: Sendable {
  /// One expected finding, identified by rule, position and matched text.
  public struct Expected: Codable, Hashable, Sendable, Comparable, CustomStringConvertible {
    /// Rule id.
    public var rule: String
    /// Severity.
    public var severity: Severity
    /// 1-based line.
    public var line: Int
    /// 1-based column (characters).
    public var column: Int
    /// The original text of the span.
    public var match: String

    /// In order of position, then rule.
    public static func < (a: Expected, b: Expected) -> Bool {
      (a.line, a.column, a.rule, a.match) < (b.line, b.column, b.rule, b.match)
    }

    /// `line:column severity rule “match”`.
    public var description: String { "\(line):\(column) \(severity.rawValue) \(rule) “\(match)”" }
  }

  /// The expectation file's content.
  public struct Expectations: Codable, Sendable {
    /// Format version (1).
    public var version: Int
    /// The context the text is checked in (`livestream` when absent).
    public var context: TextContext?
    /// Shop subject, when the corpus is about one.
    public var shopSubject: ShopSubject?
    /// Category, when the corpus is about one.
    public var category: String?
    /// Licences held.
    public var licences: [String]?
    /// Every finding, sorted.
    public var findings: [Expected]
  }

  /// The text file.
  public var textURL: URL
  /// The expectation file (may not exist yet).
  public var expectURL: URL

  /// Finds corpus files under `directory/corpus/` (recursively).
  public static func find(in directory: URL) -> [CorpusCase] {
    let corpus = directory.appending(path: "corpus")
    guard let enumerator = FileManager.default.enumerator(at: corpus, includingPropertiesForKeys: nil) else {
      return []
    }
    var cases: [CorpusCase] = []
    for case let url as URL in enumerator where url.pathExtension == "txt" {
      cases.append(
        CorpusCase(textURL: url, expectURL: url.deletingPathExtension().appendingPathExtension("expect.json")))
    }
    return cases.sorted { $0.textURL.path < $1.textURL.path }
  }

  /// The result of running one corpus file.
  public struct Outcome: Sendable {
    /// Expected but not found.
    public var missing: [Expected]
    /// Found but not expected.
    public var unexpected: [Expected]
    /// A problem reading the files.
    public var error: String?
    /// Whether it passed.
    public var passed: Bool { missing.isEmpty && unexpected.isEmpty && error == nil }
  }

  /// Checks the text with `checker` and compares with the expectations; with `update`, writes
  /// the actual findings as the new expectations instead (after a reviewed change).
  public func run(with checker: Checker, update: Bool = false) -> Outcome {
    guard let data = try? Data(contentsOf: textURL), let text = String(data: data, encoding: .utf8) else {
      return Outcome(missing: [], unexpected: [], error: "\(textURL.path): cannot read the corpus text as UTF-8")
    }
    var expectations = Expectations(
      version: 1, context: nil, shopSubject: nil, category: nil, licences: nil, findings: [])
    var haveExpectations = false
    if let data = try? Data(contentsOf: expectURL) {
      do {
        expectations = try JSONDecoder().decode(Expectations.self, from: data)
        haveExpectations = true
      } catch {
        if !update {
          return Outcome(missing: [], unexpected: [], error: "\(expectURL.path): invalid expectations: \(error)")
        }
      }
    }
    let context = CheckContext(
      expectations.context ?? .livestream, shopSubject: expectations.shopSubject, category: expectations.category,
      licences: Set(expectations.licences ?? []))
    let actual = checker.check(text, context: context).findings.map { f in
      Expected(
        rule: f.ruleID, severity: f.severity, line: f.span?.line ?? 0, column: f.span?.column ?? 0, match: f.match)
    }.sorted()
    if update {
      expectations.findings = actual
      let encoder = JSONEncoder()
      encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
      do {
        try (encoder.encode(expectations) + Data("\n".utf8)).write(to: expectURL, options: .atomic)
      } catch {
        return Outcome(
          missing: [], unexpected: [], error: "\(expectURL.path): cannot write: \(error.localizedDescription)")
      }
      return Outcome(missing: [], unexpected: [], error: nil)
    }
    if !haveExpectations {
      return Outcome(
        missing: [], unexpected: actual,
        error: "\(expectURL.path) does not exist; review the findings and run `hegui rules test --update` to create it")
    }
    var expected = expectations.findings
    var unexpected: [Expected] = []
    for finding in actual {
      if let index = expected.firstIndex(of: finding) { expected.remove(at: index) } else { unexpected.append(finding) }
    }
    return Outcome(missing: expected, unexpected: unexpected, error: nil)
  }
}
