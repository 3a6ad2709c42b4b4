/// Tier 1 (初级): checks a text against compiled rules and reports findings on the exact
/// characters of the original.
///
/// A check reads as its data flow, one file per stage:
/// 1. the text is cut into `Chunks` that end at line breaks, and each chunk is normalised
///    once (a table lookup per character, `Normalizer`);
/// 2. candidate collection (`Checker+Candidates.swift`): one automaton pass finds every lexicon
///    term, exception phrase, pattern anchor and pattern literal; a pattern rule runs only on
///    lines with one of its anchors or, without anchors, only when the literals every match of
///    it contains occur (`RequiredLiterals`);
/// 3. filters (`Checker+Filters.swift`): noise, ICU word boundaries (asked only around hits of
///    rules that need them), overrides and exceptions; what is left is mapped back to the
///    original text;
/// 4. one finding per place per pack, category findings (`Checker+Categories.swift`) and span
///    location (`SpanLocator`) build the result.
///
/// `Checker` is immutable and `Sendable`: build one and share it across tasks and threads.
/// Compiling is the expensive part; a check allocates nothing but its result once warm (its
/// buffers, PCRE2 match data and ICU break iterator come from a per-thread pool), and threads
/// checking at once share no mutable state. Figures and the benchmark: `Docs/performance.md`.
public struct Checker: Sendable {
  /// The rules this checker runs.
  public let ruleset: Ruleset
  let plan: CheckPlan
  let normalizer = Normalizer()
  let chunks: Chunks

  /// Compiles the rules into a checker.
  ///
  /// - Parameters:
  ///   - ruleset: Loaded rules (``Ruleset/shipped()`` or ``Ruleset/load(directories:includingShipped:)``).
  ///   - wordBoundaries: The ICU word-boundary service to use; share one across checkers.
  public init(ruleset: Ruleset, wordBoundaries: WordBoundaries = WordBoundaries()) {
    self.init(ruleset: ruleset, wordBoundaries: wordBoundaries, chunkSize: 1 << 16)
  }

  /// Compiles the rules into a checker, choosing whether lexicon terms are also matched when
  /// written in pinyin, with homophones or with look-alike characters (``Rule/matchesHomophones``).
  ///
  /// - Parameters:
  ///   - ruleset: Loaded rules.
  ///   - wordBoundaries: The ICU word-boundary service to use.
  ///   - matchesEvasions: `false` turns pinyin, homophone and look-alike matching off (to measure
  ///     what it adds); noise between characters is still removed.
  public init(ruleset: Ruleset, wordBoundaries: WordBoundaries = WordBoundaries(), matchesEvasions: Bool) {
    self.init(ruleset: ruleset, wordBoundaries: wordBoundaries, chunkSize: 1 << 16, matchesEvasions: matchesEvasions)
  }

  package init(ruleset: Ruleset, wordBoundaries: WordBoundaries, chunkSize: Int, matchesEvasions: Bool = true) {
    self.ruleset = ruleset
    chunks = Chunks(size: chunkSize)
    plan = CheckPlan(ruleset: ruleset, boundaries: wordBoundaries, matchesEvasions: matchesEvasions)
  }

  /// Chunk size target in bytes; chunks end at a line break after this many bytes.
  package var chunkSize: Int { chunks.size }

  /// Checks one text.
  ///
  /// A title or description checked without a category gets one when its text names exactly one
  /// category's `markers` (图书, 游戏币, vcd, …: `Rulesets/categories.yml`), so that the title of a
  /// book or a game is judged as one; an explicit category always wins.
  ///
  /// - Parameters:
  ///   - text: The original text.
  ///   - context: Where it is used and what the shop sells.
  /// - Returns: Findings on the original text and the verdict.
  public func check(_ text: String, context: CheckContext = CheckContext()) -> CheckResult {
    var diagnostics: [Diagnostic] = []
    let infers = context.category == nil && TextContext.inferringCategory.contains(context.context)
    var scope = plan.scope(
      for: context, text: infers && plan.infersEagerly ? text : nil, ruleset: ruleset, diagnostics: &diagnostics)
    var result = textFindings(text, context: context, scope: scope)
    // Lazy inference (see `CheckPlan.infersEagerly`): only a text with findings can change.
    if infers && !plan.infersEagerly && !result.findings.isEmpty, let category = plan.inferredCategory(text) {
      scope.category = category
      result = textFindings(text, context: context, scope: scope)
    }
    var findings = categoryFindings(
      context: context, scope: scope, advertisement: context.context == .description ? text : nil)
    if findings.isEmpty {
      findings = result.findings
    } else {
      findings += result.findings
    }
    return CheckResult(
      findings: findings, diagnostics: diagnostics.isEmpty ? result.diagnostics : diagnostics + result.diagnostics)
  }

