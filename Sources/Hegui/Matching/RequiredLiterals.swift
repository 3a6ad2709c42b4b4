/// The literals a PCRE2 pattern cannot match without: sets of strings such that any subject in
/// which the pattern matches contains at least one string of *each* set — inside the match, or
/// next to it where a positive lookaround looks. The checker runs a pattern only over text in
/// which every set has an occurrence, so that most texts never reach PCRE2.
///
/// `(?:私下|线下)(?:交易|转账|付款|联系)` needs one of {私下交易, 私下转账, …, 线下联系};
/// `1[3-9]\d{9}` needs one of {13, …, 19}; `(?:预防|…|对付)\p{Han}{0,2}?(?:高血压|…)` needs one
/// of the first alternatives *and* one of the last; `(?<=电话|热线)\s*0\d{2,3}` needs 电话 or
/// 热线 before the match.
///
/// The analysis is conservative: syntax it does not model (named and relative backreferences,
/// option settings, conditionals, `\Q…\E`, octal escapes) yields no requirement, and the
/// pattern then runs everywhere, as before. Literals are lower-cased: patterns are compiled
/// caseless and run on case-folded text, which never contains an upper-case or other case
/// variant of an ASCII letter (NFKC case folding maps K, ſ, Ｋ … to k, s, k). A literal with a
/// non-ASCII character that has case variants makes the analysis give up rather than guess.
enum RequiredLiterals {
  /// Largest set kept (larger alternations give no requirement).
  static let maximumSetSize = 2048
  /// Largest product of a concatenation's exact sets (beyond it, the run is closed and its
  /// parts count separately).
  static let maximumProduct = 64
  /// Most sets kept per pattern, best first.
  static let maximumSets = 3

  /// A literal as UTF-8 bytes: hashing and comparing bytes is what compiling many patterns
  /// needs (`String` hashing normalises Unicode first, and `[UInt8]` hashes byte by byte).
  struct Literal: Hashable, ExpressibleByArrayLiteral {
    var bytes: [UInt8]

    init(_ bytes: [UInt8]) {
      self.bytes = bytes
    }

    init(arrayLiteral elements: UInt8...) {
      bytes = elements
    }

    var count: Int { bytes.count }
    var isEmpty: Bool { bytes.isEmpty }

    func hash(into hasher: inout Hasher) {
      bytes.withUnsafeBytes { hasher.combine(bytes: $0) }
    }

    static func + (a: Literal, b: Literal) -> Literal {
      Literal(a.bytes + b.bytes)
    }
  }
  typealias LiteralSet = Set<Literal>

  /// The requirement of a pattern, or an empty array when none is known.
  static func of(_ source: String) -> [[String]] {
    var parser = Parser(Array(source.unicodeScalars))
    guard let info = parser.alternation(), parser.atEnd, !parser.failed else { return [] }
    var unique: [LiteralSet] = []
    for set in info.requirements.map(simplify) where !set.isEmpty && !set.contains([]) && !unique.contains(set) {
      unique.append(set)
    }
    // A set implied by another (every literal of the other contains one of its literals, as
    // 13…19 implies a digit) checks nothing new; of two that imply each other, keep the first.
    func implies(_ a: LiteralSet, _ b: LiteralSet) -> Bool {
      a.allSatisfy { literal in b.contains { contains(literal, $0) } }
    }
    var kept: [LiteralSet] = []
    for (index, set) in unique.enumerated() {
      let implied = unique.indices.contains { other in
        other != index && implies(unique[other], set) && !(other > index && implies(set, unique[other]))
      }
      if !implied { kept.append(set) }
    }
    kept.sort { score($0) > score($1) }
    return kept.prefix(maximumSets).map { set in set.map { String(decoding: $0.bytes, as: UTF8.self) }.sorted() }
  }

  /// Drops literals that contain another member ("微信号" adds nothing when "微信" is required).
  /// Large sets are left as they are: the check is quadratic, and redundant members cost the
  /// automaton little.
  static func simplify(_ set: LiteralSet) -> LiteralSet {
    guard set.count <= 64 else { return set }
    let members = Array(set)
    var kept = LiteralSet()
    for (index, candidate) in members.enumerated() {
      let redundant = members.enumerated().contains { other, member in
        other != index && member.count < candidate.count && contains(candidate, member)
      }
      if !redundant { kept.insert(candidate) }
    }
    return kept
  }

