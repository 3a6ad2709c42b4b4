import Hegui

/// One text to check, as a merchant's system would submit it.
struct CorpusItem: Sendable {
  var text: String
  var context: CheckContext
}

/// What the generator produced, so the table can say what was measured.
struct CorpusStats: Sendable {
  var items = 0
  var lines = 0
  var bytes = 0
  var violationLines = 0
  var traditionalLines = 0
  var evasionLines = 0
  var bytesByContext: [TextContext: Int] = [:]

  func percent(_ count: Int) -> String {
    lines == 0 ? "0%" : String(format2: Double(count) * 100 / Double(lines)) + "%"
  }
}

/// Generates a realistic corpus deterministically from a seed: livestream scripts (one
/// utterance per line), live captions, listing titles and listing descriptions in Simplified
/// Chinese. About 5% of lines carry a violation, about 3% are in Traditional characters and
/// about 3% use full-width forms, emoji or noise-separated evasions (最*便*宜).
struct CorpusGenerator {
  private enum Part {
    case literal(String)
    case slot(String)
  }

  private var rng: SplitMix64
  private(set) var stats = CorpusStats()

  private static let livestream = Vocabulary.livestream.map(parse)
  private static let caption = Vocabulary.caption.map(parse)
  private static let title = Vocabulary.title.map(parse)
  private static let description = Vocabulary.description.map(parse)
  private static let violations = Vocabulary.violations.map(parse)
  private static let evasionCarriers = Vocabulary.evasionCarriers.map(parse)
  private static let traditional: [Unicode.Scalar: Unicode.Scalar] = {
    let scalars = Array(Vocabulary.traditionalPairs.unicodeScalars)
    var table: [Unicode.Scalar: Unicode.Scalar] = [:]
    for i in stride(from: 0, to: scalars.count - 1, by: 2) where scalars[i] != scalars[i + 1] {
      table[scalars[i]] = scalars[i + 1]
    }
    return table
  }()

  init(seed: UInt64) {
    rng = SplitMix64(seed: seed)
  }

  /// The next item: 10% livestream scripts (15–40 lines), 45% caption lines, 25% titles and
  /// 20% descriptions (3–10 sentences) by count; scripts and descriptions carry most bytes.
  mutating func nextItem() -> CorpusItem {
    let roll = rng.below(100)
    let item: CorpusItem
    if roll < 10 {
      var lines: [String] = []
      for _ in 0..<rng.int(in: 15...40) { lines.append(line(CorpusGenerator.livestream)) }
      item = CorpusItem(text: lines.joined(separator: "\n"), context: CheckContext(.livestream))
    } else if roll < 55 {
      item = CorpusItem(text: line(CorpusGenerator.caption, spaced: true), context: CheckContext(.caption))
    } else if roll < 80 {
      item = CorpusItem(text: line(CorpusGenerator.title), context: CheckContext(.title, category: listingCategory()))
    } else {
      var text = ""
      for index in 0..<rng.int(in: 3...10) {
        if index > 0 && rng.chance(0.2) { text += "\n" }
        text += line(CorpusGenerator.description, sentence: true)
      }
      item = CorpusItem(text: text, context: CheckContext(.description, category: listingCategory()))
    }
    stats.items += 1
    let bytes = item.text.utf8.count
    stats.bytes += bytes
    stats.bytesByContext[item.context.context, default: 0] += bytes
    return item
  }

  /// Listings usually come with a category (ids from `Rulesets/categories.yml`); some do not.
  private mutating func listingCategory() -> String? {
    switch rng.below(10) {
    case 0..<4: return nil
    case 4, 5: return "food"
    case 6, 7: return "cosmetics"
    case 8: return "health-food"
    default: return "agri-produce"
    }
  }

  /// Items until at least `bytes` bytes of UTF-8.
  mutating func items(bytes: Int) -> [CorpusItem] {
    var items: [CorpusItem] = []
    while stats.bytes < bytes { items.append(nextItem()) }
    return items
  }

  /// A caption line of exactly `characters` characters (captions are joined with spaces and cut).
  mutating func captionLine(characters: Int) -> String {
    var text = line(CorpusGenerator.caption, spaced: true)
    while text.count < characters { text += " " + line(CorpusGenerator.caption, spaced: true) }
    return String(text.prefix(characters))
  }

  // MARK: Lines

  private mutating func line(_ templates: [[Part]], spaced: Bool = false, sentence: Bool = false) -> String {
    stats.lines += 1
    var text: String
    let roll = rng.next() >> 11
    let p = Double(roll) * 0x1p-53
    if p < 0.05 {
      stats.violationLines += 1
      let violation = fill(rng.pick(CorpusGenerator.violations))
      if rng.chance(0.5) {
        text = violation
      } else {
        text = fill(rng.pick(templates)) + (spaced ? " " : "，") + violation
      }
      if sentence { text += "。" }
    } else if p < 0.08 {
      stats.evasionLines += 1
      if rng.chance(0.5) {
        text = fill(rng.pick(CorpusGenerator.evasionCarriers))
      } else {
        text = sprinkleEmoji(fullWidth(fill(rng.pick(templates))))
      }
    } else {
      text = fill(rng.pick(templates))
    }
    if rng.chance(0.03) {
      stats.traditionalLines += 1
      text = traditional(text)
    }
    return text
  }

