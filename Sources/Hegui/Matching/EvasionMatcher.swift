/// Finds lexicon terms written so that a filter misses them and a buyer still reads them:
/// in pinyin (全网zui低价, zui di jia, zuì, zui4), with a repeated character (最低低价), and partly
/// with homophones (国家及) or look-alike characters (末 for 未) for the rules that opt in
/// (`homophones: true`).
///
/// One pass over the normalised bytes of a chunk (``forEachMatch(in:scratch:_:)``) does three
/// things:
/// - **Pinyin.** A Latin word is split into syllables the way pinyin is written: a syllable that
///   begins with a, o or e starts a word or follows an apostrophe, a tone digit or a space (西安 is
///   `xi'an`; `xian` is 先, never 西安); a word that does not split (an English word, a model
///   number) is not pinyin. Around a word that does, the text is read as *units* (Han characters
///   with all their readings, and syllables) and walked on a trie of the terms' syllables. A match
///   may not begin or end inside a Latin word, and one of pinyin alone needs three characters.
/// - **Repeats.** Around a repeated character of some term, the text is walked on a trie of the
///   terms' characters as written, the repeat skipped (never at a term's end).
/// - **Homophones and look-alikes** (opted-in terms of three or more characters). Such a match
///   keeps two of the term's characters one or two apart; each such pair of the text is looked up
///   (``ExactPairs``: a bit test first) and the terms holding it are checked where they would start.
///
/// Every match is then checked character by character: each unit is the term's character, a
/// pinyin syllable of it, or — for opted-in terms — a character that shares a reading (any tone)
/// or is a known look-alike; something differs from the term (an exact match is the automaton's);
/// replaced characters are a minority (at most (n − 1) / 2); and a three-character term whose
/// replaced character is at an edge with Han text going on past it is not read as evaded.
///
/// Only terms of two or more Han characters take part; terms of rules with `evasion: false` do
/// not.
final class EvasionMatcher: Sendable {
  /// A term that can be matched through an evasion.
  struct Term: Sendable {
    var rule: Int32
    /// The term's Han characters (normalised).
    var chars: [UInt32]
    /// Homophones and look-alikes may replace a minority of its characters.
    var homophones: Bool
    /// The term as the message names it.
    var text: String
  }

  /// One unit of the text: a Han character or a pinyin syllable (normalised offsets).
  struct Unit {
    var start: Int32
    var end: Int32
    /// The Han character, or 0 for a syllable.
    var scalar: UInt32
    /// The syllable id, or -1 for a Han character.
    var syllable: Int32
    /// A syllable that begins / ends its Latin word.
    var wordStart: Bool
    var wordEnd: Bool
    /// Continues the previous unit: no gap, or only spaces and apostrophes next to pinyin.
    var joins: Bool
    /// The same Han character as the previous unit, right after it (最低低价): may be skipped.
    var repeats: Bool = false
  }

  /// Scratch space of a search, reused from call to call.
  struct Scratch {
    var units: [Unit] = []
    fileprivate var windows: [Range<Int>] = []
    fileprivate var stack: [Step] = []
    fileprivate var reported: [(term: Int32, end: Int)] = []
  }

  /// A state of the walk: a trie node, the next unit, and the units skipped as repeats (bits,
  /// relative to the first unit).
  fileprivate struct Step: Equatable {
    var node: Int32
    var next: Int
    var skipped: UInt32
  }

  let terms: [Term]
  /// Every term's characters, flat (`flatStarts[t]..<flatStarts[t + 1]`): the pair search reads
  /// them without copying a `Term` (and retaining its arrays) per candidate.
  private let flatChars: [UInt32]
  private let flatStarts: [Int32]
  /// Every term by its syllables (walked around pinyin).
  private let all: SyllableTrie
  /// Whether some rule opted in to homophones and look-alikes (then Han text is pair-searched).
  private let hasOptedTerms: Bool
  /// Every term by its characters as written (for repeats).
  private let characters: CharacterTrie
  /// Every pair of adjacent characters in a term: which repeats are worth reading again.
  private let repeats: AdjacentPairs
  /// The opted-in terms by pairs of their characters, to find homophone matches in Han text.
  private let pairs: ExactPairs
  /// The characters of every term, and of the opted-in terms (bit sets over the BMP).
  private let termCharacters: CharacterBits
  private let optedCharacters: CharacterBits
  private let readings: HanReadings
  /// The longest term, in characters.
  private let longest: Int

  /// Whether there is nothing to match.
  var isEmpty: Bool { terms.isEmpty }

  /// Builds the matcher from the lexicon terms of `rules` (normalised terms).
  init(terms candidates: [(rule: Int, term: String, homophones: Bool)]) {
    let readings = HanReadings.shared
    self.readings = readings
    var terms: [Term] = []
    var seen = Set<String>()
    for candidate in candidates {
      let chars = candidate.term.unicodeScalars.map(\.value)
      guard chars.count >= 2, chars.count <= 16, chars.allSatisfy({ !readings.readings(of: $0).isEmpty }) else {
        continue
      }
      if !seen.insert("\(candidate.rule):\(candidate.term)").inserted { continue }
      terms.append(
        Term(rule: Int32(candidate.rule), chars: chars, homophones: candidate.homophones, text: candidate.term))
    }
    self.terms = terms
    flatChars = terms.flatMap(\.chars)
    var flatStarts: [Int32] = [0]
    for term in terms { flatStarts.append(flatStarts[flatStarts.count - 1] + Int32(term.chars.count)) }
    self.flatStarts = flatStarts
    longest = terms.map(\.chars.count).max() ?? 0
    all = SyllableTrie(terms: terms, indices: Array(terms.indices), readings: readings)
    let opted = terms.indices.filter { terms[$0].homophones && terms[$0].chars.count >= 3 }
    hasOptedTerms = !opted.isEmpty
    pairs = ExactPairs(terms: terms, indices: opted)
    characters = CharacterTrie(terms: terms)
    repeats = AdjacentPairs(terms.map(\.chars))
    termCharacters = CharacterBits(terms.flatMap(\.chars))
    optedCharacters = CharacterBits(opted.flatMap { terms[$0].chars })
  }

