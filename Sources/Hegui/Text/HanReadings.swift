/// Mandarin readings of Han characters and look-alike pairs, for matching terms written in
/// pinyin, with homophones or with look-alike characters (``EvasionMatcher``).
///
/// The data is derived from the Unicode Han Database (Unihan, Unicode License v3) by
/// `Scripts/generate-han-readings.py`: modern readings (kXHC1983, kMandarin; kHanyuPinyin only for
/// characters without either), toneless, `ü` written `v`, every reading of a polyphonic character
/// kept; look-alike pairs from kSpoofingVariant and kZVariant plus the curated table below. Built
/// once per process at first use (≈ 30k characters).
struct HanReadings: Sendable {
  /// First and last code point with readings (BMP ideographs; astral ones are rare in listings).
  static let first: UInt32 = 0x3400
  static let last: UInt32 = 0x9FFF

  /// The toneless syllables, sorted; a syllable's id is its index.
  let syllables: [String]
  /// Per code point from `first`: `starts[cp - first]..<starts[cp - first + 1]` into `ids`.
  private let starts: [UInt32]
  private let ids: [UInt16]
  /// Per code point from `first`: the range of its look-alikes in `lookAlikeList`.
  private let lookAlikeStarts: [UInt32]
  private let lookAlikeList: [UInt32]
  /// Syllables as written by people, toneless ASCII, to ids (`lue` and `lve` both mean lüe).
  private let syllableIDs: [String: UInt16]
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
    var bySyllable: [(String, [UInt32])] = []
    for line in HanReadings.readingLines.split(separator: "\n") {
      guard let space = line.firstIndex(of: " ") else { continue }
      let syllable = String(line[..<space])
      let chars = line[line.index(after: space)...].unicodeScalars.map(\.value)
      bySyllable.append((syllable, chars))
    }
    syllables = bySyllable.map(\.0)
    var idOf: [String: UInt16] = [:]
    var longest = 0
    for (k, entry) in bySyllable.enumerated() {
      idOf[entry.0] = UInt16(k)
      longest = max(longest, entry.0.utf8.count)
    }
    // ü is typed v (lv, nve) or, before e, u (lue, nue).
    if let id = idOf["lve"] { idOf["lue"] = id }
    if let id = idOf["nve"] { idOf["nue"] = id }
    syllableIDs = idOf
    longestSyllable = longest

    let size = Int(HanReadings.last - HanReadings.first) + 1
    var perChar = [[UInt16]](repeating: [], count: size)
    for (k, entry) in bySyllable.enumerated() {
      for c in entry.1 where c >= HanReadings.first && c <= HanReadings.last {
        perChar[Int(c - HanReadings.first)].append(UInt16(k))
      }
    }
    var starts = [UInt32](repeating: 0, count: size + 1)
    var ids: [UInt16] = []
    for k in 0..<size {
      starts[k] = UInt32(ids.count)
      ids += perChar[k]
    }
    starts[size] = UInt32(ids.count)
    self.starts = starts
    self.ids = ids

    var alike = [[UInt32]](repeating: [], count: size)
    func pair(_ a: UInt32, _ b: UInt32) {
      guard a != b, (HanReadings.first...HanReadings.last).contains(a),
        (HanReadings.first...HanReadings.last).contains(b)
      else { return }
      if !alike[Int(a - HanReadings.first)].contains(b) { alike[Int(a - HanReadings.first)].append(b) }
      if !alike[Int(b - HanReadings.first)].contains(a) { alike[Int(b - HanReadings.first)].append(a) }
    }
    let unihan = HanReadings.unihanLookAlikes.unicodeScalars.filter { !$0.properties.isWhitespace }.map(\.value)
    var k = 0
    while k + 1 < unihan.count {
      pair(unihan[k], unihan[k + 1])
      k += 2
    }
    for entry in HanReadings.curatedLookAlikes.split(separator: " ") {
      let scalars = entry.unicodeScalars.map(\.value)
      if scalars.count == 2 { pair(scalars[0], scalars[1]) }
    }
    var lookAlikeStarts = [UInt32](repeating: 0, count: size + 1)
    var lookAlikeList: [UInt32] = []
    for k in 0..<size {
      lookAlikeStarts[k] = UInt32(lookAlikeList.count)
      lookAlikeList += alike[k]
    }
    lookAlikeStarts[size] = UInt32(lookAlikeList.count)
    self.lookAlikeStarts = lookAlikeStarts
    self.lookAlikeList = lookAlikeList
  }

  /// Whether `scalar` is a Han character this table covers.
  @inline(__always)
  static func covers(_ scalar: UInt32) -> Bool { scalar >= first && scalar <= last }

  /// The syllable ids of a Han character (empty for other scalars and characters without data).
  @inline(__always)
  func readings(of scalar: UInt32) -> ArraySlice<UInt16> {
    guard HanReadings.covers(scalar) else { return [] }
    let k = Int(scalar - HanReadings.first)
    return ids[Int(starts[k])..<Int(starts[k + 1])]
  }

  /// The look-alikes of a Han character.
  @inline(__always)
  func lookAlikes(of scalar: UInt32) -> ArraySlice<UInt32> {
    guard HanReadings.covers(scalar) else { return [] }
    let k = Int(scalar - HanReadings.first)
    return lookAlikeList[Int(lookAlikeStarts[k])..<Int(lookAlikeStarts[k + 1])]
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

  /// The id of a toneless ASCII syllable as typed (`zui`, `lv`, `lue`), or nil.
  func syllable(_ letters: Substring.UTF8View) -> UInt16? { syllableIDs[String(Substring(letters))] }

  /// The id of a toneless ASCII syllable as typed, or nil.
  func syllable(_ letters: String) -> UInt16? { syllableIDs[letters] }
}