  /// Checks a listing: its title and description, each in its own context, and its facts
  /// (category, shop subject, licences) once.
  ///
  /// The listing's own facts take precedence over `context`'s; its licences are added to those
  /// of `context`. A category finding is reported once for the listing, not once per field.
  ///
  /// - Parameters:
  ///   - listing: The listing.
  ///   - context: Facts the listing does not state (the shop's subject, licences); its text
  ///     context is ignored.
  /// - Returns: The findings by field and the listing's verdict.
  public func check(listing: Listing, context: CheckContext = CheckContext()) -> ListingResult {
    var situation = context
    situation.shopSubject = listing.shopSubject ?? context.shopSubject
    situation.category = listing.category ?? context.category
    situation.licences = listing.licences.union(context.licences)
    var diagnostics: [Diagnostic] = []
    // The listing's facts are resolved once; each field is then checked in its own context. A
    // listing without a category gets the one its title and description name (as `check(_:)`
    // does, lazily unless a rule needs it up front).
    var facts = situation
    facts.context = .title
    let infers = situation.category == nil
    let texts = [listing.title, listing.description].compactMap { $0 }
    // Inferred from the title and description together: markers of two categories anywhere in
    // the listing leave it without one.
    func inferred() -> Int? { plan.inferredCategory(texts.joined(separator: "\n")) }
    var scope = plan.scope(for: facts, ruleset: ruleset, diagnostics: &diagnostics)
    if infers && plan.infersEagerly, let category = inferred() { scope.category = category }
    func checkFields() -> [ListingResult.Field] {
      var fields: [ListingResult.Field] = []
      var fieldScope = scope
      var fieldSituation = situation
      for (field, value) in [(ListingField.title, listing.title), (.description, listing.description)] {
        guard let value else { continue }
        fieldSituation.context = field.context
        fieldScope.context = CheckPlan.Scope.bit(field.context)
        let result = textFindings(value, context: fieldSituation, scope: fieldScope)
        fields.append(ListingResult.Field(field: field, text: value, result: result))
      }
      return fields
    }
    var fields = checkFields()
    if infers && !plan.infersEagerly && fields.contains(where: { !$0.result.findings.isEmpty }),
      let category = inferred()
    {
      scope.category = category
      fields = checkFields()
    }
    // Notice rules read the whole listing; one without a description is not an advertisement
    // that can be expected to carry a notice (titles are too short for one).
    let metadata = categoryFindings(
      context: situation, scope: scope,
      advertisement: listing.description == nil ? nil : texts.joined(separator: "\n"))
    return ListingResult(metadata: metadata, fields: fields, diagnostics: diagnostics)
  }