  /// Reports every evasion match in `text` (normalised UTF-8): the term's index and the range.
  ///
  /// One pass over the bytes: Han text is searched for homophones by pairs of characters
  /// (``ExactPairs``, a bit test per pair); a Latin word that reads as pinyin, or a repeated Han
  /// character, marks a window around it that is read as units and walked on the trie. Text
  /// without either pays for the pass and the bit tests only.
  func forEachMatch(
    in text: UnsafeBufferPointer<UInt8>, scratch: inout Scratch, _ body: (Int, Range<Int>) -> Void
  ) {
    guard !terms.isEmpty, let p = text.baseAddress else { return }
    let n = text.count
    scratch.windows.removeAll(keepingCapacity: true)
    let searchesPairs = hasOptedTerms
    // The last two Han characters and where the last starts (0 after anything else), and as
    // bits (0 or 1): whether each is a character of an opted-in term, and whether the last is Han.
    var previous: UInt32 = 0
    var previousStart = 0
    var beforePrevious: UInt32 = 0
    var previousOpted: UInt64 = 0
    var beforePreviousOpted: UInt64 = 0
    var previousHan: UInt64 = 0
    // A run of a repeated character of some term (最最最): its length and where its second
    // character starts. Read again (a window) only when it can hide a term: when a term holds the
    // character followed by the one after the run (最最最便宜: 最便), or holds it doubled and the
    // run is longer than two (宝宝宝 around 宝宝). Most repeats (谢谢, 哈哈哈 before a space)
    // hide nothing.
    var runLength = 0
    var runAt = 0
    func endRun(_ next: UInt32) {
      let c = previous
      if (next != 0 && repeats.holds(c, next)) || (runLength > 2 && repeats.holds(c, c)) {
        addWindow(around: runAt, in: text, scratch: &scratch)
      }
      runLength = 0
    }
    // The hot loop of every check: bit tables through raw pointers, Han characters (3 bytes in
    // UTF-8) decoded in place, and the pair search without a branch until a pair may hold (which
    // characters are in terms is as good as random: branching on it mispredicts).
    optedCharacters.words.withUnsafeBufferPointer { optedWords in
      termCharacters.words.withUnsafeBufferPointer { termWords in
        pairs.table.withUnsafeBufferPointer { pairTable in
          guard let opted = optedWords.baseAddress, let inTerm = termWords.baseAddress,
            let pairBits = pairTable.baseAddress
          else { return }
          let searching: UInt64 = searchesPairs ? 1 : 0
          let pairShift = pairs.shift
          var i = 0
          while i < n {
            let b = p[i]
            if b < 0x80 {
              if b >= 0x61 && b <= 0x7A {
                i = latinWord(from: i, in: text, scratch: &scratch)
              } else {
                i += 1
              }
              if runLength > 0 { endRun(0) }
              previous = 0
              previousOpted = 0
              beforePreviousOpted = 0
              previousHan = 0
              continue
            }
            let start = i
            let scalar: UInt32
            if b >= 0xE3 && b <= 0xE9 && i + 2 < n {
              scalar = UInt32(b & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F)
              i += 3
            } else {
              let (decoded, length) = Normalizer.decode(p, at: i)
              scalar = decoded
              i += length
            }
            guard scalar >= HanReadings.first && scalar <= HanReadings.last else {
              if runLength > 0 { endRun(0) }
              if EvasionMatcher.pinyinLetter(scalar) != nil {
                i = latinWord(from: start, in: text, scratch: &scratch)
              }
              previous = 0
              previousOpted = 0
              beforePreviousOpted = 0
              previousHan = 0
              continue
            }
            if scalar == previous {
              // A run of one character: remembered, judged when it ends.
              if runLength == 0 && CharacterBits.contains(scalar, in: inTerm) {
                runLength = 2
                runAt = start
              } else if runLength > 0 {
                runLength += 1
              }
            } else if runLength > 0 {
              endRun(scalar)
            }
            let optedBit = CharacterBits.bit(scalar, in: opted) & searching
            let one = ExactPairs.holdBit(previous, scalar, 1, in: pairBits, shift: pairShift) & previousOpted
            let two =
              ExactPairs.holdBit(beforePrevious, scalar, 2, in: pairBits, shift: pairShift) & beforePreviousOpted
              & previousHan
            if optedBit & (one | two) != 0 {
              if one != 0 { checkPair(previous, scalar, 1, firstAt: previousStart, in: text, body) }
              if two != 0 { checkPair(beforePrevious, scalar, 2, firstAt: previousStart - 3, in: text, body) }
            }
            beforePrevious = previous
            beforePreviousOpted = previousOpted
            previous = scalar
            previousOpted = optedBit
            previousHan = 1
            previousStart = start
          }
        }
      }
    }
    if runLength > 0 { endRun(0) }
    // The windows, merged, read as units and walked.
    if scratch.windows.count > 1 { scratch.windows.sort { $0.lowerBound < $1.lowerBound } }
    var k = 0
    while k < scratch.windows.count {
      var window = scratch.windows[k]
      k += 1
      while k < scratch.windows.count && scratch.windows[k].lowerBound <= window.upperBound {
        window = window.lowerBound..<max(window.upperBound, scratch.windows[k].upperBound)
        k += 1
      }
      scratch.units.removeAll(keepingCapacity: true)
      tokenize(UnsafeBufferPointer(rebasing: text[window]), base: window.lowerBound, into: &scratch.units)
      var runStart = 0
      let count = scratch.units.count
      // A walk that starts too far before every syllable and repeat can only find what the pair
      // search finds: walks start at most a term's length before one (or on a syllable).
      let reach = longest
      while runStart < count {
        var runEnd = runStart + 1
        while runEnd < count && scratch.units[runEnd].joins { runEnd += 1 }
        if runEnd - runStart >= 2 {
          // Syllables: the syllable trie. Repeats alone: the character trie, which follows only
          // the characters as written (a syllable path would follow every homophone of 宝宝们).
          var next = runStart
          var nextExact = runStart
          for u in runStart..<runEnd {
            let unit = scratch.units[u]
            if unit.syllable >= 0 {
              let (lower, upper) = (max(next, u - reach + 1, runStart), max(next, u + 1))
              if lower < upper {
                for start in lower..<upper { walk(from: start, to: runEnd, trie: all, scratch: &scratch, body) }
              }
              next = max(next, u + 1)
            } else if unit.repeats {
              let (lower, upper) = (max(nextExact, u - reach + 1, runStart), max(nextExact, u))
              if lower < upper {
                for start in lower..<upper { walkExact(from: start, to: runEnd, scratch: &scratch, body) }
              }
              nextExact = max(nextExact, u)
            }
          }
        }
        runStart = runEnd
      }
    }
  }