  /// Whether `needle` occurs in `haystack` (both UTF-8, so a match is whole characters).
  private static func contains(_ haystack: Literal, _ needle: Literal) -> Bool {
    if needle.isEmpty { return true }
    if needle.count > haystack.count { return false }
    let h = haystack.bytes
    let n = needle.bytes
    for start in 0...(h.count - n.count) where h[start] == n[0] {
      if h[start..<(start + n.count)].elementsEqual(n) { return true }
    }
    return false
  }

  /// How selective a set is: its shortest literal in UTF-8 bytes, then fewer literals.
  static func score(_ set: LiteralSet) -> Int {
    let shortest = set.map(\.count).min() ?? 0
    return shortest * 1000 - set.count
  }

  static func best(_ sets: [LiteralSet]) -> LiteralSet? {
    sets.max { score($0) < score($1) }
  }

  /// What is known about the strings a sub-pattern matches.
  struct Info {
    /// Every string it can match, when that is a small finite set (the empty literal for
    /// zero-width items).
    var exact: LiteralSet?
    /// Sets of literals each of which has a member in every subject the sub-pattern matches in.
    var required: [LiteralSet] = []

    static let empty = Info(exact: [[]])
    static let unknown = Info(exact: nil)

    static func requirement(of exact: LiteralSet) -> LiteralSet? {
      exact.contains([]) || exact.isEmpty ? nil : exact
    }

    /// All requirements, including the one its exact set gives.
    var requirements: [LiteralSet] {
      var sets = required
      if let exact, let r = Info.requirement(of: exact) { sets.append(r) }
      return sets
    }
  }

  struct Parser {
    private let scalars: [Unicode.Scalar]
    private var index = 0
    private(set) var failed = false

    init(_ scalars: [Unicode.Scalar]) {
      self.scalars = scalars
    }

    var atEnd: Bool { index >= scalars.count }

    private func peek(_ offset: Int = 0) -> Unicode.Scalar? {
      index + offset < scalars.count ? scalars[index + offset] : nil
    }

    private mutating func fail() -> Info {
      failed = true
      return .unknown
    }

    // MARK: Structure

    mutating func alternation() -> Info? {
      var branches = [sequence()]
      while !failed, peek() == "|" {
        index += 1
        branches.append(sequence())
      }
      if failed { return nil }
      if branches.count == 1 { return branches[0] }
      var exact: LiteralSet? = []
      var union: LiteralSet? = []
      // Unions in place (a copy per branch made alternations of hundreds of terms, the claim
      // grammar's disease sets, quadratic to compile); nothing more to learn once both are gone.
      for branch in branches {
        if exact == nil && union == nil { break }
        if let e = branch.exact, let count = exact?.count, count + e.count <= RequiredLiterals.maximumSetSize {
          exact?.formUnion(e)
        } else {
          exact = nil
        }
        if let b = RequiredLiterals.best(branch.requirements), let count = union?.count,
          count + b.count <= RequiredLiterals.maximumSetSize
        {
          union?.formUnion(b)
        } else {
          union = nil
        }
      }
      // An exact set is its own requirement; a separate one would only repeat it.
      return Info(exact: exact, required: exact == nil ? union.map { [$0] } ?? [] : [])
    }

    private mutating func sequence() -> Info {
      var required: [LiteralSet] = []
      var run: LiteralSet? = [[]]
      var allExact = true
      func close(_ run: LiteralSet?) {
        if let run, let r = Info.requirement(of: run) { required.append(r) }
      }
      while !failed, let c = peek(), c != "|", c != ")" {
        let item = quantified(atom())
        if failed { break }
        required += item.required
        if let e = item.exact {
          if let r = run, r.count * e.count <= RequiredLiterals.maximumProduct {
            var product = LiteralSet()
            for a in r { for b in e { product.insert(a + b) } }
            run = product
          } else {
            allExact = false
            close(run)
            run = e.count <= RequiredLiterals.maximumSetSize ? e : nil
          }
        } else {
          allExact = false
          close(run)
          run = nil
        }
      }
      if allExact { return Info(exact: run, required: required) }
      close(run)
      return Info(exact: nil, required: required)
    }

    private mutating func quantified(_ item: Info) -> Info {
      guard let c = peek() else { return item }
      var minimum = 0
      var maximum: Int? = nil
      switch c {
      case "?":
        maximum = 1
        index += 1
      case "*": index += 1
      case "+":
        minimum = 1
        index += 1
      case "{":
        guard let (lower, upper, length) = braces() else { return item }  // a literal "{"
        minimum = lower
        maximum = upper
        index += length
      default:
        return item
      }
      if let next = peek(), next == "?" || next == "+" { index += 1 }  // lazy or possessive
      if minimum == 0 {
        if maximum == 1, let e = item.exact { return Info(exact: e.union([[]])) }
        return .unknown
      }
      if minimum == 1 && maximum == 1 { return item }
      return Info(exact: nil, required: item.requirements)
    }

