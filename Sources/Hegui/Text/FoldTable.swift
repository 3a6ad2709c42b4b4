internal import CICUShims

/// Character tables derived from ICU once per process: NFKC case folding (width, case,
/// compatibility forms, deletion of format characters) composed with Traditional→Simplified.
///
/// ICU's transliterator runs at ≈ 13 MB/s; a table lookup per scalar is what the hot path can
/// afford. The tables are built at first use (≈ 20–40 ms) and shared by every `Normalizer`.
struct FoldTable: Sendable {
  /// Character classes used by the noise collapse (computed on the folded character).
  enum CharClass: UInt8 {
    case other = 0
    case han = 1
    case noise = 2
    case lineBreak = 3
  }

  /// For each BMP scalar: the folded scalar, or `deleted`, or `multiFlag | (index << 8) | count`
  /// into `expansions`.
  let bmp: [UInt32]
  /// Folded astral scalars that change (mathematical alphanumerics, compatibility ideographs …).
  let astral: [UInt32: [UInt32]]
  /// Multi-scalar expansions (e.g. ㎏ → kg, ﬁ → fi), indexed from `bmp`.
  let expansions: [UInt32]
  /// Class of each BMP scalar (of the folded character).
  let bmpClass: [UInt8]

  static let deleted: UInt32 = 0xFFFF_FFFF
  static let multiFlag: UInt32 = 0x8000_0000

  /// The process-wide table, built on first use.
  static let shared: FoldTable = FoldTable()

  private init() {
    var t2s = [UInt16](repeating: 0, count: 0x10000)
    let changed = t2s.withUnsafeMutableBufferPointer { buffer in
      buffer.baseAddress.map { CHeguiICU_traditionalToSimplifiedBMP($0) } ?? -1
    }
    if changed < 0 {
      // ICU without transliterator data: fold without Traditional→Simplified rather than crash.
      for c in 0..<0x10000 { t2s[c] = UInt16(c) }
    }
    func simplify(_ c: UInt32) -> UInt32 { c < 0x10000 ? UInt32(t2s[Int(c)]) : c }

    var bmp = [UInt32](repeating: 0, count: 0x10000)
    for c in 0..<0x10000 { bmp[c] = simplify(UInt32(c)) }
    var astral: [UInt32: [UInt32]] = [:]
    var expansions: [UInt32] = []

    var starts = [UInt32](repeating: 0, count: 4096)
    var ends = [UInt32](repeating: 0, count: 4096)
    let rangeCount = Int(max(0, CHeguiICU_nfkcCasefoldChangingRanges(&starts, &ends, 4096)))
    var buffer = [UInt32](repeating: 0, count: 32)
    for r in 0..<min(rangeCount, 4096) {
      for c in starts[r]...ends[r] {
        if (0xD800...0xDFFF).contains(c) { continue }
        let n = Int(
          buffer.withUnsafeMutableBufferPointer { out in out.baseAddress.map { CHeguiICU_nfkcCasefold(c, $0, 32) } ?? -1
          })
        if n < 0 { continue }
        let folded = buffer[0..<n].map(simplify)
        if c < 0x10000 {
          switch folded.count {
          case 0: bmp[Int(c)] = FoldTable.deleted
          case 1: bmp[Int(c)] = folded[0]
          default:
            bmp[Int(c)] = FoldTable.multiFlag | (UInt32(expansions.count) << 8) | UInt32(folded.count)
            expansions.append(contentsOf: folded)
          }
        } else {
          astral[c] = folded
        }
      }
    }
    var classes = [UInt8](repeating: 0, count: 0x10000)
    for c in 0..<0x10000 { classes[c] = FoldTable.classify(UInt32(c)).rawValue }
    self.bmp = bmp
    self.astral = astral
    self.expansions = expansions
    self.bmpClass = classes
  }

  /// Separators merchants insert between Han characters to dodge filters (after folding).
  /// Chinese clause punctuation (，。！？、；：) and brackets are deliberately not noise.
  static let noiseScalars: Set<UInt32> = Set(
    " \t*-_.·•~|/\\+#^=`'\"‧・∙°˙×◆◇○●★☆♡♥❤♦♪♫〰～…—–―‐﹏▪▫■□▲△▼▽".unicodeScalars.map(\.value))

  static func classify(_ c: UInt32) -> CharClass {
    if c == 0x0A || c == 0x0D { return .lineBreak }
    if noiseScalars.contains(c) { return .noise }
    if c >= 0x2E80 && CHeguiICU_isHan(c) != 0 { return .han }
    if c >= 0x2000 && CHeguiICU_isPictographic(c) != 0 { return .noise }
    return .other
  }

  @inline(__always)
  func charClass(_ c: UInt32) -> CharClass {
    if c < 0x10000 { return CharClass(rawValue: bmpClass[Int(c)]) ?? .other }
    if (0x20000...0x3FFFF).contains(c) { return .han }
    if (0x1F000...0x1FAFF).contains(c) { return .noise }
    return .other
  }
}
