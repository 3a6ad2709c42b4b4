/// Mandarin readings of Han characters and look-alike pairs, for matching terms written in
/// pinyin, with homophones or with look-alike characters (``EvasionMatcher``).
///
/// The data is derived from the Unicode Han Database (Unihan, Unicode License v3) by
/// `Scripts/generate-han-readings.py`: modern readings (kXHC1983, kMandarin; kHanyuPinyin only for
/// characters without either), toneless, `ü` written `v`, every reading of a polyphonic character
/// kept; look-alike pairs from kSpoofingVariant and kZVariant plus the curated table below. Built
/// once per process at first use (≈ 30k characters).
struct HanReadings: @unchecked Sendable {
  // @unchecked: the tables below are raw memory written once in `init` and never again; the
  // only instance is `shared`, which lives for the whole process (the memory is never freed).
  /// First and last code point with readings (BMP ideographs; astral ones are rare in listings).
  static let first: UInt32 = 0x3400
  static let last: UInt32 = 0x9FFF

  /// The toneless syllables, sorted; a syllable's id is its index.
  let syllables: [String]
  /// Per code point from `first`: `starts[cp - first]..<starts[cp - first + 1]` into `ids`.
  /// Raw memory: looked up for every character a search reads, where an array slice would be
  /// retained and released each time.
  private let starts: UnsafePointer<UInt32>
  private let ids: UnsafePointer<UInt16>
  /// Per code point from `first`: the range of its look-alikes in `lookAlikeList`.
  private let lookAlikeStarts: UnsafePointer<UInt32>
  private let lookAlikeList: UnsafePointer<UInt32>

  /// A copy of `array` in memory that is never freed.
  private static func immortal<T>(_ array: [T]) -> UnsafePointer<T> {
    let memory = UnsafeMutablePointer<T>.allocate(capacity: max(1, array.count))
    memory.initialize(from: array, count: array.count)
    return UnsafePointer(memory)
  }
  /// Syllables by packed key, sorted (`lue` and `lve` both mean lüe); and those people type as
  /// pinyin (not the interjections m, n, ng, hm, hng).
  private let syllableKeys: [(key: UInt64, id: UInt16)]
  private let typableKeys: [(key: UInt64, id: UInt16)]
  /// The longest syllable in letters (`zhuang`).
  let longestSyllable: Int

  /// The process-wide table.
  static let shared = HanReadings()

  /// Look-alikes curated by hand: the classic 形近字 pairs of Chinese teaching material, and pairs
  /// seen in filter dodges (元/无, 自/白, 竽/竿, 甪/用, 夏/复, 使/便, 苐/第, 吏/史; sources in
  /// `Rulesets/tests/EVASIONS.md`), which Unihan's variant data does not list (they are
  /// different characters, not glyph variants).
  static let curatedLookAlikes = "己已 已巳 己巳 未末 土士 日曰 戊戌 戌戍 戊戍 人入 天夭 免兔 拔拨 治冶 元无 自白 竽竿 甪用 夏复 使便 苐第 吏史"

