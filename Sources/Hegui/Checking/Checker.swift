import Foundation

/// Tier 1 (初级): checks a text against compiled rules and reports findings on the exact
/// characters of the original.
///
/// A check normalises the text once, runs one automaton over it for every lexicon term,
/// exception phrase and pattern anchor, runs pattern rules only where needed, filters hits by
/// word boundaries, exceptions and applicability, and maps what is left back to the original.
/// Long texts are processed in chunks that end at line breaks, so memory stays bounded.
///
/// `Checker` is immutable and `Sendable`: build one and share it across tasks.
public struct Checker: Sendable {
  /// The rules this checker runs.
  public let ruleset: Ruleset
  private let automaton: LiteralAutomaton
  private let owners: [Owner]
  private let normalizer = Normalizer()
  private let boundaries: WordBoundaries
  private let patternRules: [Int]
  private let categoryRules: [Int]
  /// Chunk size target in bytes; chunks end at a line break after this many bytes.
  let chunkSize: Int

  enum Owner: Sendable {
    case term(rule: Int32)
    case exception(rule: Int32, index: Int32)
    case anchor(rule: Int32)
  }

  /// Compiles the rules into a checker.
  ///
  /// - Parameters:
  ///   - ruleset: Loaded rules (``Ruleset/shipped()`` or ``Ruleset/load(directories:includingShipped:)``).
  ///   - wordBoundaries: The ICU word-boundary service to use; share one across checkers.
  public init(ruleset: Ruleset, wordBoundaries: WordBoundaries = WordBoundaries()) {
    self.init(ruleset: ruleset, wordBoundaries: wordBoundaries, chunkSize: 1 << 16)
  }

  init(ruleset: Ruleset, wordBoundaries: WordBoundaries, chunkSize: Int) {
    self.ruleset = ruleset
    self.boundaries = wordBoundaries
    self.chunkSize = max(1024, chunkSize)
    var terms: [String] = []
    var owners: [Owner] = []
    var patternRules: [Int] = []
    var categoryRules: [Int] = []
    for (index, rule) in ruleset.rules.enumerated() {
      let r = Int32(index)
      for term in rule.terms {
        terms.append(term)
        owners.append(.term(rule: r))
      }
      for anchor in rule.anchors {
        terms.append(anchor)
        owners.append(.anchor(rule: r))
      }
      for (e, exception) in rule.exceptions.enumerated() {
        if let phrase = exception.phrase {
          terms.append(phrase)
          owners.append(.exception(rule: r, index: Int32(e)))
        }
      }
      if rule.kind == .pattern { patternRules.append(index) }
      if rule.kind == .category { categoryRules.append(index) }
    }
    automaton = LiteralAutomaton(terms: terms)
    self.owners = owners
    self.patternRules = patternRules
    self.categoryRules = categoryRules
  }

  /// Checks one text.
  ///
  /// - Parameters:
  ///   - text: The original text.
  ///   - context: Where it is used and what the shop sells.
  /// - Returns: Findings on the original text and the verdict.
  public func check(_ text: String, context: CheckContext = CheckContext()) -> CheckResult {
    var diagnostics: [String] = []
    var category: String?
    if let name = context.category {
      if let entry = ruleset.category(named: name) {
        category = entry.id
      } else {
        diagnostics.append("unknown category '\(name)': category-specific rules were not applied")
      }
    }
    let applicable = ruleset.rules.map { applies($0, context: context, category: category) }

    var raw: [RawFinding] = []
    var copy = text
    copy.withUTF8 { buffer in
      var scratch = Scratch(boundaries: boundaries)
      var start = 0
      while start < buffer.count {
        let end = chunkEnd(in: buffer, from: start)
        let chunk = UnsafeBufferPointer(rebasing: buffer[start..<end])
        normalizer.normalize(chunk, base: start, into: &scratch.normalized)
        checkChunk(&scratch, applicable: applicable, context: context, category: category, into: &raw)
        start = end
      }
      diagnostics += scratch.diagnostics
      if let failure = scratch.boundary.failure { diagnostics.append(failure.description) }
    }

    var findings: [Finding] = []
    for index in categoryRules where applicable[index] {
      if let finding = categoryFinding(ruleset.rules[index], context: context, category: category) {
        findings.append(finding)
      }
    }
    if !raw.isEmpty {
      raw = onePerPlacePerPack(raw)
      raw.sort { ($0.range.lowerBound, $0.range.upperBound, $0.rule) < ($1.range.lowerBound, $1.range.upperBound, $1.rule) }
      let lines = LineIndex(text)
      for hit in raw {
        let rule = ruleset.rules[hit.rule]
        let span = lines.span(utf8: hit.range, in: text)
        let match = String(text[span.range])
        findings.append(
          Finding(
            ruleID: rule.id, kind: rule.kind, severity: hit.severity, match: match, span: span, field: nil,
            message: rule.message.replacingOccurrences(of: "{match}", with: match), suggestions: rule.suggestions,
            basis: rule.basis, policy: rule.policy, isSuppressible: rule.isSuppressible, note: hit.note))
      }
    }
    return CheckResult(findings: findings, diagnostics: diagnostics)
  }

