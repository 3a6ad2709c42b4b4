/// Stage 3 of a check: the filters a candidate must pass to become a finding.
extension Checker {
  /// Keeps the leftmost-longest candidates of each rule that pass the filters, in this order:
  /// noise (a rule may refuse hits with noise removed inside them), ICU word boundaries (for
  /// rules that ask), overrides (by shop subject, category, context, licence) and exceptions
  /// (a phrase or pattern that covers the hit suppresses it or downgrades it to review). What
  /// passes is mapped back to original offsets and appended to `raw`.
  func filterCandidates(
    _ hits: inout HitLists, scratch: CheckScratch, scope: CheckPlan.Scope, context: CheckContext,
    seam: ChunkSeam, into raw: inout [RawFinding]
  ) {
    if hits.candidates.isEmpty { return }
    let plan = self.plan
    let normalized = scratch.normalized
    let text = normalized.buffer
    // Exact hits first, then hits through pinyin, homophones or look-alikes: one of those counts
    // only where no exact hit of the same rule was kept (最最最便宜 stays the 最便宜 it holds).
    hits.candidates.sort { (a: Candidate, b: Candidate) -> Bool in
      let (ea, eb) = (a.evaded >= 0, b.evaded >= 0)
      if ea != eb { return eb }
      return (a.rule, a.range.lowerBound, -a.range.count) < (b.rule, b.range.lowerBound, -b.range.count)
    }
    var lastRule = -1
    var lastEnd = 0
    var inEvasions = false
    /// Per rule: its exact hits kept in this call (a range of `raw`, ascending). Few rules hit a
    /// chunk: a list, searched only when an evasion candidate comes.
    var exactKept = ExactKept()
    var ruleFirst = raw.count
    /// Exact hits that end by the handoff of a cut (the previous chunk's), for widening.
    var handedOffExact: [RawFinding] = []
    let hasEvasions = hits.candidates.last.map { $0.evaded >= 0 } ?? false
    for candidate in hits.candidates {
      let facts = plan.facts[candidate.rule]
      if candidate.evaded >= 0 && !inEvasions {
        inEvasions = true
        if lastRule >= 0 { exactKept.set(lastRule, ruleFirst..<raw.count) }
        lastRule = -1
      }
      if candidate.rule != lastRule {
        if lastRule >= 0 && !inEvasions && hasEvasions { exactKept.set(lastRule, ruleFirst..<raw.count) }
        ruleFirst = raw.count
        lastRule = candidate.rule
        lastEnd = 0
        // After a cut: the rule's hits resume after the previous chunk's last finding of it.
        if let end = seam.incoming?.ruleEnds[candidate.rule] {
          lastEnd = normalized.offset(atOrAfterOriginal: end)
        }
      }
      if candidate.range.lowerBound < lastEnd { continue }
      // After a cut, a hit that ends by the handoff is the previous chunk's, found or not. An exact
      // one is still judged when evasion hits may widen it (below): the previous chunk widened it
      // too, and gave the widened finding, which ends after the handoff, to this chunk.
      var handedOff = false
      if let incoming = seam.incoming, normalized.originalRange(of: candidate.range).upperBound <= incoming.handoff {
        guard !inEvasions && hasEvasions else { continue }
        handedOff = true
      }
      if !facts.matchesThroughNoise && normalized.containsRemovedNoise(candidate.range) { continue }
      // An evasion reading over an exact hit of the rule adds nothing unless it widens it (below):
      // decided before the word boundaries, which cost an ICU pass (最低价 reads as the listed
      // 最底价 too, wherever it is written exactly).
      var widens: Int?
      if inEvasions, let kept = exactKept.hits(of: candidate.rule) {
        let original = normalized.originalRange(of: candidate.range)
        if let inside = Self.overlapping(original, raw[kept]) {
          guard let k = inside, original.count > raw[k].range.count, raw[k].evaded < 0 else { continue }
          widens = k
        }
      }
      // A term read through pinyin, homophones or look-alikes must also stand as words of its own:
      // 国家集训队 holds 国家集 (国家级 with 集 for 级), but 集 is part of 集训队.
      if (facts.requiresWordBoundary || candidate.evaded >= 0) && !scratch.boundary.isAligned(candidate.range, in: text)
      {
        continue
      }
      if inEvasions {
        let original = normalized.originalRange(of: candidate.range)
        if let k = widens {
          // An exact hit of the rule here already, and the evasion reading covers it and more
          // (全网zui低价 read as 全网最低价 around the listed zui低价; 最最最便宜 around 最便宜):
          // the finding widens to the whole evasion and keeps its severity.
          raw[k].range = original
          raw[k].evaded = candidate.evaded
          continue
        }
        // The same with an exact hit the previous chunk owns: it widened it and handed it here.
        if let k = handedOffExact.firstIndex(where: { $0.rule == candidate.rule && $0.range.overlaps(original) }) {
          let exact = handedOffExact[k]
          if original.count > exact.range.count && original.lowerBound <= exact.range.lowerBound
            && exact.range.upperBound <= original.upperBound
          {
            handedOffExact.remove(at: k)
            raw.append(
              RawFinding(
                rule: candidate.rule, range: original, severity: exact.severity, note: exact.note,
                evaded: candidate.evaded))
          }
          continue
        }
      }
      var severity = inEvasions ? facts.evasionSeverity : facts.severity
      var note: String?
      if facts.hasOverrides, let outcome = override(candidate.rule, context: context, scope: scope) {
        guard let s = outcome else { continue }
        severity = inEvasions ? min(s, facts.evasionSeverity) : s
        note = "override: \(s.rawValue)"
      }
      if facts.hasExceptions {
        switch exceptionOutcome(candidate, exceptionHits: hits.exceptionHits, scratch: scratch) {
        case .none: break
        case .suppress: continue
        case let .review(exception):
          if severity > .review { severity = .review }
          note = exceptionNote(rule: candidate.rule, exception: exception)
        }
      }
      if handedOff {
        handedOffExact.append(
          RawFinding(
            rule: candidate.rule, range: normalized.originalRange(of: candidate.range), severity: severity, note: note))
        continue
      }
      lastEnd = candidate.range.upperBound
      raw.append(
        RawFinding(
          rule: candidate.rule, range: normalized.originalRange(of: candidate.range), severity: severity, note: note,
          evaded: candidate.evaded))
    }
  }