  /// The findings on the text itself (no category findings), with the diagnostics of the check.
  private func textFindings(_ text: String, context: CheckContext, scope: CheckPlan.Scope) -> CheckResult {
    var raw: [RawFinding] = []
    let scratch = plan.scratchPool.take() ?? CheckScratch(plan: plan)
    scratch.diagnostics.removeAll(keepingCapacity: true)
    var copy = text
    var previousChunk = 0  // index in `raw` of the previous chunk's first hit
    let speech = TextContext.speech.contains(context.context)
    // Listings are pasted from HTML editors: tags and character references are read as shown.
    let markup = !speech
    var seam = ChunkSeam()
    /// Keeps, in order, the hits from `start` on that `keep` accepts.
    func retain(from start: Int, _ keep: (RawFinding) -> Bool) {
      var kept = start
      for k in start..<raw.count where keep(raw[k]) {
        raw[kept] = raw[k]
        kept += 1
      }
      raw.removeSubrange(kept...)
    }
    copy.withUTF8 { buffer in
      chunks.forEach(in: buffer) { chunk in
        normalizer.normalize(
          UnsafeBufferPointer(rebasing: buffer[chunk.scan]), base: chunk.scan.lowerBound, into: scratch.normalized,
          markup: markup)
        // The chunk reaches back over a cut inside a line: the overlap is read by both chunks.
        // Hits that end in its first half are the previous chunk's, hits that end after it are
        // this one's, so that every hit is judged with half an overlap of text on both sides (an
        // exception that reads past the cut, 长期喝也没事吗, must see the 吗). A hit that starts
        // before the overlap only the previous chunk saw whole; it stays there.
        // Where a rule's matches can be parsed two ways, the chunk after the cut resumes in step
        // with the one before (``ChunkSeam``).
        let cut = chunk.isCut
        let (overlapStart, handoff) = (chunk.scan.lowerBound, chunk.handoff)
        if cut {
          retain(from: previousChunk) { $0.range.lowerBound < overlapStart || $0.range.upperBound <= handoff }
          var ruleEnds: [Int: Int] = [:]
          for hit in raw[previousChunk...] { ruleEnds[hit.rule] = max(ruleEnds[hit.rule] ?? 0, hit.range.upperBound) }
          seam.incoming = ChunkSeam.Incoming(
            handoff: handoff, ruleEnds: ruleEnds, patternEnds: seam.outgoingPatternEnds)
        } else {
          seam.incoming = nil
        }
        seam.outgoing = chunk.nextCut
        seam.outgoingPatternEnds.removeAll()
        let before = raw.count
        scratch.withHitLists { hits in
          collectCandidates(scratch, scope: scope, seam: &seam, into: &hits)
          filterCandidates(&hits, scratch: scratch, scope: scope, context: context, seam: seam, into: &raw)
        }
        if cut { retain(from: before) { $0.range.upperBound > handoff } }
        if speech {
          speechPass(buffer, chunk: chunk, scratch: scratch, scope: scope, context: context, raw: &raw, from: before)
        }
        previousChunk = before
      }
    }
    var diagnostics = scratch.diagnostics
    if let failure = scratch.boundary.takeFailure() {
      diagnostics.append(Diagnostic(.wordBoundaries, message: failure.description))
    }
    plan.scratchPool.put(scratch)

    var findings: [Finding] = []
    if !raw.isEmpty {
      raw = onePerPlacePerPack(raw)
      findings.reserveCapacity(raw.count)
      copy.withUTF8 { bytes in
        var locator = SpanLocator(text: text, bytes: bytes)
        for hit in raw {
          let span = locator.span(utf8: hit.range)
          let match = String(text[span.range])
          // The message is built when read. Written in pinyin, with homophones or look-alikes:
          // which term it stands for, and the rule's message about that term.
          findings.append(
            Finding(
              rule: plan.findingRule(hit.rule, scope), severity: hit.severity, match: match, span: span, field: nil,
              messageSource: hit.evaded >= 0 ? .evasion(term: plan.evasion.terms[Int(hit.evaded)].text) : .template,
              note: hit.note))
        }
      }
    }
    return CheckResult(findings: findings, diagnostics: diagnostics)
  }