  /// Within one pack, overlapping hits of different rules are one problem in one place (a
  /// lexicon rule and its pattern sibling both seeing 治好 in 能治好胃病): keep the most severe,
  /// then the longest, then the first rule. Hits of different packs are different legal
  /// questions and are all reported.
  private func onePerPlacePerPack(_ hits: [RawFinding]) -> [RawFinding] {
    var byPack: [String: [RawFinding]] = [:]
    for hit in hits { byPack[ruleset.rules[hit.rule].pack, default: []].append(hit) }
    var kept: [RawFinding] = []
    for (_, packHits) in byPack {
      let ordered = packHits.sorted {
        ($0.severity, $0.range.count, -$0.rule, -$0.range.lowerBound) > ($1.severity, $1.range.count, -$1.rule, -$1.range.lowerBound)
      }
      var taken: [Range<Int>] = []
      for hit in ordered where !taken.contains(where: { $0.overlaps(hit.range) }) {
        taken.append(hit.range)
        kept.append(hit)
      }
    }
    return kept
  }

  // MARK: Applicability

  private func applies(_ rule: Rule, context: CheckContext, category: String?) -> Bool {
    let a = rule.applicability
    if !a.contexts.isEmpty && !a.contexts.contains(context.context) { return false }
    if !a.shopSubjects.isEmpty {
      guard let subject = context.shopSubject, a.shopSubjects.contains(subject) else { return false }
    }
    if !a.categories.isEmpty {
      guard let category, a.categories.contains(where: { ruleset.category(category, isWithin: $0) }) else { return false }
    }
    if let category, a.excludedCategories.contains(where: { ruleset.category(category, isWithin: $0) }) { return false }
    return true
  }

  private func categoryFinding(_ rule: Rule, context: CheckContext, category: String?) -> Finding? {
    guard let category, let check = rule.categoryCheck else { return nil }
    // Walk up the category tree: a sub-category inherits its ancestors' restrictions.
    var entries: [CategoryEntry] = []
    var current: String? = category
    while let id = current, let entry = ruleset.category(named: id), entries.count < 32 {
      entries.append(entry)
      current = entry.parent
    }
    guard let leaf = entries.first else { return nil }
    var severity = rule.severity
    switch check {
    case let .subject(status):
      guard context.shopSubject == .individual, entries.contains(where: { $0.individual == status }) else { return nil }
    case .licence:
      // The nearest category that lists licences decides (保健食品 needs its own licence even
      // though its parent 食品 also accepts a 备案凭证); any one of its licences suffices.
      guard let required = entries.first(where: { !$0.licences.isEmpty })?.licences,
        context.licences.isDisjoint(with: required)
      else { return nil }
    }
    var note: String?
    if let outcome = override(rule, context: context, category: category) {
      guard let s = outcome else { return nil }
      note = "override: \(s.rawValue)"
      severity = s
    }
    let names = leaf.names.first.map { "\($0)（\(leaf.id)）" } ?? leaf.id
    let licences = entries.first(where: { !$0.licences.isEmpty })?.licences ?? []
    let message = rule.message
      .replacingOccurrences(of: "{match}", with: names)
      .replacingOccurrences(of: "{category}", with: names)
      .replacingOccurrences(of: "{licences}", with: licences.joined(separator: "、"))
    return Finding(
      ruleID: rule.id, kind: .category, severity: severity, match: "", span: nil, field: "category", message: message,
      suggestions: rule.suggestions, basis: rule.basis, policy: rule.policy, isSuppressible: rule.isSuppressible, note: note)
  }

  /// The first matching override: `.some(nil)` = suppress, `.some(severity)`, or `nil` when none applies.
  private func override(_ rule: Rule, context: CheckContext, category: String?) -> Severity?? {
    for o in rule.overrides {
      if !o.shopSubjects.isEmpty {
        guard let s = context.shopSubject, o.shopSubjects.contains(s) else { continue }
      }
      if !o.contexts.isEmpty && !o.contexts.contains(context.context) { continue }
      if !o.categories.isEmpty {
        guard let category, o.categories.contains(where: { ruleset.category(category, isWithin: $0) }) else { continue }
      }
      if !o.licences.isEmpty && o.licences.isDisjoint(with: context.licences) { continue }
      return .some(o.suppress ? nil : o.severity)
    }
    return nil
  }