  /// Reads the Latin word at `start` (letters, tone-marked vowels, tone digits, apostrophes);
  /// when it reads as pinyin, adds a window around it. Returns the offset after the word.
  private func latinWord(from start: Int, in text: UnsafeBufferPointer<UInt8>, scratch: inout Scratch) -> Int {
    guard let p = text.baseAddress else { return start + 1 }
    let n = text.count
    var i = start
    var letters = 0
    var end = start
    while i < n {
      let (scalar, length) = Normalizer.decode(p, at: i)
      if EvasionMatcher.pinyinLetter(scalar) != nil {
        letters += 1
      } else if !(letters > 0 && ((scalar >= 0x31 && scalar <= 0x35) || scalar == 0x27 || scalar == 0x2019)) {
        break
      }
      i += length
      end = i
    }
    if letters >= 1 && letters <= 64 && readsAsPinyin(UnsafeBufferPointer(rebasing: text[start..<end])) {
      let reach = 3 * longest + 8
      let line = Checker.line(around: start..<end, in: text, reach: reach)
      scratch.windows.append(line)
    }
    return max(end, start + 1)
  }

  /// Whether a Latin word splits into pinyin syllables.
  private func readsAsPinyin(_ word: UnsafeBufferPointer<UInt8>) -> Bool {
    guard let p = word.baseAddress else { return false }
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 65) { letters in
      withUnsafeTemporaryAllocation(of: Bool.self, capacity: 65) { boundaries in
        var n = 0
        var boundaryNext = false
        var i = 0
        while i < word.count {
          let (scalar, length) = Normalizer.decode(p, at: i)
          i += length
          if let letter = EvasionMatcher.pinyinLetter(scalar) {
            guard n < 64 else { return false }
            letters[n] = letter
            boundaries[n] = boundaryNext
            boundaryNext = false
            n += 1
          } else {
            // A tone digit or an apostrophe: the next letter starts a syllable.
            boundaryNext = true
          }
        }
        return splits(n, letter: { letters[$0] }, boundaryBefore: { boundaries[$0] }, { _ in })
      }
    }
  }

  /// Adds a window around a repeated Han character at `offset`.
  private func addWindow(around offset: Int, in text: UnsafeBufferPointer<UInt8>, scratch: inout Scratch) {
    let reach = 3 * longest
    let line = Checker.line(around: offset..<(offset + 3), in: text, reach: reach)
    if let last = scratch.windows.last, last.lowerBound <= line.lowerBound, last.upperBound >= line.upperBound {
      return
    }
    scratch.windows.append(line)
  }

  /// Checks the opted-in terms that hold `a` and, `distance` characters later, `b`, where the
  /// text has `a` at byte `firstAt`: Han characters in the range are 3 bytes each, so each term
  /// has one place it can start.
  private func checkPair(
    _ a: UInt32, _ b: UInt32, _ distance: Int, firstAt: Int, in text: UnsafeBufferPointer<UInt8>,
    _ body: (Int, Range<Int>) -> Void
  ) {
    guard let p = text.baseAddress else { return }
    flatChars.withUnsafeBufferPointer { flat in
      flatStarts.withUnsafeBufferPointer { flatStarts in
        pairs.forEachEntry(a, b, distance) { t, position in
          checkEntry(
            Int(t), Int(position), distance, firstAt: firstAt, p: p, count: text.count, flat: flat, starts: flatStarts,
            body)
        }
      }
    }
  }

  /// Checks one opted-in term (`t`) that holds the pair at `pos`, against the text at `p`.
  @inline(__always)
  private func checkEntry(
    _ t: Int, _ pos: Int, _ distance: Int, firstAt: Int, p: UnsafePointer<UInt8>, count: Int,
    flat: UnsafeBufferPointer<UInt32>, starts: UnsafeBufferPointer<Int32>, _ body: (Int, Range<Int>) -> Void
  ) {
    let chars = UnsafeBufferPointer(rebasing: flat[Int(starts[t])..<Int(starts[t + 1])])
    let n = chars.count
    let start = firstAt - 3 * pos
    let end = start + 3 * n
    guard start >= 0, end <= count else { return }
    /// The text's Han character in the term's place `k`, or 0.
    func char(_ k: Int) -> UInt32 {
      let at = start + 3 * k
      guard p[at] & 0xF0 == 0xE0 else { return 0 }
      let c = UInt32(p[at] & 0x0F) << 12 | UInt32(p[at + 1] & 0x3F) << 6 | UInt32(p[at + 2] & 0x3F)
      return HanReadings.covers(c) ? c : 0
    }
    // A match is found from each of its pairs of exact characters; it is reported from the
    // first (its first exact character followed, one or two later, by another), and that is
    // checked first, on the characters up to this pair: most pairs of a term written out
    // exactly stop here.
    if distance == 2 && char(pos + 1) == chars[pos + 1] { return }
    if pos > 0 {
      // Whether the places two and one before k hold exact characters (rolling).
      var twoBefore = false
      var oneBefore = false
      for k in 0..<pos {
        let exact = char(k) == chars[k]
        // An exact character at k with an exact one at k - 1 or k - 2: that pair came first.
        if exact && (oneBefore || twoBefore) { return }
        (twoBefore, oneBefore) = (oneBefore, exact)
      }
      // An exact character at pos - 1 or pos - 2 pairs with the one at pos.
      if oneBefore || twoBefore { return }
    }
    var exact = 0
    var replaced = 0
    var replacedFirst = false
    var replacedLast = false
    for k in 0..<n {
      let scalar = char(k)
      let c = chars[k]
      if scalar == 0 { return }
      if scalar == c {
        exact += 1
      } else if readings.shareReading(scalar, c) || readings.areLookAlikes(scalar, c) {
        replaced += 1
        if k == 0 { replacedFirst = true }
        if k == n - 1 { replacedLast = true }
      } else {
        return
      }
    }
    // Exact: the automaton's. Otherwise a minority replaced.
    guard replaced > 0, replaced <= (n - 1) / 2 else { return }
    let hanBefore =
      start >= 3 && p[start - 3] & 0xF0 == 0xE0 && HanReadings.covers(Normalizer.decode(p, at: start - 3).0)
    let hanAfter = end + 3 <= count && p[end] & 0xF0 == 0xE0 && HanReadings.covers(Normalizer.decode(p, at: end).0)
    if EvasionMatcher.edgeMayBelongOutside(
      length: n, replacedFirst: replacedFirst, replacedLast: replacedLast, hanBefore: hanBefore, hanAfter: hanAfter)
    {
      return
    }
    body(t, start..<end)
  }

  /// Walks the character trie from unit `i` over Han characters as written, skipping repeats,
  /// reporting verified matches (a repeat inside a term) that end before `end`.
  private func walkExact(from i: Int, to end: Int, scratch: inout Scratch, _ body: (Int, Range<Int>) -> Void) {
    var node: Int32 = 0
    var skipped: UInt32 = 0
    var u = i
    var previous: UInt32 = 0
    while u < end && u - i < 32 {
      let unit = scratch.units[u]
      if unit.syllable >= 0 || (u > i && !unit.joins) { return }
      // A repeat of the character just read may be skipped; try reading it first (宝宝 in a term).
      let child = characters.child(of: node, unit.scalar)
      if child < 0 {
        guard unit.repeats && unit.scalar == previous else { return }
        skipped |= 1 << UInt32(u - i)
        u += 1
        continue
      }
      node = child
      previous = unit.scalar
      u += 1
      for t in characters.terms(of: node)
      where skipped != 0 && verify(terms[Int(t)], units: scratch.units, from: i, to: u, skipped: skipped) {
        body(Int(t), Int(scratch.units[i].start)..<Int(scratch.units[u - 1].end))
      }
    }
  }

  /// Walks the trie from unit `i`, reporting verified matches that end before `end`.
  private func walk(
    from i: Int, to end: Int, trie: SyllableTrie, scratch: inout Scratch, _ body: (Int, Range<Int>) -> Void
  ) {
    let first = scratch.units[i]
    if first.syllable >= 0 && !first.wordStart { return }
    // Depth-first over steps; a handful of branches per unit (polyphones, look-alikes).
    scratch.stack.removeAll(keepingCapacity: true)
    scratch.reported.removeAll(keepingCapacity: true)
    push(first, from: -1, next: i + 1, skipped: 0, trie: trie, stack: &scratch.stack)
    while let step = scratch.stack.popLast() {
      let last = scratch.units[step.next - 1]
      if trie.hasTerms(step.node) && (last.syllable < 0 || last.wordEnd) {
        for t in trie.terms(of: step.node)
        where !scratch.reported.contains(where: { $0.term == t && $0.end == step.next }) {
          if verify(terms[Int(t)], units: scratch.units, from: i, to: step.next, skipped: step.skipped) {
            scratch.reported.append((t, step.next))
            body(Int(t), Int(first.start)..<Int(last.end))
          }
        }
      }
      let next = step.next
      guard next < end, next - i < min(longest * 2, 32), scratch.units[next].joins else { continue }
      let unit = scratch.units[next]
      push(unit, from: step.node, next: next + 1, skipped: step.skipped, trie: trie, stack: &scratch.stack)
      if unit.repeats {
        let skip = Step(node: step.node, next: next + 1, skipped: step.skipped | 1 << UInt32(next - i))
        if !scratch.stack.contains(skip) { scratch.stack.append(skip) }
      }
    }
  }

  /// Pushes the steps from `node` (-1: the root) along each syllable `unit` can stand for.
  @inline(__always)
  private func push(_ unit: Unit, from node: Int32, next: Int, skipped: UInt32, trie: SyllableTrie, stack: inout [Step])
  {
    func edge(_ syllable: UInt16) {
      let child = node < 0 ? trie.root[Int(syllable)] : trie.child(of: node, syllable)
      let step = Step(node: child, next: next, skipped: skipped)
      if child >= 0 && !stack.contains(step) { stack.append(step) }
    }
    if unit.syllable >= 0 {
      edge(UInt16(unit.syllable))
      return
    }
    for r in readings.readings(of: unit.scalar) { edge(r) }
    if trie.hasHomophoneTerms {
      for alike in readings.lookAlikes(of: unit.scalar) {
        for r in readings.readings(of: alike) { edge(r) }
      }
    }
  }

  /// Checks a term against the units `i..<end` that were not skipped, character by character.
  private func verify(_ term: Term, units: [Unit], from i: Int, to end: Int, skipped: UInt32) -> Bool {
    var exact = 0
    var pinyin = 0
    var replaced = 0
    var k = 0
    var replacedEdges = (first: false, last: false)
    // A repeat is skipped inside a term, never at its end (唯一一款 is 唯一 and 一款).
    if end - 1 > i && skipped & (1 << UInt32(end - 1 - i)) != 0 { return false }
    for u in i..<end {
      if skipped & (1 << UInt32(u - i)) != 0 { continue }
      guard k < term.chars.count else { return false }
      let c = term.chars[k]
      k += 1
      let unit = units[u]
      if unit.syllable >= 0 {
        guard readings.readings(of: c).contains(UInt16(unit.syllable)) else { return false }
        pinyin += 1
      } else if unit.scalar == c {
        exact += 1
      } else if term.homophones
        && (readings.shareReading(unit.scalar, c) || readings.areLookAlikes(unit.scalar, c))
      {
        replaced += 1
        if k == 1 { replacedEdges.first = true }
        if k == term.chars.count { replacedEdges.last = true }
      } else {
        return false
      }
    }
    let n = term.chars.count
    guard k == n else { return false }
    let hanBefore = i > 0 && units[i].joins && units[i - 1].syllable < 0
    let hanAfter = end < units.count && units[end].joins && units[end].syllable < 0
    if EvasionMatcher.edgeMayBelongOutside(
      length: n, replacedFirst: replacedEdges.first, replacedLast: replacedEdges.last, hanBefore: hanBefore,
      hanAfter: hanAfter)
    {
      return false
    }
    // Something was written differently: a syllable, a replaced character or a repeat.
    if pinyin + replaced == 0 && skipped == 0 { return false }
    if replaced > (n - 1) / 2 { return false }
    if exact == 0 && n < 3 { return false }
    return true
  }

  /// A three-character term with its first or last character replaced, where Han text goes on
  /// past that character: the replacement likely belongs to the next word (国家集训队 is not
  /// 国家级, 最低加价 is not 最低价), so it is not read as an evasion.
  static func edgeMayBelongOutside(
    length: Int, replacedFirst: Bool, replacedLast: Bool, hanBefore: Bool, hanAfter: Bool
  ) -> Bool {
    length <= 3 && ((replacedFirst && hanBefore) || (replacedLast && hanAfter))
  }

  // MARK: Reading the text as units

  /// Splits `text` into Han characters and pinyin syllables.
  private func tokenize(_ text: UnsafeBufferPointer<UInt8>, base: Int, into units: inout [Unit]) {
    guard let p = text.baseAddress else { return }
    var i = 0
    let n = text.count
    /// Bytes since the last unit that are allowed between pinyin and its neighbours.
    var gapIsEmpty = true
    var gapIsSoft = true
    var lastWasPinyin = false
    var letters: [(letter: UInt8, start: Int32, end: Int32, boundaryBefore: Bool)] = []
    var boundaryNext = false

    func flushWord() {
      if letters.isEmpty { return }
      defer {
        letters.removeAll(keepingCapacity: true)
        boundaryNext = false
      }
      guard let cuts = segment(letters) else {
        // Not pinyin: a barrier like any other non-Han text.
        gapIsEmpty = false
        gapIsSoft = false
        lastWasPinyin = false
        return
      }
      for (k, cut) in cuts.enumerated() {
        let joins: Bool
        if k > 0 {
          joins = true
        } else {
          joins = !units.isEmpty && (gapIsEmpty || gapIsSoft)
        }
        var key: UInt64 = 0
        for l in letters[cut] { key = key << 8 | UInt64(l.letter) }
        let id = readings.syllable(key: key) ?? 0
        units.append(
          Unit(
            start: letters[cut.lowerBound].start, end: letters[cut.upperBound - 1].end, scalar: 0,
            syllable: Int32(id), wordStart: k == 0, wordEnd: k == cuts.count - 1, joins: joins))
      }
      gapIsEmpty = true
      gapIsSoft = true
      lastWasPinyin = true
    }

    while i < n {
      let start = i
      let (scalar, length) = Normalizer.decode(p, at: i)
      i += length
      if let letter = EvasionMatcher.pinyinLetter(scalar) {
        letters.append((letter, Int32(base + start), Int32(base + i), boundaryNext))
        boundaryNext = false
        continue
      }
      if !letters.isEmpty {
        if scalar >= 0x31 && scalar <= 0x35 {
          // A tone digit closes its syllable and belongs to it.
          letters[letters.count - 1].end = Int32(base + i)
          boundaryNext = true
          continue
        }
        if scalar == 0x27 || scalar == 0x2019 {
          if i < n, EvasionMatcher.pinyinLetter(Normalizer.decode(p, at: i).0) != nil {
            letters[letters.count - 1].end = Int32(base + i)
            boundaryNext = true
            continue
          }
        }
      }
      flushWord()
      if HanReadings.covers(scalar) {
        let joins = !units.isEmpty && (gapIsEmpty || (gapIsSoft && lastWasPinyin))
        let repeats = joins && gapIsEmpty && units[units.count - 1].scalar == scalar
        units.append(
          Unit(
            start: Int32(base + start), end: Int32(base + i), scalar: scalar, syllable: -1, wordStart: false,
            wordEnd: false,
            joins: joins, repeats: repeats))
        gapIsEmpty = true
        gapIsSoft = true
        lastWasPinyin = false
      } else if scalar == 0x20 && (gapIsEmpty || gapIsSoft) {
        // Spaces may separate pinyin from pinyin or from Han characters.
        gapIsEmpty = false
      } else {
        gapIsEmpty = false
        gapIsSoft = false
      }
    }
    flushWord()
  }

  /// The syllable cuts of a Latin word (ranges into `letters`), or nil when it is not pinyin.
  private func segment(_ letters: [(letter: UInt8, start: Int32, end: Int32, boundaryBefore: Bool)]) -> [Range<Int>]? {
    var cuts: [Range<Int>] = []
    func letter(_ k: Int) -> UInt8 { letters[k].letter }
    func boundaryBefore(_ k: Int) -> Bool { letters[k].boundaryBefore }
    func cut(_ choice: UnsafeMutableBufferPointer<UInt8>) {
      var k = 0
      while k < letters.count {
        cuts.append(k..<(k + Int(choice[k])))
        k += Int(choice[k])
      }
    }
    let found = splits(letters.count, letter: letter, boundaryBefore: boundaryBefore, cut)
    return found ? cuts : nil
  }

  /// Splits `n` letters into syllables; `body` gets, per letter that starts a syllable, the
  /// syllable's length. Forced boundaries (tone digit, apostrophe) must be cuts; a syllable
  /// beginning with a, o or e only starts the word or follows a forced boundary; the longest
  /// syllable wins where a word splits two ways. No allocation: a word is read per Latin word of
  /// every text.
  private func splits(
    _ n: Int, letter: (Int) -> UInt8, boundaryBefore: (Int) -> Bool,
    _ body: (UnsafeMutableBufferPointer<UInt8>) -> Void
  ) -> Bool {
    if n == 0 || n > 64 { return false }
    let longestSyllable = readings.longestSyllable
    return withUnsafeTemporaryAllocation(of: UInt8.self, capacity: n + 1) { choice in
      // choice[k]: the length of the syllable that starts letters k..<n split into syllables,
      // or 0 when they do not split; choice[n] stands for the empty rest.
      choice.initialize(repeating: 0)
      choice[n] = 1
      for k in stride(from: n - 1, through: 0, by: -1) {
        let vowelStartAllowed = k == 0 || boundaryBefore(k)
        let firstLetter = letter(k)
        if !vowelStartAllowed && (firstLetter == 0x61 || firstLetter == 0x6F || firstLetter == 0x65) { continue }
        var length = min(longestSyllable, n - k)
        var key: UInt64 = 0
        for m in 0..<length { key = key << 8 | UInt64(letter(k + m)) }
        while length >= 1 {
          defer {
            length -= 1
            key >>= 8
          }
          guard choice[k + length] != 0 else { continue }
          // No forced boundary strictly inside the syllable.
          var crosses = false
          for m in (k + 1)..<(k + length) where boundaryBefore(m) {
            crosses = true
            break
          }
          if crosses { continue }
          guard readings.syllable(key: key, typable: true) != nil else { continue }
          choice[k] = UInt8(length)
          break
        }
      }
      guard choice[0] != 0 else { return false }
      body(choice)
      return true
    }
  }

  /// The ASCII letter of a pinyin letter (a tone-marked vowel gives its vowel, ü gives v).
  @inline(__always)
  static func pinyinLetter(_ scalar: UInt32) -> UInt8? {
    if scalar >= 0x61 && scalar <= 0x7A { return UInt8(scalar) }
    switch scalar {
    case 0xE0, 0xE1, 0x101, 0x1CE: return 0x61  // à á ā ǎ
    case 0xE8, 0xE9, 0x113, 0x11B, 0xEA: return 0x65  // è é ē ě ê
    case 0xEC, 0xED, 0x12B, 0x1D0: return 0x69  // ì í ī ǐ
    case 0xF2, 0xF3, 0x14D, 0x1D2: return 0x6F  // ò ó ō ǒ
    case 0xF9, 0xFA, 0x16B, 0x1D4: return 0x75  // ù ú ū ǔ
    case 0xFC, 0x1D6, 0x1D8, 0x1DA, 0x1DC: return 0x76  // ü ǖ ǘ ǚ ǜ
    default: return nil
    }
  }
}