  private static func parse(_ template: String) -> [Part] {
    var parts: [Part] = []
    var rest = Substring(template)
    while let open = rest.firstIndex(of: "{") {
      if open > rest.startIndex { parts.append(.literal(String(rest[..<open]))) }
      guard let close = rest[open...].firstIndex(of: "}") else { break }
      parts.append(.slot(String(rest[rest.index(after: open)..<close])))
      rest = rest[rest.index(after: close)...]
    }
    if !rest.isEmpty { parts.append(.literal(String(rest))) }
    return parts
  }

  private mutating func fill(_ parts: [Part]) -> String {
    var text = ""
    for part in parts {
      switch part {
      case let .literal(literal): text += literal
      case let .slot(name): text += slot(name)
      }
    }
    return text
  }

  private mutating func slot(_ name: String) -> String {
    switch name {
    case "aud": return rng.pick(Vocabulary.audiences)
    case "p": return rng.pick(Vocabulary.products)
    case "attr": return rng.pick(Vocabulary.attributes)
    case "color": return rng.pick(Vocabulary.colors)
    case "size": return rng.pick(Vocabulary.sizes)
    case "place": return rng.pick(Vocabulary.places)
    case "gift": return rng.pick(Vocabulary.gifts)
    case "brand": return rng.pick(Vocabulary.brands)
    case "tag": return rng.pick(Vocabulary.tags)
    case "tattr": return rng.pick(Vocabulary.titleAttributes)
    case "material": return rng.pick(Vocabulary.materials)
    case "scene": return rng.pick(Vocabulary.scenes)
    case "name": return rng.pick(Vocabulary.nicknames)
    case "ing": return rng.pick(Vocabulary.ingredients)
    case "domain": return rng.pick(Vocabulary.domains)
    case "price": return String(rng.int(in: 9...899))
    case "n": return String(rng.int(in: 1...30))
    case "k": return String(rng.int(in: 3...50))
    case "h": return String(rng.int(in: 150...185))
    case "w": return String(rng.int(in: 80...160))
    case "d": return rng.pick(["24", "48", "72"])
    case "m": return rng.pick(["99", "199", "299"])
    case "r": return rng.pick(["10", "20", "30", "50"])
    case "year": return String(rng.int(in: 2023...2025))
    case "g": return String(rng.int(in: 1...20) * 50)
    case "months": return String(rng.int(in: 6...18))
    case "spec":
      switch rng.below(3) {
      case 0: return "\(rng.int(in: 1...20) * 50)ml"
      case 1: return "\(rng.int(in: 1...20) * 25)g×\(rng.int(in: 2...12))袋"
      default: return "\(rng.int(in: 2...6))件装"
      }
    case "wx":
      let letters = Array("abcdefghijkmnpqrstuvwxyz")
      var id = ""
      for _ in 0..<rng.int(in: 3...5) { id.append(rng.pick(letters)) }
      return id + String(rng.int(in: 100...99_999))
    case "phone":
      var phone = "1" + String(rng.int(in: 3...9))
      for _ in 0..<9 { phone += String(rng.below(10)) }
      return phone
    case "x":
      let term = rng.pick(Vocabulary.evasionTerms)
      let separator = rng.pick(Vocabulary.noise)
      return term.map(String.init).joined(separator: separator)
    default:
      return name
    }
  }

  // MARK: Variants

  private func traditional(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars { out.append(CorpusGenerator.traditional[scalar] ?? scalar) }
    return String(out)
  }

  private func fullWidth(_ text: String) -> String {
    var out = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      switch scalar.value {
      case 0x21...0x7E: out.append(Unicode.Scalar(scalar.value + 0xFEE0) ?? scalar)
      case 0x20: out.append("\u{3000}")
      default: out.append(scalar)
      }
    }
    return String(out)
  }

  private mutating func sprinkleEmoji(_ text: String) -> String {
    var characters = Array(text)
    for _ in 0..<rng.int(in: 1...3) {
      characters.insert(contentsOf: rng.pick(Vocabulary.emoji), at: rng.below(characters.count + 1))
    }
    return String(characters)
  }
}

extension String {
  /// A number with one decimal (no Foundation formatting needed).
  init(format2 value: Double) {
    let tenths = Int((value * 10).rounded())
    self = "\(tenths / 10).\(abs(tenths % 10))"
  }
}
