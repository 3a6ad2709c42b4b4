public import Foundation
public import Hegui

/// A labelled evaluation corpus: real texts, each with the violating phrases a person found in it
/// by reading the law, so that a ruleset's recall, precision and false alarms can be measured on
/// text its authors did not write.
///
/// The format is JSON Lines, one text a line (`Rulesets/README.md` documents it):
///
/// ```json
/// {"id": "samr-2023-12", "text": "…全网最低价…", "context": "livestream", "category": "食品",
///  "source": {"name": "…", "url": "…", "licence": "…"},
///  "labels": [{"phrase": "全网最低价", "kind": "absolute", "severity": "block", "note": "…"}]}
/// ```
///
/// `context` is `livestream`, `caption`, `title` or `description`; `category` and the label's
/// `note` are optional; a clean text has `"labels": []`. Each `phrase` must occur in `text`.
public struct LabelledCorpus: Sendable {
  /// One labelled text.
  public struct Entry: Sendable {
    /// A stable id.
    public var id: String
    /// The text, verbatim from its source.
    public var text: String
    /// Where the text is used.
    public var context: TextContext
    /// The item's category, when known.
    public var category: String?
    /// The source's short name (per-source figures).
    public var source: String
    /// The violating phrases.
    public var labels: [Label]
    /// The file and line it was read from.
    public var location: HeguiError.Location
  }

  /// A violating phrase in a text.
  public struct Label: Sendable {
    /// The exact phrase.
    public var phrase: String
    /// Its UTF-8 range in the text (the first occurrence).
    public var range: Range<Int>
    /// The kind of violation (absolute, medical, …).
    public var kind: String
    /// What the law asks: `block`, or `review` for an exemption candidate or a fact to check.
    public var severity: Severity
  }

  /// The texts, in file order.
  public var entries: [Entry]

  /// Reads labelled JSON Lines files.
  ///
  /// - Throws: `HeguiError` (`invalidInput`) naming the file and line of a text that is not
  ///   valid, or a label whose phrase is not in its text.
  public static func load(_ urls: [URL]) throws(HeguiError) -> LabelledCorpus {
    var entries: [Entry] = []
    var ids = Set<String>()
    for url in urls {
      let text = try TextFile.read(url)
      var number = 0
      for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
        number += 1
        if line.trimmingCharacters(in: .whitespaces).isEmpty { continue }
        let location = HeguiError.Location(path: url.path, line: number)
        func fail(_ message: String) -> HeguiError { HeguiError(.invalidInput, message, at: location) }
        guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
          throw fail("not a JSON object")
        }
        guard let id = object["id"] as? String, let body = object["text"] as? String,
          let contextName = object["context"] as? String
        else { throw fail("a text needs 'id', 'text' and 'context'") }
        guard let context = TextContext(rawValue: contextName) else {
          throw fail("unknown context '\(contextName)' (livestream, caption, title or description)")
        }
        guard ids.insert(id).inserted else { throw fail("duplicate id '\(id)'") }
        let source = (object["source"] as? [String: Any])?["name"] as? String ?? "unknown"
        var labels: [Label] = []
        for raw in object["labels"] as? [[String: Any]] ?? [] {
          guard let phrase = raw["phrase"] as? String, !phrase.isEmpty, let kind = raw["kind"] as? String,
            let severityName = raw["severity"] as? String, let severity = Severity(rawValue: severityName)
          else { throw fail("a label needs 'phrase', 'kind' and 'severity' (block or review)") }
          guard let found = body.range(of: phrase) else { throw fail("label '\(phrase)' is not in the text") }
          let start = body.utf8.distance(from: body.utf8.startIndex, to: found.lowerBound)
          labels.append(
            Label(phrase: phrase, range: start..<(start + phrase.utf8.count), kind: kind, severity: severity))
        }
        entries.append(
          Entry(
            id: id, text: body, context: context, category: object["category"] as? String, source: source,
            labels: labels, location: location))
      }
    }
    return LabelledCorpus(entries: entries)
  }
}

