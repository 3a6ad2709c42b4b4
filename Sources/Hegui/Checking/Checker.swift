import Foundation

/// Tier 1 (初级): checks a text against compiled rules and reports findings on the exact
/// characters of the original.
///
/// A check normalises the text once (a table lookup per character), runs one automaton over it
/// for every lexicon term, exception phrase, pattern anchor and pattern literal, runs a pattern
/// rule only on lines with one of its anchors or, without anchors, only when the literals every
/// match of it contains occur (``RequiredLiterals``), asks ICU for word boundaries only around
/// hits of rules that need them, filters hits by exceptions and applicability, and maps what is
/// left back to the original. Long texts are processed in chunks that end at line breaks, so
/// memory stays bounded.
///
/// `Checker` is immutable and `Sendable`: build one and share it across tasks and threads.
/// Compiling is the expensive part; a check allocates nothing but its result once warm (its
/// buffers, PCRE2 match data and ICU break iterator come from a per-thread pool), and threads
/// checking at once share no mutable state. Figures and the benchmark: `Docs/performance.md`.
public struct Checker: Sendable {
  /// The rules this checker runs.
  public let ruleset: Ruleset
  private let plan: CheckPlan
  private let normalizer = Normalizer()
  /// Chunk size target in bytes; chunks end at a line break after this many bytes.
  let chunkSize: Int

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
    self.chunkSize = max(1024, chunkSize)
    plan = CheckPlan(ruleset: ruleset, boundaries: wordBoundaries)
  }

  /// Checks one text.
  ///
  /// - Parameters:
  ///   - text: The original text.
  ///   - context: Where it is used and what the shop sells.
  /// - Returns: Findings on the original text and the verdict.
  public func check(_ text: String, context: CheckContext = CheckContext()) -> CheckResult {
    var diagnostics: [String] = []
    let scope = plan.scope(for: context, ruleset: ruleset, diagnostics: &diagnostics)

    var raw: [RawFinding] = []
    let scratch = plan.scratchPool.take() ?? CheckScratch(plan: plan)
    scratch.diagnostics.removeAll(keepingCapacity: true)
    var copy = text
    copy.withUTF8 { buffer in
      var start = 0
      while start < buffer.count {
        let end = chunkEnd(in: buffer, from: start)
        let chunk = UnsafeBufferPointer(rebasing: buffer[start..<end])
        normalizer.normalize(chunk, base: start, into: scratch.normalized)
        checkChunk(scratch, scope: scope, context: context, into: &raw)
        start = end
      }
    }
    diagnostics += scratch.diagnostics
    if let failure = scratch.boundary.takeFailure() { diagnostics.append(failure.description) }
    plan.scratchPool.put(scratch)

    var findings: [Finding] = []
    for index in plan.categoryRules where plan.applies(index, scope) {
      if let finding = categoryFinding(index, context: context, scope: scope) {
        findings.append(finding)
      }
    }
    if !raw.isEmpty {
      raw = onePerPlacePerPack(raw)
      raw.sort { ($0.range.lowerBound, $0.range.upperBound, $0.rule) < ($1.range.lowerBound, $1.range.upperBound, $1.rule) }
      copy.withUTF8 { bytes in
        var locator = SpanLocator(text: text, bytes: bytes)
        for hit in raw {
          let span = locator.span(utf8: hit.range)
          let match = String(text[span.range])
          let rule = plan.findingFacts[hit.rule]
          findings.append(
            Finding(
              ruleID: rule.id, kind: rule.kind, severity: hit.severity, match: match, span: span, field: nil,
              message: plan.message(hit.rule, match: match), suggestions: rule.suggestions, basis: rule.basis,
              policy: rule.policy, isSuppressible: rule.isSuppressible, note: hit.note))
        }
      }
    }
    return CheckResult(findings: findings, diagnostics: diagnostics)
  }

  /// Within one pack, overlapping hits of different rules are one problem in one place (a
  /// lexicon rule and its pattern sibling both seeing 治好 in 能治好胃病): keep the most severe,
  /// then the longest, then the first rule. Hits of different packs are different legal
  /// questions and are all reported.
  private func onePerPlacePerPack(_ hits: [RawFinding]) -> [RawFinding] {
    if hits.count < 2 { return hits }
    let packs = plan.packIndex
    let ordered = hits.sorted {
      let (a, b) = (packs[$0.rule], packs[$1.rule])
      if a != b { return a < b }
      return ($0.severity, $0.range.count, -$0.rule, -$0.range.lowerBound)
        > ($1.severity, $1.range.count, -$1.rule, -$1.range.lowerBound)
    }
    var kept: [RawFinding] = []
    // The ranges kept so far in the current pack: sorted and disjoint, so only the last one that
    // starts before a hit ends can overlap it.
    var taken: [Range<Int>] = []
    var pack: Int32 = -1
    for hit in ordered {
      if packs[hit.rule] != pack {
        pack = packs[hit.rule]
        taken.removeAll(keepingCapacity: true)
      }
      var low = 0
      var high = taken.count
      while low < high {
        let mid = (low + high) / 2
        if taken[mid].lowerBound < hit.range.upperBound { low = mid + 1 } else { high = mid }
      }
      if low > 0 && taken[low - 1].overlaps(hit.range) { continue }
      taken.insert(hit.range, at: low)
      kept.append(hit)
    }
    return kept
  }

  // MARK: Applicability

  private func categoryFinding(_ index: Int, context: CheckContext, scope: CheckPlan.Scope) -> Finding? {
    guard scope.category >= 0, let check = plan.categoryChecks[index] else { return nil }
    let facts = plan.categoryFacts[scope.category]
    // Decide from the precomputed facts first; most listings produce nothing here.
    switch check {
    case let .subject(status):
      guard context.shopSubject == .individual, facts.statuses & CheckPlan.bit(status) != 0 else { return nil }
    case .licence:
      // The nearest category that lists licences decides (保健食品 needs its own licence even
      // though its parent 食品 also accepts a 备案凭证); any one of its licences suffices.
      guard facts.nearestLicences >= 0,
        context.licences.isDisjoint(with: ruleset.categories[Int(facts.nearestLicences)].licences)
      else { return nil }
    }
    // Walk up the category tree: a sub-category inherits its ancestors' restrictions.
    let entries = plan.entryChains[scope.category].map { ruleset.categories[$0] }
    guard let leaf = entries.first else { return nil }
    let rule = ruleset.rules[index]
    var severity = rule.severity
    var note: String?
    if let outcome = override(index, context: context, scope: scope) {
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
  private func override(_ index: Int, context: CheckContext, scope: CheckPlan.Scope) -> Severity?? {
    for (k, o) in ruleset.rules[index].overrides.enumerated() {
      if !o.shopSubjects.isEmpty {
        guard let s = context.shopSubject, o.shopSubjects.contains(s) else { continue }
      }
      if !o.contexts.isEmpty && !o.contexts.contains(context.context) { continue }
      if !o.categories.isEmpty {
        guard scope.category >= 0, plan.isWithin(scope.category, any: plan.overrideCategories[index][k]) else { continue }
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

  struct ExceptionHit {
    var rule: Int
    var index: Int
    var range: Range<Int>
  }

  struct AnchorLine {
    var rule: Int
    var line: Range<Int>
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
    _ scratch: CheckScratch, scope: CheckPlan.Scope, context: CheckContext, into raw: inout [RawFinding]
  ) {
    // Move the reusable arrays out of the scratch (no copy-on-write copy), refill, move back.
    var candidates: [Candidate] = []
    var exceptionHits: [ExceptionHit] = []
    var anchorLines: [AnchorLine] = []
    swap(&candidates, &scratch.candidates)
    swap(&exceptionHits, &scratch.exceptionHits)
    swap(&anchorLines, &scratch.anchorLines)
    defer {
      swap(&candidates, &scratch.candidates)
      swap(&exceptionHits, &scratch.exceptionHits)
      swap(&anchorLines, &scratch.anchorLines)
    }
    if !candidates.isEmpty { candidates.removeAll(keepingCapacity: true) }
    if !exceptionHits.isEmpty { exceptionHits.removeAll(keepingCapacity: true) }
    if !anchorLines.isEmpty { anchorLines.removeAll(keepingCapacity: true) }
    scratch.boundary.textChanged()
    scratch.nextEpoch()
    let epoch = scratch.epoch
    let normalized = scratch.normalized
    let text = normalized.buffer
    let plan = self.plan

    let gates = scratch.gateEpoch
    var lastLine = 0..<0
    var lastLineKnown = false
    plan.automaton.scan(text) { term, range in
      switch plan.owners[term] {
      case let .term(rule):
        if plan.applies(Int(rule), scope) { candidates.append(Candidate(rule: Int(rule), range: range)) }
      case let .exception(rule, index):
        if plan.applies(Int(rule), scope) {
          exceptionHits.append(ExceptionHit(rule: Int(rule), index: Int(index), range: range))
        }
      case let .anchor(rule):
        if plan.applies(Int(rule), scope) {
          // Hits come in order and most fall on the line of the previous one, found already.
          if !lastLineKnown || range.lowerBound < lastLine.lowerBound || range.upperBound > lastLine.upperBound {
            lastLine = Checker.line(around: range, in: text)
            lastLineKnown = true
          }
          let line = lastLine
          if anchorLines.last.map({ $0.rule != Int(rule) || $0.line != line }) ?? true {
            anchorLines.append(AnchorLine(rule: Int(rule), line: line))
          }
        }
      case let .gate(slot):
        gates[Int(slot)] = epoch
      }
    }

    // Pattern rules: with anchors, only on the lines that contain one; without, everywhere. But
    // a pattern runs only when every literal set it needs (RequiredLiterals) has an occurrence
    // in the chunk: without one no match is possible, so skipping PCRE2 changes no result.
    func gatesOpen(_ slots: Range<Int32>) -> Bool {
      for g in slots where gates[Int(plan.gateSlots[Int(g)])] != epoch { return false }
      return true
    }
    for k in plan.patternRules.indices {
      let patternRule = plan.patternRules[k]
      let index = patternRule.rule
      guard plan.applies(index, scope) else { continue }
      if patternRule.anchored {
        var lines: [Range<Int>] = []
        swap(&lines, &scratch.lines)
        if !lines.isEmpty { lines.removeAll(keepingCapacity: true) }
        var sorted = true
        for entry in anchorLines where entry.rule == index {
          if let last = lines.last, last.lowerBound > entry.line.lowerBound { sorted = false }
          lines.append(entry.line)
        }
        // Anchor hits come in order of their end, so lines almost always come sorted already.
        if !sorted { lines.sort { $0.lowerBound < $1.lowerBound } }
        var previous = -1
        for range in lines where range.lowerBound != previous {
          previous = range.lowerBound
          for p in patternRule.patterns where gatesOpen(plan.patternSlots[Int(p)].gates) {
            let handle = plan.patternSlots[Int(p)].handle
            runPattern(handle, rule: index, range: range, in: text, scratch: scratch, into: &candidates)
          }
        }
        swap(&lines, &scratch.lines)
      } else {
        for p in patternRule.patterns where gatesOpen(plan.patternSlots[Int(p)].gates) {
          let handle = plan.patternSlots[Int(p)].handle
          runPattern(handle, rule: index, range: 0..<text.count, in: text, scratch: scratch, into: &candidates)
        }
      }
    }
    if candidates.isEmpty { return }

    // Filter, then keep the leftmost-longest hits of each rule.
    candidates.sort { ($0.rule, $0.range.lowerBound, -$0.range.count) < ($1.rule, $1.range.lowerBound, -$1.range.count) }
    var lastRule = -1
    var lastEnd = 0
    for candidate in candidates {
      let facts = plan.facts[candidate.rule]
      if candidate.rule != lastRule {
        lastRule = candidate.rule
        lastEnd = 0
      }
      if candidate.range.lowerBound < lastEnd { continue }
      if !facts.matchesThroughNoise && normalized.containsRemovedNoise(candidate.range) { continue }
      if facts.requiresWordBoundary && !scratch.boundary.isAligned(candidate.range, in: text) { continue }
      var severity = facts.severity
      var note: String?
      if facts.hasOverrides, let outcome = override(candidate.rule, context: context, scope: scope) {
        guard let s = outcome else { continue }
        severity = s
        note = "override: \(s.rawValue)"
      }
      var suppressed = false
      if facts.hasExceptions {
        let exceptions = plan.exceptionRanges[candidate.rule]
        for x in exceptions {
          let exception = plan.exceptions[Int(x)]
          let e = Int(x - exceptions.lowerBound)
          let covered: Bool
          if exception.isPhrase {
            covered = exceptionHits.contains {
              $0.rule == candidate.rule && $0.index == e && $0.range.lowerBound <= candidate.range.lowerBound
                && $0.range.upperBound >= candidate.range.upperBound
            }
          } else if exception.handle >= 0 && gatesOpen(exception.gates) {
            var found = false
            let line = Checker.line(around: candidate.range, in: text)
            let failure = match(exception.handle, range: line, in: text, scratch: scratch) { match in
              if match.lowerBound <= candidate.range.lowerBound && match.upperBound >= candidate.range.upperBound {
                found = true
              }
            }
            if let failure { scratch.diagnostics.append(Checker.describe(failure, rule: ruleset.rules[candidate.rule])) }
            covered = found
          } else {
            covered = false
          }
          guard covered else { continue }
          if exception.suppresses {
            suppressed = true
            break
          }
          if severity > .review { severity = .review }
          note = exceptionNote(rule: candidate.rule, exception: e)
        }
      }
      if suppressed { continue }
      lastEnd = candidate.range.upperBound
      raw.append(
        RawFinding(rule: candidate.rule, range: normalized.originalRange(of: candidate.range), severity: severity, note: note))
    }
  }

  /// The note on a hit an exception downgraded to review.
  private func exceptionNote(rule: Int, exception index: Int) -> String {
    let exception = ruleset.rules[rule].exceptions[index]
    return exception.note.map { "可能属于例外（\($0)），已降为人工复核：例外须有证据" }
      ?? "命中例外“\(exception.source)”，已降为人工复核：例外须有证据"
  }

  private func runPattern(
    _ handle: Int32, rule: Int, range: Range<Int>, in text: UnsafeBufferPointer<UInt8>, scratch: CheckScratch,
    into candidates: inout [Candidate]
  ) {
    let failure = match(handle, range: range, in: text, scratch: scratch) { match in
      candidates.append(Candidate(rule: rule, range: match))
    }
    if let failure { scratch.diagnostics.append(Checker.describe(failure, rule: ruleset.rules[rule])) }
  }

  private func match(
    _ handle: Int32, range: Range<Int>, in text: UnsafeBufferPointer<UInt8>, scratch: CheckScratch,
    _ body: (Range<Int>) -> Void
  ) -> Pattern.Failure? {
    if let data = scratch.matchData {
      return Pattern.forEachMatch(plan.handles[Int(handle)], in: text, range: range, matchData: data, body)
    }
    return plan.patterns[Int(handle)].forEachMatch(in: text, range: range, body)
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

/// Converts sorted UTF-8 offsets of a text into lines, columns, UTF-16 offsets and `String`
/// indices, scanning the bytes once up to the last finding instead of indexing the whole text.
struct SpanLocator {
  /// A position in the text with what is known about everything before it.
  private struct Cursor {
    var offset = 0
    var line = 0  // line breaks before `offset`
    var lineStart = 0  // offset just after the last line break before `offset`
    var utf16 = 0  // UTF-16 code units before `offset`

    mutating func advance(to target: Int, in bytes: UnsafeBufferPointer<UInt8>) {
      while offset < target {
        let byte = bytes[offset]
        if byte & 0xC0 != 0x80 { utf16 += byte >= 0xF0 ? 2 : 1 }
        offset += 1
        if byte == 0x0A {
          line += 1
          lineStart = offset
        }
      }
    }
  }

  private let text: String
  private let bytes: UnsafeBufferPointer<UInt8>
  private var cursor = Cursor()

  /// - Parameters:
  ///   - text: The original text.
  ///   - bytes: Its UTF-8, alive while the locator is used.
  init(text: String, bytes: UnsafeBufferPointer<UInt8>) {
    self.text = text
    self.bytes = bytes
  }

  /// The number of characters (grapheme clusters) in `range` when every scalar in it is one
  /// between which and any other such scalar Unicode always breaks (ASCII but CR, Latin-1 and
  /// Latin Extended, CJK punctuation but the tone marks, CJK ideographs, full-width forms);
  /// else nil, and the standard library counts.
  private func simpleCharacterCount(_ range: Range<Int>) -> Int? {
    guard let base = bytes.baseAddress else { return range.isEmpty ? 0 : nil }
    var count = 0
    var i = range.lowerBound
    while i < range.upperBound {
      let (scalar, length) = Normalizer.decode(base, at: i)
      switch scalar {
      case 0x00...0x0C, 0x0E...0x02FF, 0x3000...0x3029, 0x3030...0x303F, 0x3400...0x4DBF, 0x4E00...0x9FFF,
        0xFF01...0xFF60:
        count += 1
      default:
        return nil
      }
      i += length
    }
    return count
  }

  /// The span of `range`; ranges must come in non-decreasing order of their lower bounds.
  mutating func span(utf8 range: Range<Int>) -> TextSpan {
    if range.lowerBound < cursor.offset { cursor = Cursor() }
    cursor.advance(to: range.lowerBound, in: bytes)
    let startCursor = cursor
    var endCursor = cursor
    var endLine = startCursor.line
    var endLineStart = startCursor.lineStart
    if !range.isEmpty {
      endCursor.advance(to: range.upperBound - 1, in: bytes)
      endLine = endCursor.line
      endLineStart = endCursor.lineStart
    }
    endCursor.advance(to: range.upperBound, in: bytes)

    let utf8 = text.utf8
    let start = utf8.index(utf8.startIndex, offsetBy: range.lowerBound)
    let end = utf8.index(utf8.startIndex, offsetBy: range.upperBound)
    let startLineIndex = utf8.index(utf8.startIndex, offsetBy: startCursor.lineStart)
    let endLineIndex = utf8.index(utf8.startIndex, offsetBy: endLineStart)
    let column =
      (simpleCharacterCount(startCursor.lineStart..<range.lowerBound)
        ?? Substring(text.unicodeScalars[startLineIndex..<start]).count) + 1
    let endColumn =
      (simpleCharacterCount(endLineStart..<range.upperBound)
        ?? Substring(text.unicodeScalars[endLineIndex..<end]).count) + 1
    return TextSpan(
      utf8: range, utf16: startCursor.utf16..<endCursor.utf16, range: start..<end, line: startCursor.line + 1,
      column: column, endLine: endLine + 1, endColumn: endColumn)
  }
}
