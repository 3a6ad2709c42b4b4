/// Folds text into the form rules are matched on, and remembers where every byte came from.
///
/// Normalisation (归一化) applies, per Unicode scalar and by table lookup:
/// - full/half-width and compatibility folding (`ＮＯ．１` → `no.1`, `①` → `1`), case folding
///   (NFKC case fold, derived from ICU);
/// - Traditional → Simplified (`國家級` → `国家级`), single characters from ICU's transliterator;
/// - removal of format characters (zero-width space, joiners, BOM, variation selectors);
/// - collapse of noise inserted between two Han characters to dodge filters (`最*便*宜`,
///   `最 便 宜`, `最-便-宜`, `最🔥便宜` → `最便宜`). Chinese clause punctuation is kept.
///
/// Every normalised byte maps back to the exact range of the original it came from, so a
/// finding on normalised text reports the original characters.
public struct Normalizer: Sendable {
  private let table: FoldTable

  /// Creates a normaliser; the ICU-derived tables are built once per process, at first use.
  public init() {
    table = FoldTable.shared
  }

  /// Normalises a whole string.
  ///
  /// - Parameter text: The original text.
  /// - Returns: The normalised text with its map back to `text`'s UTF-8 offsets.
  public func normalize(_ text: String) -> NormalizedText {
    var output = NormalizedText()
    var copy = text
    copy.withUTF8 { normalize($0, base: 0, into: &output) }
    return output
  }

  /// Normalises `input` (valid UTF-8) into `output`, replacing its contents. Offsets recorded in
  /// `output` are relative to `input`; `base` is the offset of `input` in the whole text.
  func normalize(_ input: UnsafeBufferPointer<UInt8>, base: Int, into output: inout NormalizedText) {
    output.removeAll(keepingCapacity: true)
    output.base = base
    output.bytes.reserveCapacity(input.count + 16)
    output.originStart.reserveCapacity(input.count + 16)
    output.originEnd.reserveCapacity(input.count + 16)
    output.noiseBefore.reserveCapacity(input.count + 16)

    let bmp = table.bmp
    let classes = table.bmpClass
    var lastWasHan = false
    var noiseRunStart = -1
    var pendingNoise = false
    var i = 0
    let n = input.count
    var single: UInt32 = 0
    while i < n {
      let start = i
      let (scalar, length) = Normalizer.decode(input, at: i)
      i += length

      // Fold the scalar into 0…n scalars.
      var count = 1
      var multi: ArraySlice<UInt32>? = nil
      if scalar < 0x10000 {
        let entry = bmp[Int(scalar)]
        if entry == FoldTable.deleted {
          count = 0
        } else if entry & FoldTable.multiFlag != 0 {
          let index = Int((entry & ~FoldTable.multiFlag) >> 8)
          let k = Int(entry & 0xFF)
          multi = table.expansions[index..<(index + k)]
          count = k
        } else {
          single = entry
        }
      } else if let expansion = table.astral[scalar] {
        if expansion.count == 1 { single = expansion[0] } else {
          multi = expansion[...]
          count = expansion.count
        }
      } else {
        single = scalar
      }
      if count == 0 { continue }  // format characters vanish; a noise run continues across them

      for k in 0..<count {
        let c = multi.map { $0[$0.startIndex + k] } ?? single
        let cls: FoldTable.CharClass =
          c < 0x10000 ? (FoldTable.CharClass(rawValue: classes[Int(c)]) ?? .other) : table.charClass(c)
        var markNoise = false
        switch cls {
        case .noise:
          if lastWasHan && noiseRunStart < 0 { noiseRunStart = output.bytes.count }
          if noiseRunStart >= 0 { pendingNoise = true }
        case .han:
          if noiseRunStart >= 0 && pendingNoise {
            output.truncate(to: noiseRunStart)
            markNoise = true
          }
          noiseRunStart = -1
          pendingNoise = false
          lastWasHan = true
        case .other, .lineBreak:
          noiseRunStart = -1
          pendingNoise = false
          lastWasHan = false
        }
        output.append(scalar: c, originStart: start, originEnd: i, noiseBefore: markNoise)
      }
    }
  }