/// How a ruleset does on a labelled corpus (``LabelledCorpus``), measured the way a compliance
/// team would judge it: which violating phrases it catches (recall), how many of its findings
/// are real (precision), and how many clean texts it blocks or sends to a person.
public struct RuleEvaluation: Sendable {
  /// Counts for one slice (overall, a kind, a rule, a context, a source).
  public struct Score: Sendable, Hashable {
    /// Labelled phrases.
    public var labels = 0
    /// Labelled phrases a block or review finding overlaps.
    public var caught = 0
    /// Block and review findings.
    public var findings = 0
    /// Findings that overlap a labelled phrase.
    public var correct = 0

    /// caught / labels (1 when there are none).
    public var recall: Double { labels == 0 ? 1 : Double(caught) / Double(labels) }
    /// correct / findings (1 when there are none).
    public var precision: Double { findings == 0 ? 1 : Double(correct) / Double(findings) }
    /// The harmonic mean of precision and recall.
    public var f1: Double {
      let (p, r) = (precision, recall)
      return p + r == 0 ? 0 : 2 * p * r / (p + r)
    }
  }

  /// A labelled phrase no finding caught, or a finding on no labelled phrase.
  public struct Miss: Sendable, Hashable {
    /// The text's id.
    public var id: String
    /// Where it was read.
    public var location: String
    /// The phrase (a miss) or the finding's match (a false alarm).
    public var phrase: String
    /// Its UTF-8 range in the text.
    public var range: Range<Int>
    /// The label's kind (a miss) or the finding's rule (a false alarm).
    public var what: String
    /// The label's or the finding's severity.
    public var severity: Severity
  }

  /// Everything.
  public var overall = Score()
  /// By label kind: how many phrases of the kind were caught (findings are not counted here).
  public var byKind: [String: Score] = [:]
  /// By rule: its findings and how many were correct; the labels it caught.
  public var byRule: [String: Score] = [:]
  /// By context.
  public var byContext: [String: Score] = [:]
  /// By source.
  public var bySource: [String: Score] = [:]
  /// Texts with no label.
  public var cleanTexts = 0
  /// Clean texts with a block finding.
  public var cleanBlocked = 0
  /// Clean texts with a review finding and no block finding.
  public var cleanReviewed = 0
  /// Labelled phrases nothing caught.
  public var misses: [Miss] = []
  /// Findings on no labelled phrase.
  public var falseAlarms: [Miss] = []

  /// Clean texts hard-blocked, as a share of clean texts.
  public var falseBlockRate: Double { cleanTexts == 0 ? 0 : Double(cleanBlocked) / Double(cleanTexts) }
  /// Clean texts sent to review (and not blocked), as a share of clean texts.
  public var reviewRate: Double { cleanTexts == 0 ? 0 : Double(cleanReviewed) / Double(cleanTexts) }

  /// Evaluates `checker` on `corpus`: each text is checked in its context and category.
  public init(checker: Checker, corpus: LabelledCorpus) {
    for entry in corpus.entries {
      let result = checker.check(entry.text, context: CheckContext(entry.context, category: entry.category))
      // Findings without a span (a category, licence or missing-notice finding) are about facts
      // and absences, not phrases: a corpus labels phrases, and its texts are often excerpts
      // (a decision quotes the offending sentence, not the whole advertisement), so they are not
      // scored.
      let findings = result.findings.filter { $0.severity >= .review && $0.span != nil }
      let context = entry.context.rawValue
      if entry.labels.isEmpty {
        cleanTexts += 1
        if findings.contains(where: { $0.severity == .block }) {
          cleanBlocked += 1
        } else if !findings.isEmpty {
          cleanReviewed += 1
        }
      }
      for label in entry.labels {
        let hits = findings.filter { $0.span.map { $0.utf8.overlaps(label.range) } ?? false }
        let caught = !hits.isEmpty
        overall.labels += 1
        byKind[label.kind, default: Score()].labels += 1
        byContext[context, default: Score()].labels += 1
        bySource[entry.source, default: Score()].labels += 1
        if caught {
          overall.caught += 1
          byKind[label.kind, default: Score()].caught += 1
          byContext[context, default: Score()].caught += 1
          bySource[entry.source, default: Score()].caught += 1
          for rule in Set(hits.map(\.ruleID)) {
            byRule[rule, default: Score()].labels += 1
            byRule[rule, default: Score()].caught += 1
          }
        } else {
          misses.append(
            Miss(
              id: entry.id, location: entry.location.description, phrase: label.phrase, range: label.range,
              what: label.kind, severity: label.severity))
        }
      }
      for finding in findings {
        let correct = finding.span.map { span in entry.labels.contains { $0.range.overlaps(span.utf8) } } ?? false
        overall.findings += 1
        byRule[finding.ruleID, default: Score()].findings += 1
        byContext[context, default: Score()].findings += 1
        bySource[entry.source, default: Score()].findings += 1
        if correct {
          overall.correct += 1
          byRule[finding.ruleID, default: Score()].correct += 1
          byContext[context, default: Score()].correct += 1
          bySource[entry.source, default: Score()].correct += 1
        } else {
          falseAlarms.append(
            Miss(
              id: entry.id, location: entry.location.description, phrase: finding.match,
              range: finding.span?.utf8 ?? 0..<0, what: finding.ruleID, severity: finding.severity))
        }
      }
    }
  }
}

