import Foundation
import Hegui

/// A whole regression run, rendered for reviewers (text), machines (JSON) or CI (JUnit XML).
public struct RuleTestReport: Sendable {
  /// Every case run.
  public var results: [CaseResult]
  /// Variants that could not be built.
  public var skipped: [String]
  /// Gate failures.
  public var gates: [GateFailure]
  /// Corpus files and their outcomes.
  public var corpus: [(CorpusCase, CorpusCase.Outcome)]

  /// Creates a report.
  public init(
    results: [CaseResult], skipped: [String], gates: [GateFailure], corpus: [(CorpusCase, CorpusCase.Outcome)]
  ) {
    self.results = results
    self.skipped = skipped
    self.gates = gates
    self.corpus = corpus
  }

  /// Cases, gates and corpus files that passed.
  public var passed: Int { results.filter(\.passed).count + corpus.filter { $0.1.passed }.count }
  /// Cases, gates and corpus files that failed.
  public var failed: Int { results.filter { !$0.passed }.count + gates.count + corpus.filter { !$0.1.passed }.count }

  /// The closing line: `N passed, M failed` (plus `, K skipped`).
  public var summary: String {
    "\(passed) passed, \(failed) failed" + (skipped.isEmpty ? "" : ", \(skipped.count) skipped")
  }

  /// Renders the report.
  public func render(_ format: some RawRepresentable<String>) -> String {
    switch format.rawValue {
    case "json": return renderJSON()
    case "junit": return renderJUnit()
    default: return renderText()
    }
  }

  func renderText() -> String {
    var out = ""
    for result in results where !result.passed {
      out += "FAIL \(result.testCase)  (\(result.testCase.location))\n"
      for failure in result.failures {
        out += "  \(failure.kind.rawValue): \(failure.detail)\n"
      }
    }
    for gate in gates { out += "GATE \(gate)\n" }
    for (corpus, outcome) in corpus where !outcome.passed {
      out += "FAIL corpus \(corpus.textURL.path)\n"
      if let error = outcome.error { out += "  \(error)\n" }
      for f in outcome.missing { out += "  missing: \(f)\n" }
      for f in outcome.unexpected { out += "  unexpected: \(f)\n" }
    }
    out += summary + "\n"
    return out
  }

  func renderJSON() -> String {
    var object: [String: Any] = [
      "version": 1, "passed": passed, "failed": failed, "skipped": skipped,
      "failures": results.filter { !$0.passed }.map { r -> [String: Any] in
        [
          "case": r.testCase.description, "rule": r.testCase.ruleID, "location": r.testCase.location.description,
          "failures": r.failures.map { ["kind": $0.kind.rawValue, "detail": $0.detail] },
        ]
      },
      "gates": gates.map { g -> [String: Any] in
        ["rule": g.ruleID ?? "", "location": g.location?.description ?? "", "message": g.message]
      },
    ]
    object["corpus"] = corpus.map { c, o -> [String: Any] in
      [
        "file": c.textURL.path, "passed": o.passed, "error": o.error ?? "", "missing": o.missing.map(\.description),
        "unexpected": o.unexpected.map(\.description),
      ]
    }
    guard
      let data = try? JSONSerialization.data(
        withJSONObject: object, options: [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes])
    else { return "{}\n" }
    return String(decoding: data, as: UTF8.self) + "\n"
  }

  func renderJUnit() -> String {
    func escape(_ s: String) -> String {
      s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
    var byRule: [String: [CaseResult]] = [:]
    for r in results { byRule[r.testCase.ruleID, default: []].append(r) }
    var out =
      "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<testsuites name=\"hegui rules test\" tests=\"\(passed + failed)\" failures=\"\(failed)\">\n"
    for rule in byRule.keys.sorted() {
      let cases = byRule[rule] ?? []
      out +=
        "  <testsuite name=\"\(escape(rule))\" tests=\"\(cases.count)\" failures=\"\(cases.filter { !$0.passed }.count)\">\n"
      for c in cases {
        let seconds = c.duration.seconds
        out +=
          "    <testcase classname=\"\(escape(rule))\" name=\"\(escape(c.testCase.description))\" time=\"\(String(format: "%.4f", seconds))\""
        if c.passed {
          out += "/>\n"
        } else {
          out +=
            ">\n      <failure message=\"\(escape(c.failures.map { $0.kind.rawValue }.joined(separator: ", ")))\">\(escape(c.failures.map(\.description).joined(separator: "\n")))</failure>\n    </testcase>\n"
        }
      }
      out += "  </testsuite>\n"
    }
    if !gates.isEmpty || !corpus.isEmpty {
      out +=
        "  <testsuite name=\"gates and corpus\" tests=\"\(gates.count + corpus.count)\" failures=\"\(gates.count + corpus.filter { !$0.1.passed }.count)\">\n"
      for g in gates {
        out +=
          "    <testcase classname=\"gate\" name=\"\(escape(g.ruleID ?? "ruleset"))\">\n      <failure message=\"gate\">\(escape(g.description))</failure>\n    </testcase>\n"
      }
      for (c, o) in corpus {
        out += "    <testcase classname=\"corpus\" name=\"\(escape(c.textURL.lastPathComponent))\""
        if o.passed {
          out += "/>\n"
        } else {
          let detail =
            ([o.error].compactMap { $0 } + o.missing.map { "missing \($0)" } + o.unexpected.map { "unexpected \($0)" })
            .joined(separator: "\n")
          out += ">\n      <failure message=\"corpus\">\(escape(detail))</failure>\n    </testcase>\n"
        }
      }
      out += "  </testsuite>\n"
    }
    out += "</testsuites>\n"
    return out
  }
}