    /// `{n}`, `{n,}` or `{n,m}` at the current position: (n, m, length), or nil.
    private func braces() -> (Int, Int?, Int)? {
      var i = index + 1
      func number() -> Int? {
        var value: Int? = nil
        while i < scalars.count, let digit = Int(String(scalars[i])), scalars[i].isASCII {
          value = (value ?? 0) * 10 + digit
          i += 1
        }
        return value
      }
      guard let lower = number() else { return nil }
      var upper: Int? = lower
      if i < scalars.count, scalars[i] == "," {
        i += 1
        upper = number()
      }
      guard i < scalars.count, scalars[i] == "}" else { return nil }
      return (lower, upper, i + 1 - index)
    }

    // MARK: Atoms

    private mutating func atom() -> Info {
      guard let c = peek() else { return fail() }
      index += 1
      switch c {
      case "(": return group()
      case "[": return characterClass()
      case "\\": return escape()
      case ".": return .unknown
      case "^", "$": return .empty
      case "*", "+", "?": return fail()  // a quantifier with nothing to repeat
      // A "{" that is not a quantifier is a literal in PCRE2 10.42 but `{,n}` is a quantifier
      // from 10.43 on: do not guess.
      case "{", "}": return fail()
      default: return literal(c)
      }
    }

    private mutating func literal(_ c: Unicode.Scalar) -> Info {
      guard let folded = fold(c) else { return fail() }
      return Info(exact: [Literal(Array(String(folded).utf8))])
    }

    /// ASCII letters lower-cased; other characters with case variants are not modelled.
    private func fold(_ c: Unicode.Scalar) -> Unicode.Scalar? {
      if c.isASCII {
        if ("A"..."Z").contains(c) { return Unicode.Scalar(c.value + 0x20) }
        return c
      }
      return c.properties.changesWhenCaseMapped ? nil : c
    }

    private mutating func group() -> Info {
      enum Kind { case plain, positiveLookaround, negativeLookaround }
      var kind = Kind.plain
      if peek() == "?" {
        index += 1
        switch peek() {
        case ":", ">": index += 1
        case "=":
          index += 1
          kind = .positiveLookaround
        case "!":
          index += 1
          kind = .negativeLookaround
        case "<":
          if peek(1) == "=" {
            index += 2
            kind = .positiveLookaround
          } else if peek(1) == "!" {
            index += 2
            kind = .negativeLookaround
          } else if !skipName(after: 1) {
            return fail()
          }
        case "P":
          guard peek(1) == "<", skipName(after: 2) else { return fail() }
        default:
          return fail()  // option settings, comments, conditionals, callouts, recursion
        }
      }
      guard let inner = alternation(), peek() == ")" else { return fail() }
      index += 1
      switch kind {
      case .plain:
        return inner
      case .positiveLookaround:
        // Zero-width, but what it looks at must be in the subject next to the match.
        return Info(exact: [[]], required: inner.requirements)
      case .negativeLookaround:
        return .empty
      }
    }

    /// Skips `<name>` of a named group starting `offset` scalars ahead.
    private mutating func skipName(after offset: Int) -> Bool {
      var i = index + offset
      while i < scalars.count, scalars[i] != ">" {
        guard scalars[i].properties.isAlphabetic || ("0"..."9").contains(scalars[i]) || scalars[i] == "_" else {
          return false
        }
        i += 1
      }
      guard i < scalars.count else { return false }
      index = i + 1
      return true
    }

    private static let digits = LiteralSet((0...9).map { Literal(Array(String($0).utf8)) })

    private mutating func escape() -> Info {
      guard let c = peek() else { return fail() }
      index += 1
      switch c {
      case "d": return Info(exact: Parser.digits)
      case "D", "w", "W", "s", "S", "h", "H", "v", "V", "R", "X", "N": return .unknown
      case "p", "P":
        if peek() == "{" {
          while let next = peek(), next != "}" { index += 1 }
          guard peek() == "}" else { return fail() }
        }
        index += 1
        return .unknown
      case "b", "B", "A", "z", "Z", "G": return .empty
      case "n": return Info(exact: [[0x0A]])
      case "t": return Info(exact: [[0x09]])
      case "r": return Info(exact: [[0x0D]])
      case "f": return Info(exact: [[0x0C]])
      case "x":
        guard let scalar = codePoint() else { return fail() }
        return literal(scalar)
      case "1"..."9":
        // A backreference (or, past the group count, an octal escape): some text, unknown.
        while let next = peek(), ("0"..."9").contains(next) { index += 1 }
        return .unknown
      default:
        // Named and relative backreferences, octal escapes, \Q…\E, \K and the like: not modelled.
        if c.properties.isAlphabetic || ("0"..."9").contains(c) { return fail() }
        return literal(c)
      }
    }

