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
@_spi(Internals) public struct Normalizer: Sendable {
  private let table: FoldTable

  /// Creates a normaliser; the ICU-derived tables are built once per process, at first use.
  public init() {
    table = FoldTable.shared
  }

  /// Normalises a whole string.
  ///
  /// - Parameters:
  ///   - text: The original text.
  ///   - markup: Read HTML tags and character references as a browser shows them (``Markup``;
  ///     the checker does for titles and descriptions).
  /// - Returns: The normalised text with its map back to `text`'s UTF-8 offsets.
  public func normalize(_ text: String, markup: Bool = false) -> NormalizedText {
    let buffer = NormalizationBuffer()
    var copy = text
    copy.withUTF8 { normalize($0, base: 0, into: buffer, markup: markup) }
    return NormalizedText(buffer)
  }

  /// Normalises `input` (valid UTF-8) into `output`, replacing its contents. Offsets recorded in
  /// `output` are relative to `input`; `base` is the offset of `input` in the whole text.
  ///
  /// The hot path of every check: one table lookup per scalar, bytes written through raw
  /// pointers into buffers that the checker reuses from one check to the next, a character that
  /// folds to itself copied as it is, and its origin recorded once (not per byte).
  ///
  /// With `speech`, a speech noise run right after a Han character (``speechNoiseRun(_:at:count:lineBreaks:tokens:)``:
  /// 某, 什么, a filler such as 那个 or 嗯, with commas around them) is noise like `*` or a space:
  /// removed when a Han character follows, and recorded as removed noise (``Checker`` reads speech
  /// this way in a second pass over the lines that hold one, so 某宝, 某些 and 就是 are still read
  /// as written first). With `lineBreaks` as well (captions), a line break between two Han
  /// characters is such a run too: a claim spoken across two caption lines reads as one; with
  /// `breaksOnly`, only line breaks are (the lines joined, nothing else read through).
  ///
  /// With `markup` (titles and descriptions), HTML tags and character references are read as a
  /// browser shows them (``Markup``).
  func normalize(
    _ input: UnsafeBufferPointer<UInt8>, base: Int, into output: NormalizationBuffer, speech: Bool = false,
    lineBreaks: Bool = false, breaksOnly: Bool = false, markup: Bool = false
  ) {
    output.reset(base: base, reserving: input.count + 16)
    guard let src = input.baseAddress, !input.isEmpty else { return }
    let table = self.table
    table.bmp.withUnsafeBufferPointer { bmpBuffer in
      table.bmpClass.withUnsafeBufferPointer { classBuffer in
        table.expansions.withUnsafeBufferPointer { expansionBuffer in
          guard let bmp = bmpBuffer.baseAddress, let classes = classBuffer.baseAddress else { return }
          var writer = output.writer()
          var lastWasHan = false
          var noiseRunStart = -1
          var pendingNoise = false
          var speechNoiseEnd = 0  // with `speech`: the end of the noise run being read
          var i = 0
          let n = input.count

          /// The noise collapse, per folded character: returns whether noise was removed before it.
          @inline(__always)
          func classify(_ cls: FoldTable.CharClass, _ writer: inout NormalizationBuffer.Writer) -> Bool {
            switch cls {
            case .noise:
              if lastWasHan && noiseRunStart < 0 { noiseRunStart = writer.count }
              if noiseRunStart >= 0 { pendingNoise = true }
              return false
            case .han:
              var removed = false
              if noiseRunStart >= 0 && pendingNoise {
                writer.count = noiseRunStart
                removed = true
              }
              noiseRunStart = -1
              pendingNoise = false
              lastWasHan = true
              return removed
            case .other, .lineBreak:
              noiseRunStart = -1
              pendingNoise = false
              lastWasHan = false
              return false
            }
          }

          while i < n {
            let start = i
            var (scalar, length) = Normalizer.decode(src, at: i)
            var isReference = false
            if markup && (scalar == 0x3C || scalar == 0x26) {
              if scalar == 0x3C, let tag = Markup.tag(at: i, in: src, count: n) {
                i += tag.length
                if tag.isBlock {
                  // A block-level tag ends a line, as in a browser.
                  writer.reserve(4, in: output)
                  _ = classify(.lineBreak, &writer)
                  writer.append(
                    scalar: 0x0A, originStart: Int32(truncatingIfNeeded: start), originEnd: Int32(truncatingIfNeeded: i)
                  )
                } else {
                  // An inline tag is noise: collapsed between Han characters, nothing written.
                  if lastWasHan && noiseRunStart < 0 { noiseRunStart = writer.count }
                  if noiseRunStart >= 0 { pendingNoise = true }
                }
                continue
              }
              if scalar == 0x26, let reference = Markup.entity(at: i, in: src, count: n) {
                (scalar, length) = (reference.scalar, reference.length)
                isReference = true
              }
            }
            i += length
            let s = Int32(truncatingIfNeeded: start)
            let e = Int32(truncatingIfNeeded: i)

            // Fast path: a BMP character that folds to one BMP character.
            if scalar < 0x10000 {
              let entry = bmp[Int(scalar)]
              if entry < 0x10000 {
                writer.reserve(4, in: output)
                var cls = FoldTable.CharClass(rawValue: classes[Int(entry)]) ?? .other
                if speech {
                  if start < speechNoiseEnd {
                    cls = .noise
                  } else if lastWasHan {
                    let run = Normalizer.speechNoiseRun(
                      src, at: start, count: n, lineBreaks: lineBreaks, tokens: !breaksOnly)
                    if run > 0 {
                      speechNoiseEnd = start + run
                      cls = .noise
                    }
                  }
                }
                if classify(cls, &writer) { output.noteNoise(at: writer.count) }
                if entry == scalar && !isReference {
                  writer.copy(src + start, length, originStart: s, originEnd: e)
                } else {
                  writer.append(scalar: entry, originStart: s, originEnd: e)
                }
                continue
              }
            }

            // Fold the scalar into 0…n scalars.
            var single: UInt32 = scalar
            var multiStart = 0
            var count = 1
            var astral: [UInt32]? = nil
            if scalar < 0x10000 {
              let entry = bmp[Int(scalar)]
              if entry == FoldTable.deleted {
                continue  // format characters vanish; a noise run continues across them
              } else if entry & FoldTable.multiFlag != 0 {
                multiStart = Int((entry & ~FoldTable.multiFlag) >> 8)
                count = Int(entry & 0xFF)
                if count == 0 { continue }
                if count == 1 { single = expansionBuffer[multiStart] }
              } else {
                single = entry
              }
            } else if let expansion = table.astral[scalar] {
              if expansion.isEmpty { continue }
              if expansion.count == 1 {
                single = expansion[0]
              } else {
                astral = expansion
                count = expansion.count
              }
            }
            writer.reserve(4 * count, in: output)
            for k in 0..<count {
              let c: UInt32
              if count == 1 {
                c = single
              } else if let astral {
                c = astral[k]
              } else {
                c = expansionBuffer[multiStart + k]
              }
              let cls: FoldTable.CharClass =
                c < 0x10000 ? (FoldTable.CharClass(rawValue: classes[Int(c)]) ?? .other) : table.charClass(c)
              if classify(cls, &writer) { output.noteNoise(at: writer.count) }
              writer.append(scalar: c, originStart: s, originEnd: e)
            }
          }
          output.count = writer.count
        }
      }
    }
  }