  // MARK: Text rules

  struct RawFinding {
    var rule: Int
    var range: Range<Int>
    var severity: Severity
    var note: String?
  }

  struct Candidate {
    var rule: Int
    var range: Range<Int>
  }

  /// Per-check reusable buffers.
  struct Scratch: ~Copyable {
    var normalized = NormalizedText()
    var candidates: [Candidate] = []
    var exceptionHits: [(rule: Int, index: Int, range: Range<Int>)] = []
    var anchorLines: [(rule: Int, line: Range<Int>)] = []
    var boundary: BoundaryChecker
    var diagnostics: [String] = []

    init(boundaries: WordBoundaries) {
      boundary = BoundaryChecker(service: boundaries)
    }
  }

  private func chunkEnd(in buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
    if buffer.count - start <= chunkSize { return buffer.count }
    var i = start + chunkSize
    let hardLimit = min(buffer.count, start + chunkSize * 16)
    while i < hardLimit && buffer[i - 1] != 0x0A { i += 1 }
    if i < hardLimit || buffer[i - 1] == 0x0A { return i }
    // A very long line: cut after sentence punctuation (。！？) or, failing that, at a scalar start.
    var j = start + chunkSize * 16 - 1
    while j > start + chunkSize {
      if buffer[j - 1] == 0x82 && buffer[j - 2] == 0x80 && buffer[j - 3] == 0xE3 { return j }
      if buffer[j - 1] == 0x81 && buffer[j - 2] == 0xBC && buffer[j - 3] == 0xEF { return j }  // ！
      if buffer[j - 1] == 0x9F && buffer[j - 2] == 0xBC && buffer[j - 3] == 0xEF { return j }  // ？
      j -= 1
    }
    j = start + chunkSize * 16
    while j < buffer.count && buffer[j] & 0xC0 == 0x80 { j += 1 }
    return j
  }

  private func checkChunk(
    _ scratch: inout Scratch, applicable: [Bool], context: CheckContext, category: String?, into raw: inout [RawFinding]
  ) {
    scratch.candidates.removeAll(keepingCapacity: true)
    scratch.exceptionHits.removeAll(keepingCapacity: true)
    scratch.anchorLines.removeAll(keepingCapacity: true)
    scratch.boundary.textChanged()
    let bytes = scratch.normalized.bytes
    bytes.withUnsafeBufferPointer { text in
      var candidates = scratch.candidates
      var exceptionHits = scratch.exceptionHits
      var anchorLines = scratch.anchorLines
      automaton.scan(text) { term, range in
        switch owners[term] {
        case let .term(rule):
          if applicable[Int(rule)] { candidates.append(Candidate(rule: Int(rule), range: range)) }
        case let .exception(rule, index):
          if applicable[Int(rule)] { exceptionHits.append((Int(rule), Int(index), range)) }
        case let .anchor(rule):
          if applicable[Int(rule)] {
            let line = Checker.line(around: range, in: text)
            if anchorLines.last.map({ $0.rule != Int(rule) || $0.line != line }) ?? true {
              anchorLines.append((Int(rule), line))
            }
          }
        }
      }

      // Pattern rules: only where one of their anchors occurs (or everywhere without anchors).
      for index in patternRules where applicable[index] {
        let rule = ruleset.rules[index]
        var ranges: [Range<Int>] = []
        if rule.anchors.isEmpty {
          ranges = [0..<text.count]
        } else {
          var seen = Set<Int>()
          for entry in anchorLines where entry.rule == index && seen.insert(entry.line.lowerBound).inserted {
            ranges.append(entry.line)
          }
          ranges.sort { $0.lowerBound < $1.lowerBound }
        }
        for range in ranges {
          for pattern in rule.patterns {
            let failure = pattern.forEachMatch(in: text, range: range) { match in
              candidates.append(Candidate(rule: index, range: match))
            }
            if let failure { scratch.diagnostics.append(Checker.describe(failure, rule: rule)) }
          }
        }
      }

      // Filter, then keep the leftmost-longest hits of each rule.
      candidates.sort { ($0.rule, $0.range.lowerBound, -$0.range.count) < ($1.rule, $1.range.lowerBound, -$1.range.count) }
      var lastRule = -1
      var lastEnd = 0
      for candidate in candidates {
        let rule = ruleset.rules[candidate.rule]
        if candidate.rule != lastRule {
          lastRule = candidate.rule
          lastEnd = 0
        }
        if candidate.range.lowerBound < lastEnd { continue }
        if !rule.matchesThroughNoise && scratch.normalized.containsRemovedNoise(candidate.range) { continue }
        if rule.requiresWordBoundary && !scratch.boundary.isAligned(candidate.range, in: text) { continue }
        var severity = rule.severity
        var note: String?
        if let outcome = override(rule, context: context, category: category) {
          guard let s = outcome else { continue }
          severity = s
          note = "override: \(s.rawValue)"
        }
        var suppressed = false
        for (e, exception) in rule.exceptions.enumerated() {
          let covered: Bool
          if exception.phrase != nil {
            covered = exceptionHits.contains {
              $0.rule == candidate.rule && $0.index == e && $0.range.lowerBound <= candidate.range.lowerBound
                && $0.range.upperBound >= candidate.range.upperBound
            }
          } else if let pattern = exception.pattern {
            var found = false
            let line = Checker.line(around: candidate.range, in: text)
            let failure = pattern.forEachMatch(in: text, range: line) { match in
              if match.lowerBound <= candidate.range.lowerBound && match.upperBound >= candidate.range.upperBound {
                found = true
              }
            }
            if let failure { scratch.diagnostics.append(Checker.describe(failure, rule: rule)) }
            covered = found
          } else {
            covered = false
          }
          guard covered else { continue }
          switch exception.action {
          case .suppress:
            suppressed = true
          case .review:
            if severity > .review { severity = .review }
            note = exception.note.map { "可能属于例外（\($0)），已降为人工复核：例外须有证据" }
              ?? "命中例外“\(exception.source)”，已降为人工复核：例外须有证据"
          }
          if suppressed { break }
        }
        if suppressed { continue }
        lastEnd = candidate.range.upperBound
        raw.append(
          RawFinding(
            rule: candidate.rule, range: scratch.normalized.originalRange(of: candidate.range), severity: severity,
            note: note))
      }
      scratch.candidates = candidates
      scratch.exceptionHits = exceptionHits
      scratch.anchorLines = anchorLines
    }
  }

