/// Finds lexicon terms written so that a filter misses them and a buyer still reads them:
/// in pinyin (全网zui低价, zui di jia, zuì, zui4), partly with homophones (国家及) or look-alike
/// characters (末 for 未), for the rules that opt in (`homophones: true`).
///
/// Text and terms meet on syllables. The normalised text is read as *units*: a Han character
/// (all its readings, and for opted-in terms those of its look-alikes) or one pinyin syllable.
/// A Latin word is split into syllables the way pinyin is written: a syllable that begins with
/// a, o or e starts a word or follows an apostrophe, a tone digit or a space (西安 is `xi'an`;
/// `xian` is 先, never 西安), and a word that does not split into syllables (an English word, a
/// model number) is not pinyin at all. A match may not begin or end inside a Latin word. The
/// terms' syllable sequences form a trie walked from each unit; a path that reaches a term is
/// then checked character by character:
/// - each unit is the term's character, a pinyin syllable of it, or — for opted-in terms — a
///   Han character that shares a reading (any tone) or is a known look-alike;
/// - at least one unit is not the term's character (an exact match is the automaton's);
/// - replaced Han characters are a minority of the term (at most (n − 1) / 2);
/// - a term matched by pinyin alone has at least three characters (two syllables are too often
///   an ordinary word or name).
///
/// Only terms of two or more Han characters take part; terms of rules with `evasion: false` do
/// not. Lines without Latin letters are walked only for opted-in terms.
struct EvasionMatcher: Sendable {
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
  /// Every term (walked on lines with pinyin) and the opted-in terms (walked everywhere).
  private let all: SyllableTrie
  private let homophoneTerms: SyllableTrie
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
    longest = terms.map(\.chars.count).max() ?? 0
    all = SyllableTrie(terms: terms, indices: Array(terms.indices), readings: readings)
    homophoneTerms = SyllableTrie(
      terms: terms, indices: terms.indices.filter { terms[$0].homophones && terms[$0].chars.count >= 3 },
      readings: readings)
  }

  /// Reports every evasion match in `text` (normalised UTF-8): the term's index and the range.
  func forEachMatch(
    in text: UnsafeBufferPointer<UInt8>, scratch: inout Scratch, _ body: (Int, Range<Int>) -> Void
  ) {
    if terms.isEmpty { return }
    let hasLatin = EvasionMatcher.mayHoldPinyin(text)
    if !hasLatin && homophoneTerms.isEmpty { return }
    scratch.units.removeAll(keepingCapacity: true)
    tokenize(text, into: &scratch.units, pinyin: hasLatin)
    let count = scratch.units.count
    if count < 2 { return }
    // Runs of joined units with a syllable walk every term; others the opted-in ones.
    var lineStart = 0
    while lineStart < count {
      var lineEnd = lineStart + 1
      var pinyin = scratch.units[lineStart].syllable >= 0
      while lineEnd < count && scratch.units[lineEnd].joins {
        if scratch.units[lineEnd].syllable >= 0 { pinyin = true }
        lineEnd += 1
      }
      let trie = pinyin ? all : homophoneTerms
      if !trie.isEmpty && lineEnd - lineStart >= 2 {
        for i in lineStart..<lineEnd { walk(from: i, to: lineEnd, trie: trie, scratch: &scratch, body) }
      }
      lineStart = lineEnd
    }
  }

  /// Whether `text` holds an ASCII letter or a Latin letter with a tone mark.
  private static func mayHoldPinyin(_ text: UnsafeBufferPointer<UInt8>) -> Bool {
    for b in text where (b >= 0x61 && b <= 0x7A) || b == 0xC3 || b == 0xC4 || b == 0xC5 || b == 0xC7 { return true }
    return false
  }

  /// Walks the trie from unit `i`, reporting verified matches that end before `end`.
  private func walk(
    from i: Int, to end: Int, trie: SyllableTrie, scratch: inout Scratch, _ body: (Int, Range<Int>) -> Void
  ) {
    let first = scratch.units[i]
    if first.syllable >= 0 && !first.wordStart { return }
    if first.syllable < 0 && trie.root.isEmpty { return }
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
      } else {
        return false
      }
    }
    let n = term.chars.count
    guard k == n else { return false }
    // Something was written differently: a syllable, a replaced character or a repeat.
    if pinyin + replaced == 0 && skipped == 0 { return false }
    if replaced > (n - 1) / 2 { return false }
    if exact == 0 && n < 3 { return false }
    return true
  }

  // MARK: Reading the text as units

  /// Splits `text` into Han characters and pinyin syllables (with `pinyin`).
  private func tokenize(_ text: UnsafeBufferPointer<UInt8>, into units: inout [Unit], pinyin: Bool) {
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
        var id: UInt16 = 0
        var word = ""
        for l in letters[cut] { word.unicodeScalars.append(Unicode.Scalar(l.letter)) }
        id = readings.syllable(word) ?? 0
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
      if pinyin, let letter = EvasionMatcher.pinyinLetter(scalar) {
        letters.append((letter, Int32(start), Int32(i), boundaryNext))
        boundaryNext = false
        continue
      }
      if pinyin && !letters.isEmpty {
        if scalar >= 0x31 && scalar <= 0x35 {
          // A tone digit closes its syllable and belongs to it.
          letters[letters.count - 1].end = Int32(i)
          boundaryNext = true
          continue
        }
        if scalar == 0x27 || scalar == 0x2019 {
          if i < n, EvasionMatcher.pinyinLetter(Normalizer.decode(p, at: i).0) != nil {
            letters[letters.count - 1].end = Int32(i)
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
            start: Int32(start), end: Int32(i), scalar: scalar, syllable: -1, wordStart: false, wordEnd: false,
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
  /// Forced boundaries (tone digit, apostrophe) must be cuts; a syllable beginning with a, o or
  /// e only starts the word or follows a forced boundary; the longest syllable wins where a word
  /// splits two ways.
  private func segment(_ letters: [(letter: UInt8, start: Int32, end: Int32, boundaryBefore: Bool)]) -> [Range<Int>]? {
    let n = letters.count
    if n > 64 { return nil }
    let longestSyllable = readings.longestSyllable
    // ok[k]: letters k..<n split into syllables.
    var ok = [Bool](repeating: false, count: n + 1)
    var choice = [Int](repeating: 0, count: n + 1)
    ok[n] = true
    var word = [UInt8](repeating: 0, count: longestSyllable)
    for k in stride(from: n - 1, through: 0, by: -1) {
      let vowelStartAllowed = k == 0 || letters[k].boundaryBefore
      let firstLetter = letters[k].letter
      if !vowelStartAllowed && (firstLetter == 0x61 || firstLetter == 0x6F || firstLetter == 0x65) { continue }
      var length = min(longestSyllable, n - k)
      while length >= 1 {
        defer { length -= 1 }
        guard ok[k + length] else { continue }
        // No forced boundary strictly inside the syllable.
        var crosses = false
        for m in (k + 1)..<(k + length) where letters[m].boundaryBefore {
          crosses = true
          break
        }
        if crosses { continue }
        for m in 0..<length { word[m] = letters[k + m].letter }
        let text = String(decoding: word[0..<length], as: UTF8.self)
        guard let id = readings.syllable(text), EvasionMatcher.isTypable(readings.syllables[Int(id)]) else {
          continue
        }
        ok[k] = true
        choice[k] = length
        break
      }
    }
    guard ok[0] else { return nil }
    var cuts: [Range<Int>] = []
    var k = 0
    while k < n {
      cuts.append(k..<(k + choice[k]))
      k += choice[k]
    }
    return cuts
  }

  /// Syllables people type as pinyin: not the interjections written m, n, ng, hm, hng.
  private static func isTypable(_ syllable: String) -> Bool {
    switch syllable {
    case "m", "n", "ng", "hm", "hng": false
    default: true
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
  private let termStart: [Int32]
  private let termList: [Int32]
  let isEmpty: Bool
  /// Whether any term in it accepts homophones and look-alikes.
  let hasHomophoneTerms: Bool

  /// A term with more reading combinations than this is inserted with its first ones only.
  static let maxPaths = 64

  init(terms: [EvasionMatcher.Term], indices: [Int], readings: HanReadings) {
    var children: [[UInt16: Int32]] = [[:]]
    var nodeTerms: [[Int32]] = [[]]
    for t in indices {
      let term = terms[t]
      var frontier: [Int32] = [0]
      for c in term.chars {
        var next: [Int32] = []
        for node in frontier {
          for r in readings.readings(of: c) {
            let child: Int32
            if let existing = children[Int(node)][r] {
              child = existing
            } else {
              child = Int32(children.count)
              children[Int(node)][r] = child
              children.append([:])
              nodeTerms.append([])
            }
            if !next.contains(child) { next.append(child) }
          }
        }
        frontier = Array(next.prefix(SyllableTrie.maxPaths))
      }
      for node in frontier { nodeTerms[Int(node)].append(Int32(t)) }
    }
    var root = [Int32](repeating: -1, count: readings.syllables.count)
    for (syllable, child) in children[0] { root[Int(syllable)] = child }
    var edgeStart: [Int32] = []
    var edgeSyllable: [UInt16] = []
    var edgeChild: [Int32] = []
    var termStart: [Int32] = []
    var termList: [Int32] = []
    for node in children.indices {
      edgeStart.append(Int32(edgeSyllable.count))
      for (syllable, child) in children[node].sorted(by: { $0.key < $1.key }) {
        edgeSyllable.append(syllable)
        edgeChild.append(child)
      }
      termStart.append(Int32(termList.count))
      termList += nodeTerms[node]
    }
    edgeStart.append(Int32(edgeSyllable.count))
    termStart.append(Int32(termList.count))
    self.root = root
    self.edgeStart = edgeStart
    self.edgeSyllable = edgeSyllable
    self.edgeChild = edgeChild
    self.termStart = termStart
    self.termList = termList
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
  func hasTerms(_ node: Int32) -> Bool { termStart[Int(node)] < termStart[Int(node) + 1] }

  func terms(of node: Int32) -> ArraySlice<Int32> {
    termList[Int(termStart[Int(node)])..<Int(termStart[Int(node) + 1])]
  }
}