/// Terms' syllable sequences as a trie with a dense root (one slot per syllable).
struct SyllableTrie: Sendable {
  /// Per syllable: the root's child, or -1.
  let root: [Int32]
  private let edgeStart: [Int32]
  private let edgeSyllable: [UInt16]
  private let edgeChild: [Int32]
  private let nodeTerms: TermsByNode
  let isEmpty: Bool
  /// Whether any term in it accepts homophones and look-alikes.
  let hasHomophoneTerms: Bool

  /// A term with more reading combinations than this is inserted with its first ones only.
  static let maxPaths = 64

  init(terms: [EvasionMatcher.Term], indices: [Int], readings: HanReadings) {
    // Edges in one table keyed by parent and syllable (no dictionary per node), flattened after.
    var edges: [UInt64: Int32] = [:]
    var nodeCount: Int32 = 1
    var terminal: [(node: Int32, term: Int32)] = []
    var frontier: [Int32] = []
    var next: [Int32] = []
    for t in indices {
      frontier.removeAll(keepingCapacity: true)
      frontier.append(0)
      for c in terms[t].chars {
        next.removeAll(keepingCapacity: true)
        for node in frontier {
          for r in readings.readings(of: c) {
            let key = UInt64(UInt32(bitPattern: node)) << 16 | UInt64(r)
            let child: Int32
            if let existing = edges[key] {
              child = existing
            } else {
              child = nodeCount
              nodeCount += 1
              edges[key] = child
            }
            if !next.contains(child) { next.append(child) }
          }
        }
        swap(&frontier, &next)
        if frontier.count > SyllableTrie.maxPaths { frontier.removeSubrange(SyllableTrie.maxPaths...) }
      }
      for node in frontier { terminal.append((node, Int32(t))) }
    }
    var root = [Int32](repeating: -1, count: readings.syllables.count)
    let sorted = edges.sorted { $0.key < $1.key }
    var edgeStart = [Int32](repeating: 0, count: Int(nodeCount) + 1)
    var edgeSyllable: [UInt16] = []
    var edgeChild: [Int32] = []
    edgeSyllable.reserveCapacity(sorted.count)
    edgeChild.reserveCapacity(sorted.count)
    var e = 0
    for node in 0..<Int(nodeCount) {
      edgeStart[node] = Int32(edgeSyllable.count)
      while e < sorted.count && Int(sorted[e].key >> 16) == node {
        let syllable = UInt16(truncatingIfNeeded: sorted[e].key)
        if node == 0 { root[Int(syllable)] = sorted[e].value }
        edgeSyllable.append(syllable)
        edgeChild.append(sorted[e].value)
        e += 1
      }
    }
    edgeStart[Int(nodeCount)] = Int32(edgeSyllable.count)
    self.root = root
    self.edgeStart = edgeStart
    self.edgeSyllable = edgeSyllable
    self.edgeChild = edgeChild
    nodeTerms = TermsByNode(terminal, nodeCount: Int(nodeCount))
    isEmpty = indices.isEmpty
    hasHomophoneTerms = indices.contains { terms[$0].homophones }
  }