  /// The character that starts at `i` as the normaliser folds it, when it folds to one BMP
  /// character (Traditional to Simplified, full width to ASCII, case); otherwise as decoded.
  func folded(_ p: UnsafePointer<UInt8>, at i: Int) -> UInt32 {
    let (scalar, _) = Normalizer.decode(p, at: i)
    guard scalar < 0x10000 else { return scalar }
    let entry = table.bmp[Int(scalar)]
    return entry < 0x10000 ? entry : scalar
  }

  /// The length in bytes of the speech noise run that starts at `i`, or 0. Anchors say 某 or 什么
  /// inside a word to get past a platform's filter (糖某尿病, 立竿见某影, 尿,某毒,某什么症), and
  /// speech recognition writes their hesitations into it (全网最低那个价, 药到病嗯除). A run is one to
  /// four such tokens — 某, 什么, 那个, 这个, 就是, 嗯, 呃, 啊, 嘛 — with commas (`,` `，` `、`) and
  /// spaces around them, and must be followed by a Han character; with `lineBreaks` (captions), one
  /// line break counts as a token, so 能治 / 疗痘痘 on two caption lines reads as 能治疗痘痘. A run of
  /// commas alone is not noise: speech that lists 高血压，糖尿病 says two things.
  ///
  /// The caller asks only right after a Han character. Only a second reading of the lines that
  /// hold a run uses it (``Checker``), and only hits with a run strictly inside them are kept
  /// from it, so 就是 and 那个 said between words change nothing else.
  ///
  /// With `tokens: false`, only a line break (with spaces around it) makes a run: the joined
  /// reading of caption lines that changes nothing else.
  static func speechNoiseRun(
    _ p: UnsafePointer<UInt8>, at i: Int, count n: Int, lineBreaks: Bool, tokens allowTokens: Bool = true
  ) -> Int {
    var k = i
    var tokens = 0
    var breaks = 0
    while k < n && tokens + breaks <= 4 {
      let b0 = p[k]
      // Separators: , space (ASCII), ，(EF BC 8C), 、(E3 80 81), ideographic space (E3 80 80).
      if b0 == 0x2C || b0 == 0x20 {
        k += 1
        continue
      }
      if b0 == 0x0A || b0 == 0x0D {
        guard lineBreaks else { break }
        if b0 == 0x0A { breaks += 1 }
        if breaks > 1 { return 0 }
        k += 1
        continue
      }
      guard allowTokens, k + 3 <= n else { break }
      let b1 = p[k + 1]
      let b2 = p[k + 2]
      if (b0 == 0xEF && b1 == 0xBC && b2 == 0x8C) || (b0 == 0xE3 && b1 == 0x80 && (b2 == 0x81 || b2 == 0x80)) {
        k += 3
        continue
      }
      // Two-character tokens: 什么 (E4 BB 80 E4 B9 88), 那个 (E9 82 A3 E4 B8 AA),
      // 这个 (E8 BF 99 E4 B8 AA), 就是 (E5 B0 B1 E6 98 AF).
      if k + 6 <= n {
        let c0 = p[k + 3]
        let c1 = p[k + 4]
        let c2 = p[k + 5]
        let second: Bool
        switch (b0, b1, b2) {
        case (0xE4, 0xBB, 0x80): second = c0 == 0xE4 && c1 == 0xB9 && c2 == 0x88
        case (0xE9, 0x82, 0xA3), (0xE8, 0xBF, 0x99): second = c0 == 0xE4 && c1 == 0xB8 && c2 == 0xAA
        case (0xE5, 0xB0, 0xB1): second = c0 == 0xE6 && c1 == 0x98 && c2 == 0xAF
        default: second = false
        }
        if second {
          tokens += 1
          k += 6
          continue
        }
      }
      // One-character tokens: 某 (E6 9F 90), 嗯 (E5 97 AF), 呃 (E5 91 83), 啊 (E5 95 8A), 嘛 (E5 98 9B).
      switch (b0, b1, b2) {
      case (0xE6, 0x9F, 0x90), (0xE5, 0x97, 0xAF), (0xE5, 0x91, 0x83), (0xE5, 0x95, 0x8A), (0xE5, 0x98, 0x9B):
        tokens += 1
        k += 3
        continue
      default:
        break
      }
      break
    }
    guard tokens + breaks > 0, tokens + breaks <= 4, k < n else { return 0 }
    // A Han character must follow (the class check that removes the run is the normaliser's).
    return k + 1 < n && isHanLead(p[k], p[k + 1]) ? k - i : 0
  }

