/// Stage 2 of a check: every candidate hit in the normalised chunk.
extension Checker {
  /// Fills `hits` with the candidates (terms and pattern matches of applicable rules), exception
  /// phrases and anchored lines of the chunk in `scratch.normalized`.
  ///
  /// One automaton pass finds every term, exception phrase, pattern anchor and gate literal. A
  /// pattern with anchors runs only on the lines that hold one; every pattern runs only when each
  /// literal set it needs (``RequiredLiterals``) occurred in the chunk: without one no match is
  /// possible, so skipping PCRE2 changes no result.
  func collectCandidates(
    _ scratch: CheckScratch, scope: CheckPlan.Scope, seam: inout ChunkSeam, into hits: inout HitLists
  ) {
    scratch.startChunk()
    let epoch = scratch.epoch
    let text = scratch.normalized.buffer
    let plan = self.plan
    let gates = scratch.gateEpoch

    var lastLine = 0..<0
    var lastLineKnown = false
    do {
      plan.automaton.scan(text) { term, range in
        switch plan.owners[term] {
        case let .term(rule):
          if plan.applies(Int(rule), scope) { hits.candidates.append(Candidate(rule: Int(rule), range: range)) }
        case let .exception(rule, index):
          if plan.applies(Int(rule), scope) {
            hits.exceptionHits.append(ExceptionHit(rule: Int(rule), index: Int(index), range: range))
          }
        case let .anchor(rule):
          if plan.applies(Int(rule), scope) {
            // Hits come in order and most fall on the line of the previous one, found already.
            if !lastLineKnown || range.lowerBound < lastLine.lowerBound || range.upperBound > lastLine.upperBound {
              lastLine = Checker.line(around: range, in: text)
              lastLineKnown = true
            }
            let line = lastLine
            if hits.anchorLines.last.map({ $0.rule != Int(rule) || $0.line != line }) ?? true {
              hits.anchorLines.append(AnchorLine(rule: Int(rule), line: line))
            }
          }
        case let .gate(slot):
          gates[Int(slot)] = epoch
        }
      }
    }

    // Terms written in pinyin, with homophones or look-alikes.
    if !plan.evasion.isEmpty {
      plan.evasion.forEachMatch(in: text, scratch: &scratch.evasion) { term, range in
        let rule = Int(plan.evasion.terms[term].rule)
        if plan.applies(rule, scope) {
          hits.candidates.append(Candidate(rule: rule, range: range, evaded: Int32(term)))
        }
      }
    }

    for patternRule in plan.patternRules where plan.applies(patternRule.rule, scope) {
      let rule = patternRule.rule
      if patternRule.anchored {
        for range in hits.anchoredLines(of: rule) {
          for p in patternRule.patterns where scratch.gatesOpen(plan.patternSlots[Int(p)].gates, plan: plan) {
            runPattern(p, rule: rule, range: range, scratch: scratch, seam: &seam, into: &hits)
          }
        }
      } else {
        for p in patternRule.patterns where scratch.gatesOpen(plan.patternSlots[Int(p)].gates, plan: plan) {
          runPattern(p, rule: rule, range: 0..<text.count, scratch: scratch, seam: &seam, into: &hits)
        }
      }
    }
  }

  private func runPattern(
    _ slot: Int32, rule: Int, range: Range<Int>, scratch: CheckScratch, seam: inout ChunkSeam,
    into hits: inout HitLists
  ) {
    var range = range
    if let incoming = seam.incoming, let end = incoming.patternEnds[slot] {
      // After a cut: resume where the previous chunk's last match of this pattern ended.
      let resume = scratch.normalized.offset(atOrAfterOriginal: end)
      if resume >= range.upperBound { return }
      range = max(range.lowerBound, resume)..<range.upperBound
    }
    let outgoing = seam.outgoing
    let failure = match(plan.patternSlots[Int(slot)].handle, range: range, scratch: scratch) { match in
      hits.candidates.append(Candidate(rule: rule, range: match))
      if let cut = outgoing {
        let original = scratch.normalized.originalRange(of: match)
        if original.lowerBound < cut.start || original.upperBound <= cut.handoff {
          seam.outgoingPatternEnds[slot] = max(seam.outgoingPatternEnds[slot] ?? 0, original.upperBound)
        }
      }
    }
    if let failure { scratch.diagnostics.append(plan.diagnostic(for: failure, rule: rule)) }
  }

  /// Runs a compiled pattern over `range` of the normalised chunk.
  func match(
    _ handle: Int32, range: Range<Int>, scratch: CheckScratch, _ body: (Range<Int>) -> Void
  ) -> Pattern.Failure? {
    let text = scratch.normalized.buffer
    if let data = scratch.matchData {
      return Pattern.forEachMatch(plan.handles[Int(handle)], in: text, range: range, matchData: data, body)
    }
    return plan.patterns[Int(handle)].forEachMatch(in: text, range: range, body)
  }

  /// Runs a compiled pattern over `range` of the normalised chunk, seeing overlapping matches
  /// (``Pattern/forEachOverlappingMatch(in:range:_:)``); `body` returns false to stop.
  func overlappingMatch(
    _ handle: Int32, range: Range<Int>, scratch: CheckScratch, _ body: (Range<Int>) -> Bool
  ) -> Pattern.Failure? {
    let text = scratch.normalized.buffer
    if let data = scratch.matchData {
      return Pattern.forEachOverlappingMatch(plan.handles[Int(handle)], in: text, range: range, matchData: data, body)
    }
    return plan.patterns[Int(handle)].forEachOverlappingMatch(in: text, range: range, body)
  }

  /// How far (bytes of normalised text) before and after a hit a pattern exception is looked
  /// for. Exceptions are phrases around the hit (a negation, a product name), never paragraphs.
  static let exceptionReach = 1024

  /// The line (without its line break) that contains `range`; with `reach`, no more than `reach`
  /// bytes before and after `range` (a cut falls back to a character boundary).
  static func line(
    around range: Range<Int>, in text: UnsafeBufferPointer<UInt8>, reach: Int = .max
  ) -> Range<Int> {
    let floor = range.lowerBound > reach ? range.lowerBound - reach : 0
    var lower = range.lowerBound
    while lower > floor && text[lower - 1] != 0x0A { lower -= 1 }
    while lower > 0 && lower < range.lowerBound && text[lower] & 0xC0 == 0x80 { lower += 1 }
    let ceiling = text.count - range.upperBound > reach ? range.upperBound + reach : text.count
    var upper = range.upperBound
    while upper < ceiling && text[upper] != 0x0A { upper += 1 }
    while upper < text.count && upper > range.upperBound && text[upper] & 0xC0 == 0x80 { upper -= 1 }
    return lower..<upper
  }
}