  /// The child of `node` along `syllable`, or -1.
  @inline(__always)
  func child(of node: Int32, _ syllable: UInt16) -> Int32 {
    var k = Int(edgeStart[Int(node)])
    let end = Int(edgeStart[Int(node) + 1])
    while k < end {
      if edgeSyllable[k] == syllable { return edgeChild[k] }
      k += 1
    }
    return -1
  }

  @inline(__always)
  func hasTerms(_ node: Int32) -> Bool { !nodeTerms.terms(of: node).isEmpty }

  func terms(of node: Int32) -> ArraySlice<Int32> { nodeTerms.terms(of: node) }
}

/// The pairs of adjacent characters of a set of terms, as a bit table (false positives, never
/// false negatives), about 16 bits per pair.
struct AdjacentPairs: Sendable {
  private let table: [UInt64]
  private let shift: UInt64

  init(_ terms: [[UInt32]]) {
    let count = terms.reduce(0) { $0 + max(0, $1.count - 1) }
    var bits = 12
    while (1 << bits) < 16 * count && bits < 26 { bits += 1 }
    shift = UInt64(64 - bits)
    var table = [UInt64](repeating: 0, count: (1 << bits) / 64)
    for chars in terms where chars.count >= 2 {
      for p in 1..<chars.count {
        let bit = Int(truncatingIfNeeded: AdjacentPairs.hash(chars[p - 1], chars[p]) >> shift)
        table[bit >> 6] |= 1 << UInt64(bit & 63)
      }
    }
    self.table = table
  }