  /// Speech (livestream, caption): the lines of the chunk that hold a speech noise run after a
  /// Han character (``Normalizer/speechNoiseRun(_:at:count:lineBreaks:tokens:)``: 某, 什么, fillers such as
  /// 那个 and 嗯, and in captions a line break) are read again with the run as noise (糖某尿病 as
  /// 糖尿病, 尿,某毒,某什么症 as 尿毒症, 能治⏎疗痘痘 as 能治疗痘痘), and the hits that only this
  /// reading finds — a run strictly inside their span, no hit of the same rule there already — join
  /// the chunk's, on their original span (across a line break, the span covers both lines). Rules
  /// with `evasion: false` drop them, as they drop hits through other noise. Only lines with a run
  /// pay for the second pass.
  private func speechPass(
    _ buffer: UnsafeBufferPointer<UInt8>, chunk: Chunks.Chunk, scratch: CheckScratch, scope: CheckPlan.Scope,
    context: CheckContext, raw: inout [RawFinding], from first: Int
  ) {
    guard let bytes = buffer.baseAddress else { return }
    let lineBreaks = context.context == .caption
    var regions: [Range<Int>] = []
    let base = chunk.scan.lowerBound
    let text = UnsafeBufferPointer(rebasing: buffer[chunk.scan])
    let end = chunk.scan.upperBound
    let pairs = plan.speechPairs
    // Captions read line breaks through, so their readings are made over the whole text: a
    // region is the two lines a break joins (or the one line a filler sits in), whatever chunk
    // each line is in, and is read on its own; so the findings do not depend on where the text
    // was cut into chunks. Other speech reads within the chunk, a region per line.
    let whole = buffer.count
    let limit = lineBreaks ? whole : end
    func add(run k: Int, length run: Int) {
      if lineBreaks {
        let region = Checker.line(around: k..<(k + run), in: buffer, reach: Checker.exceptionReach)
        if !regions.contains(region) { regions.append(region) }
        return
      }
      let line = Checker.line(around: (k - base)..<(k - base + run), in: text, reach: Checker.exceptionReach)
      let region = (line.lowerBound + base)..<(line.upperBound + base)
      if let last = regions.last, last.upperBound >= region.lowerBound {
        regions[regions.count - 1] = last.lowerBound..<max(last.upperBound, region.upperBound)
      } else {
        regions.append(region)
      }
    }
    // A caption chunk that starts right after a line break: the break that joins its first line
    // to the line before.
    if lineBreaks, base > 0, bytes[base - 1] == 0x0A {
      let k = base >= 2 && bytes[base - 2] == 0x0D ? base - 2 : base - 1
      let run = Self.speechRun(bytes, at: k, end: whole, lineBreaks: true)
      if run > 0 { add(run: k, length: run) }
    }
    // One step per character: a run is looked for only after a three-byte CJK character, and
    // only where a token or separator starts (``isSpeechRunStart``), which most characters are not.
    var k = base
    var afterHan = false
    while k < end {
      let b = bytes[k]
      let length = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4
      if afterHan && Self.isSpeechRunStart(bytes, at: k, end: limit) {
        let run = Normalizer.speechNoiseRun(bytes, at: k, count: limit, lineBreaks: lineBreaks)
        // A run between two characters that no literal holds side by side joins nothing a
        // literal could find (就是这个味道); a line break in captions is read through regardless,
        // so that the joined line can also clear a hit on half a phrase (今天第一 / 个链接).
        if run > 0
          && (Self.hasLineBreak(bytes, k..<(k + run))
            || pairs.holds(normalizer.folded(bytes, at: k - 3), normalizer.folded(bytes, at: k + run)))
        {
          add(run: k, length: run)
          // Captions: the next line may join the one after it. Other speech: the rest of the
          // line is in the region already.
          k = lineBreaks ? k + run : max(k + run, regions.last?.upperBound ?? k + run)
          afterHan = false
          continue
        }
      }
      afterHan = length == 3 && k + 1 < end && Normalizer.isHanLead(b, bytes[k + 1])
      k += length
    }
    /// Reads `region` again, its speech runs (or, with `breaksOnly`, only its joined line breaks)
    /// as noise, and appends the hits to `raw`.
    func read(_ region: Range<Int>, breaksOnly: Bool) {
      normalizer.normalize(
        UnsafeBufferPointer(rebasing: buffer[region]), base: region.lowerBound, into: scratch.normalized,
        speech: true, lineBreaks: lineBreaks, breaksOnly: breaksOnly)
      var seam = ChunkSeam()
      scratch.withHitLists { hits in
        collectCandidates(scratch, scope: scope, seam: &seam, into: &hits)
        filterCandidates(&hits, scratch: scratch, scope: scope, context: context, seam: seam, into: &raw)
      }
    }
    // The first reading's hits end at `firstEnd` in `raw`; the second reading's follow.
    var firstEnd = raw.count
    for region in regions {
      if lineBreaks
        && raw[first..<firstEnd].contains(where: {
          region.contains($0.range.lowerBound) && Self.touchesJoinedBreak(bytes, $0.range, end: region.upperBound)
        })
      {
        // Captions: a hit of the first reading that ends at a caption line's end (or starts at
        // the next line's start) was judged on half a phrase. The lines are read again joined,
        // and nothing else changed (fillers kept: 最后一次做这个价 needs its 这个); where that
        // reading does not find the hit again, the whole phrase clears it: 今天第一 / 个链接 is
        // 第一个, an ordinal.
        let mark = raw.count
        read(region, breaksOnly: true)
        var kept = first
        for k in first..<firstEnd {
          let hit = raw[k]
          if region.contains(hit.range.lowerBound) && Self.touchesJoinedBreak(bytes, hit.range, end: region.upperBound)
            && !raw[mark...].contains(where: { $0.rule == hit.rule && $0.range.overlaps(hit.range) })
          {
            continue
          }
          raw[kept] = hit
          kept += 1
        }
        raw.removeSubrange(mark...)
        let dropped = firstEnd - kept
        if dropped > 0 {
          raw.removeSubrange(kept..<firstEnd)
          firstEnd -= dropped
        }
      }
      let before = raw.count
      read(region, breaksOnly: false)
      var kept = before
      for k in before..<raw.count {
        let hit = raw[k]
        let inside = Self.containsSpeechRun(bytes, strictlyInside: hit.range, lineBreaks: lineBreaks)
        // Known: the first reading's, or an earlier region's (captions' regions overlap).
        let known = raw[first..<before].contains { $0.rule == hit.rule && $0.range.overlaps(hit.range) }
        // Across a cut inside a line, a hit belongs to one chunk, as in the first pass.
        // A caption region may reach into the next chunk: a hit belongs to the chunk it starts in.
        var owned = (!chunk.isCut || hit.range.upperBound > chunk.handoff) && chunk.scan.contains(hit.range.lowerBound)
        if let next = chunk.nextCut, hit.range.lowerBound >= next.start, hit.range.upperBound > next.handoff {
          owned = false
        }
        if inside && !known && owned {
          raw[kept] = hit
          kept += 1
        }
      }
      raw.removeSubrange(kept...)
    }
  }

