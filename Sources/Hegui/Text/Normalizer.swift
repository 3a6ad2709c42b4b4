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
  /// With `speech`, a 某 right after a Han character is noise like `*` or a space: removed when a
  /// Han character follows, and recorded as removed noise (``Checker`` reads speech this way in a
  /// second pass over the lines that hold one, so 某宝 and 某些 are still read as written first).
  ///
  /// With `markup` (titles and descriptions), HTML tags and character references are read as a
  /// browser shows them (``Markup``).
  func normalize(
    _ input: UnsafeBufferPointer<UInt8>, base: Int, into output: NormalizationBuffer, speech: Bool = false,
    markup: Bool = false
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
                if speech && entry == Normalizer.mou && lastWasHan { cls = .noise }
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

  @inline(__always)
  /// 某 (U+67D0), the character speech inserts into a word to dodge a filter.
  static let mou: UInt32 = 0x67D0

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