  @inline(__always)
  private static func hash(_ a: UInt32, _ b: UInt32) -> UInt64 {
    (UInt64(a) << 32 | UInt64(b)) &* 0x9E37_79B9_7F4A_7C15
  }

  /// Whether some term may hold `a` followed by `b`.
  func holds(_ a: UInt32, _ b: UInt32) -> Bool {
    let bit = Int(truncatingIfNeeded: AdjacentPairs.hash(a, b) >> shift)
    return table[bit >> 6] & (1 << UInt64(bit & 63)) != 0
  }
}

/// The opted-in terms indexed by pairs of their characters one or two apart: a bit table for
/// the common answer (no term has the pair) and sorted flat arrays for the rest.
struct ExactPairs: Sendable {
  let table: [UInt64]
  /// 64 minus the bit table's size in bits (a power of two, about 16 bits per pair: 4 KB for
  /// the shipped rules, small enough to stay in the L1 cache beside everything else a check
  /// touches; a fixed 16 KB table cost a fifth more time per character).
  let shift: UInt64
  /// Per distinct key (in sorted order): its entries, a range of `entryTerms` / `positions`.
  private let starts: [Int32]
  /// The hash table: per slot a key (0: empty) and the key's index into `starts`.
  private let slots: [UInt64]
  private let slotKey: [Int32]
  private let entryTerms: [Int32]
  private let positions: [Int8]