    /// The code point of `\x{hhh…}` or `\xhh` after the `x`.
    private mutating func codePoint() -> Unicode.Scalar? {
      var digits = ""
      if peek() == "{" {
        index += 1
        while let next = peek(), next != "}" {
          digits.unicodeScalars.append(next)
          index += 1
        }
        guard peek() == "}" else { return nil }
        index += 1
      } else {
        while digits.count < 2, let next = peek(), next.properties.isASCIIHexDigit {
          digits.unicodeScalars.append(next)
          index += 1
        }
      }
      guard !digits.isEmpty, let value = UInt32(digits, radix: 16) else { return nil }
      return Unicode.Scalar(value)
    }

    /// A bracketed class: its characters when there are at most 10, else unknown.
    private mutating func characterClass() -> Info {
      var members = LiteralSet()
      var unknown = false
      if peek() == "^" {
        index += 1
        unknown = true
      }
      var first = true
      while let c = peek(), c != "]" || first {
        first = false
        index += 1
        var low: Unicode.Scalar = c
        if c == "[" && peek() == ":" {
          while let next = peek(), next != "]" { index += 1 }
          index += 1
          unknown = true
          continue
        }
        if c == "\\" {
          guard let e = peek() else { return fail() }
          index += 1
          switch e {
          case "d":
            members.formUnion(Parser.digits)
            continue
          case "D", "w", "W", "s", "S", "h", "H", "v", "V", "N":
            unknown = true
            continue
          case "p", "P":
            if peek() == "{" { while let next = peek(), next != "}" { index += 1 } }
            index += 1
            unknown = true
            continue
          case "n": low = "\n"
          case "t": low = "\t"
          case "r": low = "\r"
          case "x":
            guard let scalar = codePoint() else { return fail() }
            low = scalar
          default:
            if e.properties.isAlphabetic || ("0"..."9").contains(e) { return fail() }
            low = e
          }
        }
        if peek() == "-", var high = peek(1), high != "]", high != "[" {
          index += 2
          if high == "\\" {
            // Only a code point may end a range here; \d, \w and the like are not ranges.
            guard peek() == "x" else { return fail() }
            index += 1
            guard let scalar = codePoint() else { return fail() }
            high = scalar
          }
          guard low.value <= high.value else { return fail() }
          if high.value - low.value >= 10 {
            unknown = true
            continue
          }
          for value in low.value...high.value {
            guard let scalar = Unicode.Scalar(value), let folded = fold(scalar) else { return fail() }
            members.insert(Literal(Array(String(folded).utf8)))
          }
        } else {
          guard let folded = fold(low) else { return fail() }
          members.insert(Literal(Array(String(folded).utf8)))
        }
      }
      guard peek() == "]" else { return fail() }
      index += 1
      if unknown || members.count > 10 || members.isEmpty { return .unknown }
      return Info(exact: members)
    }
  }
}

extension Rule {
  /// The patterns of this rule that its `anchors` may not cover: a pattern runs only on lines
  /// that hold an anchor, so a match without one is silently missed (九院推荐 with anchors
  /// [医, 科, …]). For each such pattern, its index and the literals of its best-covered required
  /// set (``RequiredLiterals``) that contain no anchor: adding them makes the anchors cover it.
  /// Patterns the analysis knows nothing about are not reported; a rule without anchors has none.
  package var uncoveredAnchorLiterals: [(pattern: Int, missing: [String])] {
    guard kind == .pattern, !anchors.isEmpty else { return [] }
    var uncovered: [(pattern: Int, missing: [String])] = []
    for (index, pattern) in patterns.enumerated() {
      let sets = RequiredLiterals.of(pattern.source)
      if sets.isEmpty { continue }
      let missing = sets.map { set in set.filter { literal in !anchors.contains { literal.contains($0) } } }
      guard let fewest = missing.min(by: { $0.count < $1.count }), !fewest.isEmpty else { continue }
      uncovered.append((index, fewest))
    }
    return uncovered
  }
}