  /// Whether a speech noise token or separator starts at `k`.
  @inline(__always)
  private static func isSpeechRunStart(_ bytes: UnsafePointer<UInt8>, at k: Int, end: Int) -> Bool {
    let b = bytes[k]
    if b >= 0xE3 && b <= 0xEF {
      guard k + 3 <= end else { return false }
      let scalar = UInt32(b & 0x0F) << 12 | UInt32(bytes[k + 1] & 0x3F) << 6 | UInt32(bytes[k + 2] & 0x3F)
      switch scalar {
      // ，、　 什 那 这 就 某 嗯 呃 啊 嘛
      case 0xFF0C, 0x3001, 0x3000, 0x4EC0, 0x90A3, 0x8FD9, 0x5C31, 0x67D0, 0x55EF, 0x5443, 0x554A, 0x561B: return true
      default: return false
      }
    }
    return b == 0x2C || b == 0x20 || b == 0x0A || b == 0x0D
  }

  /// The speech noise run at `k` when a Han character ends right before it, or 0 (a run the
  /// normaliser does not remove changes nothing).
  @inline(__always)
  private static func speechRun(_ bytes: UnsafePointer<UInt8>, at k: Int, end: Int, lineBreaks: Bool) -> Int {
    guard isSpeechRunStart(bytes, at: k, end: end) else { return 0 }
    guard k >= 3, Normalizer.isHanLead(bytes[k - 3], bytes[k - 2]), bytes[k - 2] & 0xC0 == 0x80,
      bytes[k - 1] & 0xC0 == 0x80
    else { return 0 }
    return Normalizer.speechNoiseRun(bytes, at: k, count: end, lineBreaks: lineBreaks)
  }

  /// Whether `range` ends right before a line break that a speech run joins to the next line, or
  /// starts right after one that joins it to the line before.
  private static func touchesJoinedBreak(_ bytes: UnsafePointer<UInt8>, _ range: Range<Int>, end: Int) -> Bool {
    if range.upperBound < end, bytes[range.upperBound] == 0x0A || bytes[range.upperBound] == 0x0D,
      speechRun(bytes, at: range.upperBound, end: end, lineBreaks: true) > 0
    {
      return true
    }
    // Back from the start over separators to a line break, then to the run's start after a Han character.
    var k = range.lowerBound
    while k > 0 && (bytes[k - 1] == 0x20 || bytes[k - 1] == 0x0D || bytes[k - 1] == 0x2C) { k -= 1 }
    guard k > 0, bytes[k - 1] == 0x0A else { return false }
    k -= 1
    while k > 0 && (bytes[k - 1] == 0x20 || bytes[k - 1] == 0x0D || bytes[k - 1] == 0x2C) { k -= 1 }
    return speechRun(bytes, at: k, end: end, lineBreaks: true) > 0
  }

  @inline(__always)
  private static func hasLineBreak(_ bytes: UnsafePointer<UInt8>, _ range: Range<Int>) -> Bool {
    for k in range where bytes[k] == 0x0A { return true }
    return false
  }