extension RuleEvaluation {
  /// A report for people: the overall figures, the clean-text rates, tables by kind, context,
  /// source and rule, then every miss and false alarm with its place and span.
  public func text(listing limit: Int = 200) -> String {
    func percent(_ value: Double) -> String { String(format: "%.1f%%", value * 100) }
    func table(_ title: String, _ scores: [String: Score], recallOnly: Bool = false) -> String {
      var out = "\n\(title)\n"
      for key in scores.keys.sorted() {
        guard let s = scores[key] else { continue }
        out += "  \(key): recall \(s.caught)/\(s.labels) \(percent(s.recall))"
        if !recallOnly {
          out += ", precision \(s.correct)/\(s.findings) \(percent(s.precision)), F1 \(String(format: "%.2f", s.f1))"
        }
        out += "\n"
      }
      return out
    }
    var out = "phrases caught: \(overall.caught)/\(overall.labels) (recall \(percent(overall.recall)))\n"
    out +=
      "findings on labelled phrases: \(overall.correct)/\(overall.findings) (precision \(percent(overall.precision)))\n"
    out += "F1: \(String(format: "%.3f", overall.f1))\n"
    out += "clean texts: \(cleanTexts); hard-blocked \(cleanBlocked) (\(percent(falseBlockRate))), "
    out += "sent to review \(cleanReviewed) (\(percent(reviewRate)))\n"
    out += table("by kind", byKind, recallOnly: true)
    out += table("by context", byContext)
    out += table("by source", bySource)
    out += table("by rule", byRule)
    out += "\nmisses (\(misses.count))\n"
    for miss in misses.prefix(limit) {
      out +=
        "  \(miss.location) \(miss.id) [\(miss.what), \(miss.severity.rawValue)] “\(miss.phrase)” utf8 \(miss.range)\n"
    }
    out += "\nfalse alarms (\(falseAlarms.count))\n"
    for alarm in falseAlarms.prefix(limit) {
      out +=
        "  \(alarm.location) \(alarm.id) \(alarm.what) \(alarm.severity.rawValue) “\(alarm.phrase)” utf8 \(alarm.range)\n"
    }
    return out
  }

  /// The same as a JSON object with sorted keys.
  public func json() -> String {
    func score(_ s: Score) -> [String: Any] {
      [
        "labels": s.labels, "caught": s.caught, "findings": s.findings, "correct": s.correct,
        "recall": s.recall, "precision": s.precision, "f1": s.f1,
      ]
    }
    func miss(_ m: Miss) -> [String: Any] {
      [
        "id": m.id, "location": m.location, "phrase": m.phrase, "utf8": [m.range.lowerBound, m.range.upperBound],
        "what": m.what, "severity": m.severity.rawValue,
      ]
    }
    let object: [String: Any] = [
      "overall": score(overall), "byKind": byKind.mapValues(score), "byContext": byContext.mapValues(score),
      "bySource": bySource.mapValues(score), "byRule": byRule.mapValues(score),
      "clean": [
        "texts": cleanTexts, "blocked": cleanBlocked, "reviewed": cleanReviewed,
        "falseBlockRate": falseBlockRate, "reviewRate": reviewRate,
      ],
      "misses": misses.map(miss), "falseAlarms": falseAlarms.map(miss),
    ]
    let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])) ?? Data()
    return String(decoding: data, as: UTF8.self) + "\n"
  }
}