  init(terms: [EvasionMatcher.Term], indices: [Int]) {
    let pairCount = indices.reduce(0) { $0 + max(0, 2 * terms[$1].chars.count - 3) }
    var bits = 12
    while (1 << bits) < 16 * pairCount && bits < 26 { bits += 1 }
    let shift = UInt64(64 - bits)
    self.shift = shift
    var table = [UInt64](repeating: 0, count: (1 << bits) / 64)
    var all: [(key: UInt64, term: Int32, position: Int8)] = []
    for t in indices {
      let chars = terms[t].chars
      for p in chars.indices {
        for distance in 1...2 where p + distance < chars.count {
          let key = ExactPairs.key(chars[p], chars[p + distance], distance)
          all.append((key, Int32(t), Int8(p)))
          let bit = Int(truncatingIfNeeded: ExactPairs.hash(key) >> shift)
          table[bit >> 6] |= 1 << UInt64(bit & 63)
        }
      }
    }
    all.sort { ($0.key, $0.term, $0.position) < ($1.key, $1.term, $1.position) }
    var keys: [UInt64] = []
    var starts: [Int32] = []
    for (k, entry) in all.enumerated() where keys.last != entry.key {
      keys.append(entry.key)
      starts.append(Int32(k))
    }
    starts.append(Int32(all.count))
    // An open-addressing table over the keys (linear probing, at most half full): a lookup is
    // one or two probes where a binary search took a dozen unpredictable branches.
    var capacity = 16
    while capacity < keys.count * 2 { capacity *= 2 }
    var slots = [UInt64](repeating: 0, count: capacity)
    var slotKey = [Int32](repeating: -1, count: capacity)
    for (k, key) in keys.enumerated() {
      var slot = ExactPairs.slot(key) & (capacity - 1)
      while slots[slot] != 0 { slot = (slot + 1) & (capacity - 1) }
      slots[slot] = key
      slotKey[slot] = Int32(k)
    }
    self.slots = slots
    self.slotKey = slotKey
    self.table = table
    self.starts = starts
    entryTerms = all.map(\.term)
    positions = all.map(\.position)
  }