  private init() {
    // Parsed from the UTF-8 bytes in two passes (count, then fill): ≈ 30k characters with no
    // per-character arrays, since this runs in every process that checks text.
    let size = Int(HanReadings.last - HanReadings.first) + 1
    var syllables: [String] = []
    var counts = [UInt32](repeating: 0, count: size + 1)
    var pairs: [(char: Int32, syllable: UInt16)] = []
    pairs.reserveCapacity(40_000)
    var utf8 = Array(HanReadings.readingLines.utf8)
    utf8.append(0x0A)
    var k = 0
    while k < utf8.count {
      let lineStart = k
      while k < utf8.count && utf8[k] != 0x20 && utf8[k] != 0x0A { k += 1 }
      guard k < utf8.count, utf8[k] == 0x20 else {
        k += 1
        continue
      }
      let id = UInt16(syllables.count)
      syllables.append(String(decoding: utf8[lineStart..<k], as: UTF8.self))
      k += 1
      while k + 2 < utf8.count && utf8[k] != 0x0A {
        let b0 = UInt32(utf8[k])
        guard b0 & 0xF0 == 0xE0 else {
          k += 1
          continue
        }
        let c = (b0 & 0x0F) << 12 | UInt32(utf8[k + 1] & 0x3F) << 6 | UInt32(utf8[k + 2] & 0x3F)
        k += 3
        if c >= HanReadings.first && c <= HanReadings.last {
          counts[Int(c - HanReadings.first)] += 1
          pairs.append((Int32(c - HanReadings.first), id))
        }
      }
      k += 1
    }
    self.syllables = syllables
    var idOf: [String: UInt16] = [:]
    var longest = 0
    for (id, syllable) in syllables.enumerated() {
      idOf[syllable] = UInt16(id)
      longest = max(longest, syllable.utf8.count)
    }
    // ü is typed v (lv, nve) or, before e, u (lue, nue).
    if let id = idOf["lve"] { idOf["lue"] = id }
    if let id = idOf["nve"] { idOf["nue"] = id }
    longestSyllable = longest
    func pack(_ syllable: String) -> UInt64 { syllable.utf8.reduce(0) { $0 << 8 | UInt64($1) } }
    let keyed = idOf.map { (key: pack($0.key), id: $0.value) }.sorted { $0.key < $1.key }
    syllableKeys = keyed
    let interjections: Set<String> = ["m", "n", "ng", "hm", "hng"]
    typableKeys = keyed.filter { !interjections.contains(syllables[Int($0.id)]) }

    var starts = [UInt32](repeating: 0, count: size + 1)
    var total: UInt32 = 0
    for c in 0..<size {
      starts[c] = total
      total += counts[c]
    }
    starts[size] = total
    var ids = [UInt16](repeating: 0, count: Int(total))
    var fill = starts
    for pair in pairs {
      ids[Int(fill[Int(pair.char)])] = pair.syllable
      fill[Int(pair.char)] += 1
    }
    self.starts = HanReadings.immortal(starts)
    self.ids = HanReadings.immortal(ids)

    // Look-alike pairs, both ways, sorted and deduplicated into per-character ranges.
    var alike: [(UInt32, UInt32)] = []
    func pair(_ a: UInt32, _ b: UInt32) {
      guard a != b, HanReadings.covers(a), HanReadings.covers(b) else { return }
      alike.append((a, b))
      alike.append((b, a))
    }
    let unihan = HanReadings.unihanLookAlikes.unicodeScalars.filter { !$0.properties.isWhitespace }.map(\.value)
    var u = 0
    while u + 1 < unihan.count {
      pair(unihan[u], unihan[u + 1])
      u += 2
    }
    for entry in HanReadings.curatedLookAlikes.split(separator: " ") {
      let scalars = entry.unicodeScalars.map(\.value)
      if scalars.count == 2 { pair(scalars[0], scalars[1]) }
    }
    alike.sort { $0 < $1 }
    var lookAlikeStarts = [UInt32](repeating: 0, count: size + 1)
    var lookAlikeList: [UInt32] = []
    var next = 0
    for c in 0..<size {
      lookAlikeStarts[c] = UInt32(lookAlikeList.count)
      let scalar = UInt32(c) + HanReadings.first
      while next < alike.count && alike[next].0 == scalar {
        if lookAlikeList.count == Int(lookAlikeStarts[c]) || lookAlikeList.last != alike[next].1 {
          lookAlikeList.append(alike[next].1)
        }
        next += 1
      }
    }
    lookAlikeStarts[size] = UInt32(lookAlikeList.count)
    self.lookAlikeStarts = HanReadings.immortal(lookAlikeStarts)
    self.lookAlikeList = HanReadings.immortal(lookAlikeList)
  }

  /// Whether `scalar` is a Han character this table covers.
  @inline(__always)
  static func covers(_ scalar: UInt32) -> Bool { scalar >= first && scalar <= last }

  /// The syllable ids of a Han character (empty for other scalars and characters without data).
  @inline(__always)
  func readings(of scalar: UInt32) -> UnsafeBufferPointer<UInt16> {
    guard HanReadings.covers(scalar) else { return UnsafeBufferPointer(start: nil, count: 0) }
    let k = Int(scalar - HanReadings.first)
    let (from, to) = (Int(starts[k]), Int(starts[k + 1]))
    return UnsafeBufferPointer(start: ids + from, count: to - from)
  }

  /// The look-alikes of a Han character.
  @inline(__always)
  func lookAlikes(of scalar: UInt32) -> UnsafeBufferPointer<UInt32> {
    guard HanReadings.covers(scalar) else { return UnsafeBufferPointer(start: nil, count: 0) }
    let k = Int(scalar - HanReadings.first)
    let (from, to) = (Int(lookAlikeStarts[k]), Int(lookAlikeStarts[k + 1]))
    return UnsafeBufferPointer(start: lookAlikeList + from, count: to - from)
  }

  /// Whether two Han characters share a reading (in any tone).
  func shareReading(_ a: UInt32, _ b: UInt32) -> Bool {
    let ra = readings(of: a)
    if ra.isEmpty { return false }
    for r in readings(of: b) where ra.contains(r) { return true }
    return false
  }

  /// Whether `b` is a known look-alike of `a`.
  func areLookAlikes(_ a: UInt32, _ b: UInt32) -> Bool { lookAlikes(of: a).contains(b) }

  /// The id of a toneless ASCII syllable as typed, its letters packed into `key` a byte each
  /// (`zui` = 0x7A7569), or nil; with `typable`, not the interjections m, n, ng, hm, hng.
  func syllable(key: UInt64, typable: Bool = false) -> UInt16? {
    let keys = typable ? typableKeys : syllableKeys
    var low = 0
    var high = keys.count
    while low < high {
      let mid = (low + high) / 2
      if keys[mid].key < key { low = mid + 1 } else { high = mid }
    }
    return low < keys.count && keys[low].key == key ? keys[low].id : nil
  }
}