  /// Whether `range` overlaps one of `kept`'s ranges (ascending, not overlapping each other):
  /// nil when none does; otherwise the index of the one it overlaps when that one is the only one
  /// and lies inside `range`, else `.some(nil)`.
  private static func overlapping(_ range: Range<Int>, _ kept: ArraySlice<RawFinding>) -> Int?? {
    var low = kept.startIndex
    var high = kept.endIndex
    // The first kept hit that ends after the range starts.
    while low < high {
      let mid = (low + high) / 2
      if kept[mid].range.upperBound <= range.lowerBound { low = mid + 1 } else { high = mid }
    }
    guard low < kept.endIndex, kept[low].range.lowerBound < range.upperBound else { return nil }
    let only = low + 1 == kept.endIndex || kept[low + 1].range.lowerBound >= range.upperBound
    let inside = range.lowerBound <= kept[low].range.lowerBound && kept[low].range.upperBound <= range.upperBound
    return .some(only && inside ? low : nil)
  }

  /// What the rule's exceptions do to a hit.
  private enum ExceptionOutcome {
    case none
    case suppress
    /// Downgraded by the last covering exception of this index.
    case review(Int)
  }

  /// Walks the rule's exceptions in order: the first suppressing exception that covers the hit
  /// wins; a downgrading one is remembered and later ones may still suppress.
  private func exceptionOutcome(
    _ candidate: Candidate, exceptionHits: [ExceptionHit], scratch: CheckScratch
  ) -> ExceptionOutcome {
    var outcome = ExceptionOutcome.none
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
      } else if exception.handle >= 0 && scratch.gatesOpen(exception.gates, plan: plan) {
        var found = false
        // The candidate's line, at most `exceptionReach` bytes either side: a line of megabytes
        // (an ASR transcript without breaks) must not be searched once per candidate.
        let line = Checker.line(
          around: candidate.range, in: scratch.normalized.buffer, reach: Checker.exceptionReach)
        // Every match that starts by the hit is tried, overlapping ones included: whether an
        // exception covers a hit must not depend on where the window began (a disclaimer
        // repeated without a break, 本品不能代替药物本品不能代替药物, is lawful every time).
        let failure = overlappingMatch(exception.handle, range: line, scratch: scratch) { match in
          if match.lowerBound > candidate.range.lowerBound { return false }
          if match.upperBound >= candidate.range.upperBound {
            found = true
            return false
          }
          return true
        }
        if let failure { scratch.diagnostics.append(plan.diagnostic(for: failure, rule: candidate.rule)) }
        covered = found
      } else {
        covered = false
      }
      guard covered else { continue }
      if exception.suppresses { return .suppress }
      outcome = .review(e)
    }
    return outcome
  }

  /// The note on a hit an exception downgraded to review.
  private func exceptionNote(rule: Int, exception index: Int) -> String {
    let exception = ruleset.rules[rule].exceptions[index]
    return exception.note.map { "可能属于例外（\($0)），已降为人工复核：例外须有证据" }
      ?? "命中例外“\(exception.source)”，已降为人工复核：例外须有证据"
  }

  /// The first matching override: `.some(nil)` = suppress, `.some(severity)`, or `nil` when none
  /// applies.
  func override(_ index: Int, context: CheckContext, scope: CheckPlan.Scope) -> Severity?? {
    for (k, o) in ruleset.rules[index].overrides.enumerated() {
      if !o.shopSubjects.isEmpty {
        guard let s = context.shopSubject, o.shopSubjects.contains(s) else { continue }
      }
      if !o.contexts.isEmpty && !o.contexts.contains(context.context) { continue }
      if !o.categories.isEmpty {
        guard scope.category >= 0, plan.isWithin(scope.category, any: plan.overrideCategories[index][k]) else {
          continue
        }
      }
      if !o.licences.isEmpty && o.licences.isDisjoint(with: context.licences) { continue }
      return .some(o.suppress ? nil : o.severity)
    }
    return nil
  }
}

/// Per rule, the range of `raw` that holds its exact hits kept in one chunk.
struct ExactKept {
  private var entries: [(rule: Int, hits: Range<Int>)] = []

  mutating func set(_ rule: Int, _ hits: Range<Int>) {
    if !hits.isEmpty { entries.append((rule, hits)) }
  }

  func hits(of rule: Int) -> Range<Int>? { entries.first { $0.rule == rule }?.hits }
}