  @inline(__always)
  private static func key(_ a: UInt32, _ b: UInt32, _ distance: Int) -> UInt64 {
    UInt64(a) << 32 | UInt64(b) << 2 | UInt64(distance)
  }

  @inline(__always)
  private static func hash(_ key: UInt64) -> UInt64 { key &* 0x9E37_79B9_7F4A_7C15 }

  /// A slot of the key table (the hash's upper half).
  @inline(__always)
  private static func slot(_ key: UInt64) -> Int { Int(truncatingIfNeeded: hash(key) >> 32) }

  /// 1 when some term may hold `a` and, `distance` characters later, `b` (no false negatives),
  /// on the bit table's words (`table`, with `shift`); else 0. A bit, not a `Bool`: the scan
  /// does not branch on it.
  @inline(__always)
  static func holdBit(
    _ a: UInt32, _ b: UInt32, _ distance: Int, in table: UnsafePointer<UInt64>, shift: UInt64
  ) -> UInt64 {
    let bit = Int(truncatingIfNeeded: hash(key(a, b, distance)) >> shift)
    return (table[bit >> 6] >> UInt64(bit & 63)) & 1
  }

  /// Calls `body` with each term holding `a` and, `distance` characters later, `b`, and the
  /// position of `a` in it.
  func forEachEntry(_ a: UInt32, _ b: UInt32, _ distance: Int, _ body: (Int32, Int8) -> Void) {
    let key = ExactPairs.key(a, b, distance)
    let mask = slots.count - 1
    var slot = ExactPairs.slot(key) & mask
    while slots[slot] != 0 {
      if slots[slot] == key {
        let k = Int(slotKey[slot])
        for e in Int(starts[k])..<Int(starts[k + 1]) { body(entryTerms[e], positions[e]) }
        return
      }
      slot = (slot + 1) & mask
    }
  }

}

/// A set of BMP characters as bits: one load and a mask per question.
struct CharacterBits: Sendable {
  private(set) var words = [UInt64](repeating: 0, count: 1024)

  /// Whether `c` (a BMP scalar) is in the set whose words start at `words`.
  @inline(__always)
  static func contains(_ c: UInt32, in words: UnsafePointer<UInt64>) -> Bool {
    words[Int(c >> 6)] & (1 << UInt64(c & 63)) != 0
  }

  /// 1 when `c` (a BMP scalar) is in the set whose words start at `words`, else 0.
  @inline(__always)
  static func bit(_ c: UInt32, in words: UnsafePointer<UInt64>) -> UInt64 {
    (words[Int(c >> 6)] >> UInt64(c & 63)) & 1
  }

  init(_ scalars: [UInt32]) {
    for c in scalars where c < 0x10000 { words[Int(c >> 6)] |= 1 << UInt64(c & 63) }
  }
}

/// Terms by their characters as written: one table of edges keyed by node and character.
struct CharacterTrie: Sendable {
  private let edges: [UInt64: Int32]
  private let nodeTerms: TermsByNode

  init(terms: [EvasionMatcher.Term]) {
    var edges: [UInt64: Int32] = [:]
    var nodeCount: Int32 = 1
    var terminal: [(node: Int32, term: Int32)] = []
    for (t, term) in terms.enumerated() {
      var node: Int32 = 0
      for c in term.chars {
        let key = UInt64(UInt32(bitPattern: node)) << 32 | UInt64(c)
        if let child = edges[key] {
          node = child
        } else {
          edges[key] = nodeCount
          node = nodeCount
          nodeCount += 1
        }
      }
      terminal.append((node, Int32(t)))
    }
    self.edges = edges
    nodeTerms = TermsByNode(terminal, nodeCount: Int(nodeCount))
  }

  /// The child of `node` along character `c`, or -1.
  func child(of node: Int32, _ c: UInt32) -> Int32 {
    edges[UInt64(UInt32(bitPattern: node)) << 32 | UInt64(c)] ?? -1
  }

  func terms(of node: Int32) -> ArraySlice<Int32> { nodeTerms.terms(of: node) }
}

/// A trie's terms by node: the (node, term) pairs sorted into one list with a start per node.
struct TermsByNode: Sendable {
  private let starts: [Int32]
  private let list: [Int32]

  init(_ terminal: [(node: Int32, term: Int32)], nodeCount: Int) {
    let sorted = terminal.sorted { ($0.node, $0.term) < ($1.node, $1.term) }
    var starts = [Int32](repeating: 0, count: nodeCount + 1)
    var list: [Int32] = []
    list.reserveCapacity(sorted.count)
    var k = 0
    for node in 0..<nodeCount {
      starts[node] = Int32(list.count)
      while k < sorted.count && Int(sorted[k].node) == node {
        list.append(sorted[k].term)
        k += 1
      }
    }
    starts[nodeCount] = Int32(list.count)
    self.starts = starts
    self.list = list
  }

  /// The terms that end at `node`.
  @inline(__always)
  func terms(of node: Int32) -> ArraySlice<Int32> { list[Int(starts[Int(node)])..<Int(starts[Int(node) + 1])] }
}