  /// Whether the first two bytes of a three-byte UTF-8 character start a CJK ideograph
  /// (U+3400–U+9FFF: Extension A and the unified block), not CJK punctuation (。、「 are U+30xx).
  @inline(__always)
  static func isHanLead(_ b0: UInt8, _ b1: UInt8) -> Bool {
    (b0 >= 0xE4 && b0 <= 0xE9) || (b0 == 0xE3 && b1 >= 0x90)
  }

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

/// Normalised bytes and where each character came from, in raw buffers that grow as needed and
/// are reused from one check to the next (the checker keeps one per pooled scratch), so that
/// normalising allocates nothing once warm.
///
/// Origins are recorded per normalised *character*: `originStart` at its first byte and
/// `originEnd` at its last; bytes inside a character hold no origin. Every range the checker
/// maps back (automaton and PCRE2 matches, lines) starts and ends on character boundaries.
/// ``NormalizedText`` spells the origins out per byte for callers outside the checker.
///
/// Not thread-safe: one check uses it at a time.
final class NormalizationBuffer {
  private(set) var bytes: UnsafeMutablePointer<UInt8>
  private(set) var originStart: UnsafeMutablePointer<Int32>
  private(set) var originEnd: UnsafeMutablePointer<Int32>
  /// Normalised offsets, ascending, of characters right before which noise between Han
  /// characters was removed.
  private(set) var noise: [Int32] = []
  private(set) var capacity: Int
  /// Number of normalised bytes.
  fileprivate(set) var count = 0
  /// Offset of the normalised chunk's origin in the whole original text (UTF-8 bytes).
  private(set) var base = 0