  @inline(__always)
  static func decode(_ p: UnsafeBufferPointer<UInt8>, at i: Int) -> (UInt32, Int) {
    let b0 = UInt32(p[i])
    if b0 < 0x80 { return (b0, 1) }
    if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F), 2) }
    if b0 < 0xF0 {
      return ((b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F), 3)
    }
    return (
      (b0 & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6 | UInt32(p[i + 3] & 0x3F), 4
    )
  }

  /// The scalar at `i` of valid UTF-8 and its length in bytes, without bounds checks.
  @inline(__always)
  static func decode(_ p: UnsafePointer<UInt8>, at i: Int) -> (UInt32, Int) {
    let b0 = UInt32(p[i])
    if b0 < 0x80 { return (b0, 1) }
    if b0 < 0xE0 { return ((b0 & 0x1F) << 6 | UInt32(p[i + 1] & 0x3F), 2) }
    if b0 < 0xF0 {
      return ((b0 & 0x0F) << 12 | UInt32(p[i + 1] & 0x3F) << 6 | UInt32(p[i + 2] & 0x3F), 3)
    }
    return (
      (b0 & 0x07) << 18 | UInt32(p[i + 1] & 0x3F) << 12 | UInt32(p[i + 2] & 0x3F) << 6 | UInt32(p[i + 3] & 0x3F), 4
    )
  }
}

/// Text after normalisation: UTF-8 bytes plus, for every byte, the original range it came from.
public struct NormalizedText: Sendable {
  /// The normalised text as UTF-8.
  public internal(set) var bytes: [UInt8] = []
  /// Offset of the normalised chunk's origin in the whole original text (UTF-8 bytes).
  public internal(set) var base: Int = 0
  var originStart: [Int32] = []
  var originEnd: [Int32] = []
  /// 1 when noise between Han characters was removed right before this byte.
  var noiseBefore: [UInt8] = []

  /// The normalised text as a `String`.
  public var string: String { String(decoding: bytes, as: UTF8.self) }

  /// The range of the original text (UTF-8 offsets into the whole text) that produced the
  /// normalised bytes `range`. Noise removed inside the range is part of it; noise at its edges
  /// is not.
  public func originalRange(of range: Range<Int>) -> Range<Int> {
    if range.isEmpty {
      let at = range.lowerBound < originStart.count
        ? Int(originStart[range.lowerBound]) : (originEnd.last.map(Int.init) ?? 0)
      return (base + at)..<(base + at)
    }
    return (base + Int(originStart[range.lowerBound]))..<(base + Int(originEnd[range.upperBound - 1]))
  }

  /// Whether noise between Han characters was removed strictly inside `range`.
  func containsRemovedNoise(_ range: Range<Int>) -> Bool {
    guard range.count > 1 else { return false }
    for i in (range.lowerBound + 1)..<range.upperBound where noiseBefore[i] != 0 { return true }
    return false
  }

  mutating func removeAll(keepingCapacity: Bool) {
    bytes.removeAll(keepingCapacity: keepingCapacity)
    originStart.removeAll(keepingCapacity: keepingCapacity)
    originEnd.removeAll(keepingCapacity: keepingCapacity)
    noiseBefore.removeAll(keepingCapacity: keepingCapacity)
  }

  mutating func truncate(to count: Int) {
    bytes.removeSubrange(count...)
    originStart.removeSubrange(count...)
    originEnd.removeSubrange(count...)
    noiseBefore.removeSubrange(count...)
  }

  @inline(__always)
  mutating func append(scalar c: UInt32, originStart start: Int, originEnd end: Int, noiseBefore noise: Bool) {
    let s = Int32(truncatingIfNeeded: start)
    let e = Int32(truncatingIfNeeded: end)
    func push(_ byte: UInt32, _ first: Bool) {
      bytes.append(UInt8(truncatingIfNeeded: byte))
      originStart.append(s)
      originEnd.append(e)
      noiseBefore.append(first && noise ? 1 : 0)
    }
    if c < 0x80 {
      push(c, true)
    } else if c < 0x800 {
      push(0xC0 | (c >> 6), true); push(0x80 | (c & 0x3F), false)
    } else if c < 0x10000 {
      push(0xE0 | (c >> 12), true); push(0x80 | ((c >> 6) & 0x3F), false); push(0x80 | (c & 0x3F), false)
    } else {
      push(0xF0 | (c >> 18), true); push(0x80 | ((c >> 12) & 0x3F), false)
      push(0x80 | ((c >> 6) & 0x3F), false); push(0x80 | (c & 0x3F), false)
    }
  }
}