  /// Whether a speech noise run lies in `range` of the original bytes, after its first character.
  private static func containsSpeechRun(
    _ bytes: UnsafePointer<UInt8>, strictlyInside range: Range<Int>, lineBreaks: Bool
  ) -> Bool {
    var k = range.lowerBound + 1
    while k < range.upperBound - 1 {
      if speechRun(bytes, at: k, end: range.upperBound, lineBreaks: lineBreaks) > 0 { return true }
      k += 1
    }
    return false
  }

  /// Within one pack, overlapping hits of different rules are one problem in one place (a
  /// lexicon rule and its pattern sibling both seeing 治好 in 能治好胃病): keep the most severe,
  /// then the longest, then the first rule. Hits of different packs are different legal
  /// questions and are all reported. Returns the kept hits in order of position (start, end,
  /// rule).
  private func onePerPlacePerPack(_ hits: [RawFinding]) -> [RawFinding] {
    if hits.count < 2 { return hits }
    let packs = plan.packIndex
    // Plain integer keys in temporary memory (a hit's note would be retained and released at
    // every move of a sort, and a few arrays per check add up over millions of lines).
    return withUnsafeTemporaryAllocation(of: (UInt64, UInt64, Int).self, capacity: hits.count) { memory in
      var keys = memory
      // By pack, then the strongest first: severity, longer, then by rule and start; ties keep
      // their order.
      for (k, hit) in hits.enumerated() {
        let first =
          UInt64(packs[hit.rule]) << 34 | (3 - Self.rank(hit.severity)) << 32
          | UInt64(UInt32.max - UInt32(clamping: hit.range.count))
        let second = UInt64(UInt32(clamping: hit.rule)) << 40 | UInt64(min(hit.range.lowerBound, (1 << 40) - 1))
        keys.initializeElement(at: k, to: (first, second, k))
      }
      keys.sort { ($0.0, $0.1, $0.2) < ($1.0, $1.1, $1.2) }
      // The bytes taken by the hits kept so far in the current pack, as bits over the span of
      // all hits: one test and one mark per hit byte, so a text with 50,000 hits stays linear.
      let low = hits.reduce(Int.max) { min($0, $1.range.lowerBound) }
      let high = hits.reduce(0) { max($0, $1.range.upperBound) }
      let words = (high - low) / 64 + 1
      return withUnsafeTemporaryAllocation(of: UInt64.self, capacity: words) { taken in
        taken.initialize(repeating: 0)
        // The kept hits' indices reuse the keys' memory from the front: slot m is written only
        // after key m was read.
        var kept = 0
        var keptInPack = 0
        var pack: Int32 = -1
        for m in 0..<hits.count {
          let index = keys[m].2
          let hit = hits[index]
          if packs[hit.rule] != pack {
            pack = packs[hit.rule]
            for previous in keptInPack..<kept {
              Self.mark(hits[keys[previous].2].range, from: low, in: taken, value: false)
            }
            keptInPack = kept
          }
          if Self.anyMarked(hit.range, from: low, in: taken) { continue }
          Self.mark(hit.range, from: low, in: taken, value: true)
          keys[kept] = (UInt64(hit.range.lowerBound), UInt64(hit.range.upperBound) << 24 | UInt64(hit.rule), index)
          kept += 1
        }
        // In order of position: start, end, rule (unique among the kept).
        var order = UnsafeMutableBufferPointer(rebasing: keys[0..<kept])
        order.sort { ($0.0, $0.1) < ($1.0, $1.1) }
        return order.map { hits[$0.2] }
      }
    }
  }

  private static func rank(_ severity: Severity) -> UInt64 {
    switch severity {
    case .info: 0
    case .review: 1
    case .block: 2
    }
  }

  private static func anyMarked(_ range: Range<Int>, from low: Int, in bits: UnsafeMutableBufferPointer<UInt64>) -> Bool
  {
    for i in range where bits[(i - low) >> 6] & (1 << UInt64((i - low) & 63)) != 0 { return true }
    return false
  }

  private static func mark(
    _ range: Range<Int>, from low: Int, in bits: UnsafeMutableBufferPointer<UInt64>, value: Bool
  ) {
    for i in range {
      if value {
        bits[(i - low) >> 6] |= 1 << UInt64((i - low) & 63)
      } else {
        bits[(i - low) >> 6] &= ~(1 << UInt64((i - low) & 63))
      }
    }
  }
}