  /// The line (without its line break) that contains `range`.
  static func line(around range: Range<Int>, in text: UnsafeBufferPointer<UInt8>) -> Range<Int> {
    var lower = range.lowerBound
    while lower > 0 && text[lower - 1] != 0x0A { lower -= 1 }
    var upper = range.upperBound
    while upper < text.count && text[upper] != 0x0A { upper += 1 }
    return lower..<upper
  }

  static func describe(_ failure: Pattern.Failure, rule: Rule) -> String {
    switch failure {
    case .matchLimit:
      return "rule '\(rule.id)': a pattern reached the PCRE2 match limit; this text was not fully checked by it"
    case let .other(message):
      return "rule '\(rule.id)': PCRE2 failed: \(message)"
    }
  }
}

/// Converts UTF-8 offsets of a text into lines, columns, UTF-16 offsets and `String` indices.
struct LineIndex {
  private var lineStarts: [Int] = [0]

  init(_ text: String) {
    var offset = 0
    for byte in text.utf8 {
      offset += 1
      if byte == 0x0A { lineStarts.append(offset) }
    }
  }

  /// The 0-based line containing `offset`.
  func line(of offset: Int) -> Int {
    var low = 0
    var high = lineStarts.count - 1
    while low < high {
      let mid = (low + high + 1) / 2
      if lineStarts[mid] <= offset { low = mid } else { high = mid - 1 }
    }
    return low
  }

  func span(utf8 range: Range<Int>, in text: String) -> TextSpan {
    let utf8 = text.utf8
    let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
    let end = utf8.index(utf8.startIndex, offsetBy: range.upperBound)
    let startLine = line(of: range.lowerBound)
    let endLine = range.isEmpty ? startLine : line(of: range.upperBound - 1)
    let startLineIndex = utf8.index(utf8.startIndex, offsetBy: lineStarts[startLine])
    let endLineIndex = utf8.index(utf8.startIndex, offsetBy: lineStarts[endLine])
    let column = text.unicodeScalars[startLineIndex..<start].isEmpty ? 1 : Substring(text.unicodeScalars[startLineIndex..<start]).count + 1
    let endColumn = Substring(text.unicodeScalars[endLineIndex..<end]).count + 1
    let utf16Start = text.utf16.distance(from: text.utf16.startIndex, to: start)
    let utf16End = utf16Start + text.utf16.distance(from: start, to: end)
    return TextSpan(
      utf8: range, utf16: utf16Start..<utf16End, range: start..<end, line: startLine + 1, column: column,
      endLine: endLine + 1, endColumn: endColumn)
  }
}