  init(capacity: Int = 1024) {
    self.capacity = max(64, capacity)
    bytes = .allocate(capacity: self.capacity)
    originStart = .allocate(capacity: self.capacity)
    originEnd = .allocate(capacity: self.capacity)
  }

  deinit {
    bytes.deallocate()
    originStart.deallocate()
    originEnd.deallocate()
  }

  /// The normalised bytes.
  var buffer: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: bytes, count: count) }

  fileprivate func reset(base: Int, reserving expected: Int) {
    count = 0
    self.base = base
    noise.removeAll(keepingCapacity: true)
    if expected > capacity { grow(to: expected) }
  }

  fileprivate func noteNoise(at offset: Int) {
    noise.append(Int32(truncatingIfNeeded: offset))
  }

  fileprivate func grow(to minimum: Int) {
    var newCapacity = capacity
    while newCapacity < minimum { newCapacity *= 2 }
    func move<T>(_ old: UnsafeMutablePointer<T>) -> UnsafeMutablePointer<T> {
      let new = UnsafeMutablePointer<T>.allocate(capacity: newCapacity)
      new.moveInitialize(from: old, count: count)
      old.deallocate()
      return new
    }
    bytes = move(bytes)
    originStart = move(originStart)
    originEnd = move(originEnd)
    capacity = newCapacity
  }

  fileprivate func writer() -> Writer {
    Writer(bytes: bytes, originStart: originStart, originEnd: originEnd, capacity: capacity)
  }

  /// Appends through cached pointers; `reserve` refreshes them when the buffer grows.
  struct Writer {
    var bytes: UnsafeMutablePointer<UInt8>
    var originStart: UnsafeMutablePointer<Int32>
    var originEnd: UnsafeMutablePointer<Int32>
    var capacity: Int
    var count = 0

    @inline(__always)
    fileprivate mutating func reserve(_ extra: Int, in buffer: NormalizationBuffer) {
      if count + extra <= capacity { return }
      buffer.count = count
      buffer.grow(to: count + extra)
      self = Writer(
        bytes: buffer.bytes, originStart: buffer.originStart, originEnd: buffer.originEnd, capacity: buffer.capacity,
        count: count)
    }

    /// Copies a character that folds to itself (`length` bytes of valid UTF-8).
    @inline(__always)
    fileprivate mutating func copy(
      _ source: UnsafePointer<UInt8>, _ length: Int, originStart s: Int32, originEnd e: Int32
    ) {
      originStart[count] = s
      for k in 0..<length { bytes[count + k] = source[k] }
      count += length
      originEnd[count - 1] = e
    }

    @inline(__always)
    fileprivate mutating func append(scalar c: UInt32, originStart s: Int32, originEnd e: Int32) {
      originStart[count] = s
      if c < 0x80 {
        bytes[count] = UInt8(truncatingIfNeeded: c)
        count += 1
      } else if c < 0x800 {
        bytes[count] = UInt8(truncatingIfNeeded: 0xC0 | (c >> 6))
        bytes[count + 1] = UInt8(truncatingIfNeeded: 0x80 | (c & 0x3F))
        count += 2
      } else if c < 0x10000 {
        bytes[count] = UInt8(truncatingIfNeeded: 0xE0 | (c >> 12))
        bytes[count + 1] = UInt8(truncatingIfNeeded: 0x80 | ((c >> 6) & 0x3F))
        bytes[count + 2] = UInt8(truncatingIfNeeded: 0x80 | (c & 0x3F))
        count += 3
      } else {
        bytes[count] = UInt8(truncatingIfNeeded: 0xF0 | (c >> 18))
        bytes[count + 1] = UInt8(truncatingIfNeeded: 0x80 | ((c >> 12) & 0x3F))
        bytes[count + 2] = UInt8(truncatingIfNeeded: 0x80 | ((c >> 6) & 0x3F))
        bytes[count + 3] = UInt8(truncatingIfNeeded: 0x80 | (c & 0x3F))
        count += 4
      }
      originEnd[count - 1] = e
    }
  }

  /// The range of the original text (UTF-8 offsets into the whole text) that produced the
  /// normalised bytes `range` (which starts and ends on character boundaries). Noise removed
  /// inside the range is part of it; noise at its edges is not.
  func originalRange(of range: Range<Int>) -> Range<Int> {
    if range.isEmpty {
      let at =
        range.lowerBound < count ? Int(originStart[range.lowerBound]) : (count > 0 ? Int(originEnd[count - 1]) : 0)
      return (base + at)..<(base + at)
    }
    return (base + Int(originStart[range.lowerBound]))..<(base + Int(originEnd[range.upperBound - 1]))
  }

  /// The first normalised offset whose character starts at or after `original` (an offset into
  /// the whole original text), or `count` when none does. Origins ascend, so this is a binary
  /// search.
  func offset(atOrAfterOriginal original: Int) -> Int {
    // Only a character's first byte records its origin: the search steps on first bytes only
    // (`low` always is one).
    var low = 0
    var high = count
    while low < high {
      var mid = (low + high) / 2
      while mid > low && bytes[mid] & 0xC0 == 0x80 { mid -= 1 }
      if base + Int(originStart[mid]) < original {
        low = mid + 1
        while low < count && bytes[low] & 0xC0 == 0x80 { low += 1 }
      } else {
        high = mid
      }
    }
    return low
  }

  /// Whether noise between Han characters was removed strictly inside `range`.
  func containsRemovedNoise(_ range: Range<Int>) -> Bool {
    guard range.count > 1, !noise.isEmpty else { return false }
    // The first recorded offset above the lower bound decides.
    var low = 0
    var high = noise.count
    while low < high {
      let mid = (low + high) / 2
      if Int(noise[mid]) <= range.lowerBound { low = mid + 1 } else { high = mid }
    }
    return low < noise.count && Int(noise[low]) < range.upperBound
  }
}

