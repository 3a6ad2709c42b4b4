import Hegui
import Testing

@Suite("LiteralAutomaton")
struct LiteralAutomatonTests {
  @Test("finds every occurrence, overlapping ones included, with byte ranges")
  func overlapping() {
    let automaton = LiteralAutomaton(terms: ["最低价", "全网最低价", "低价", "价"])
    let matches = automaton.matches(in: "全网最低价")
    let found = Set(matches.map { "\($0.term):\($0.range.lowerBound)-\($0.range.upperBound)" })
    #expect(found == ["0:6-15", "1:0-15", "2:9-15", "3:12-15"])
  }

  @Test("duplicate terms report each index; empty terms are ignored")
  func duplicates() {
    let automaton = LiteralAutomaton(terms: ["第一", "", "第一"])
    #expect(Set(automaton.matches(in: "第一").map(\.term)) == [0, 2])
  }

  /// Every occurrence of every term, as "term@range" of UTF-8 offsets, by comparing bytes at
  /// every scalar boundary (a match that starts inside a scalar is no occurrence).
  static func naiveMatches(of terms: [String], in text: String) -> Set<String> {
    var expected = Set<String>()
    let bytes = Array(text.utf8)
    for (index, term) in terms.enumerated() {
      let t = Array(term.utf8)
      guard !t.isEmpty, t.count <= bytes.count else { continue }
      for start in 0...(bytes.count - t.count) where bytes[start] & 0xC0 != 0x80 {
        if Array(bytes[start..<(start + t.count)]) == t { expected.insert("\(index)@\(start..<(start + t.count))") }
      }
    }
    return expected
  }

  @Test("agrees with a naive search on random text (ASCII, Han, astral)")
  func agreesWithNaive() {
    var rng = SplitMix64(state: 42)
    let alphabet = Array("最低价第一😀ab全网")
    for _ in 0..<200 {
      let terms = (0..<Int.random(in: 1...8, using: &rng)).map { _ in
        String((0..<Int.random(in: 1...3, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
      }
      let text = String((0..<Int.random(in: 0...30, using: &rng)).map { _ in alphabet.randomElement(using: &rng)! })
      let automaton = LiteralAutomaton(terms: terms)
      let got = Set(automaton.matches(in: text).map { "\($0.term)@\($0.range)" })
      #expect(got == Self.naiveMatches(of: terms, in: text), "terms \(terms) text \(text)")
    }
  }

  @Test("agrees with a naive search with thousands of terms over a large alphabet (double-array placement)")
  func agreesWithNaiveLarge() {
    var rng = SplitMix64(state: 7)
    // 2,000 Han characters, ASCII letters and a few astral scalars: many codes, states with
    // hundreds of children and states with one, so placement meets collisions and full regions.
    var alphabet = (0..<2_000).compactMap { Unicode.Scalar(0x4E00 + $0 * 7).map(Character.init) }
    alphabet += Array("abcxyz😀🎁🔥")
    let common = Array(alphabet.prefix(40))
    let terms = (0..<3_000).map { _ in
      String(
        (0..<Int.random(in: 1...5, using: &rng)).map { _ in
          Bool.random(using: &rng) ? common.randomElement(using: &rng)! : alphabet.randomElement(using: &rng)!
        })
    }
    let automaton = LiteralAutomaton(terms: terms)
    for _ in 0..<40 {
      var text = ""
      for _ in 0..<Int.random(in: 0...20, using: &rng) {
        text +=
          Bool.random(using: &rng) ? terms.randomElement(using: &rng)! : String(alphabet.randomElement(using: &rng)!)
      }
      let got = Set(automaton.matches(in: text).map { "\($0.term)@\($0.range)" })
      #expect(got == Self.naiveMatches(of: terms, in: text), "text \(text)")
    }
  }

  @Test("60,000 terms build and match")
  func large() {
    var rng = SplitMix64(state: 1)
    let han = Array(
      "的一是不了人我在有他这中大来上国个到说们为子和你地出道也时年得就那要下以生会自着去之过家学对可她里后小么心多天而能好都然没日于起还发成事只作当想看文无开手十用主行方又如前所本见经头面公同三已老从动两长知民样现分将外但身些与高意进把法此实回二理美点月明其种声全工己话儿者向情部正名定女问力机给等几很业最间新什打便位因重被走电四第门相次东政海口使教西再平真听世气信北少关并内加化由却代军产入先山五太水万市眼体别处总才场师书比住员九笑性通目华报立马命张活难神数件安表原车白应路期叫死常提感金何更反合放做系计或司利受光王果亲界及今京务制解各任至清物台象记边共风战干接它许八特觉望直服毛林题建南度统色字请交爱让认算论百吃义科怎元社术结六功指思非流每青管夫连远资队跟带花快条院变联言权往展该领传近留红治决周保达办运武半候七必城父强步完革深区"
    )
    let terms = (0..<60_000).map { _ in
      String((0..<Int.random(in: 2...5, using: &rng)).map { _ in han.randomElement(using: &rng)! })
    }
    let automaton = LiteralAutomaton(terms: terms)
    #expect(automaton.termCount == 60_000)
    let probe = terms[12_345]
    #expect(automaton.matches(in: "前缀\(probe)后缀").contains { $0.term == 12_345 })
  }
}