/// Not part of the supported API (`@_spi(Internals)`): for Hegui's own modules, tests and
/// benchmarks, which import it with `@_spi(Internals) import Hegui`.
///
/// Text after normalisation: UTF-8 bytes plus the map back to the original, for callers outside
/// the checker (tests, the review queue's text identity, rule loading). A frozen
/// ``NormalizationBuffer``: the same map, the same answers as the checker's.
@_spi(Internals) public struct NormalizedText: @unchecked Sendable {
  // @unchecked: the buffer is written once by `Normalizer.normalize(_:)` and never again.
  private let buffer: NormalizationBuffer

  init(_ buffer: NormalizationBuffer) {
    self.buffer = buffer
  }

  /// The normalised text as UTF-8.
  public var bytes: [UInt8] { Array(buffer.buffer) }

  /// The normalised text as a `String`.
  public var string: String { String(decoding: buffer.buffer, as: UTF8.self) }

  /// The range of the original text (UTF-8 offsets) that produced the normalised bytes `range`,
  /// which starts and ends on character boundaries. Noise removed inside the range is part of
  /// it; noise at its edges is not.
  public func originalRange(of range: Range<Int>) -> Range<Int> { buffer.originalRange(of: range) }

  /// Whether noise between Han characters was removed strictly inside `range`.
  public func containsRemovedNoise(_ range: Range<Int>) -> Bool { buffer.containsRemovedNoise(range) }
}
