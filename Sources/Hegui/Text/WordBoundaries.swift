internal import CICUShims
import Synchronization

/// ICU word boundaries (locale `zh`), used to reject hits that start or end inside a word
/// (第一 inside 第一次, 美白 inside 唯美白发, 最 inside 最近).
///
/// ICU's dictionary segmentation runs at ≈ 20 MB/s, far below the checker's budget, so only the
/// sentence around a candidate hit is segmented. Break iterators are not thread-safe; this type
/// keeps a small pool so that one `WordBoundaries` can serve concurrent checks.
public final class WordBoundaries: Sendable {
  private let pool = Mutex<[UnsafeHandle]>([])

  /// Creates a word-boundary service. Iterators are opened lazily.
  public init() {}

  deinit {
    pool.withLock { breakers in
      for breaker in breakers { CHeguiWordBreaker_close(breaker.pointer) }
      breakers.removeAll()
    }
  }

  /// Byte offsets of every word boundary in `text` (UTF-8), including 0 and the end.
  ///
  /// Segments the whole text; meant for tests, tools and baselines, not the hot path.
  public func boundaries(in text: String) throws(HeguiError) -> [Int] {
    try withBreaker { breaker throws(HeguiError) in
      var copy = text
      var status: Int32 = 0
      let result = copy.withUTF8 { buffer -> [Int] in
        CHeguiWordBreaker_setText(
          breaker, buffer.baseAddress.map { UnsafeRawPointer($0).assumingMemoryBound(to: CChar.self) },
          Int64(buffer.count), &status)
        if CHeguiICU_failed(status) != 0 { return [] }
        let count = CHeguiWordBreaker_boundaries(breaker, nil, 0)
        var out = [Int64](repeating: 0, count: Int(count))
        _ = out.withUnsafeMutableBufferPointer { CHeguiWordBreaker_boundaries(breaker, $0.baseAddress, count) }
        return out.map(Int.init)
      }
      if CHeguiICU_failed(status) != 0 { throw WordBoundaries.icuError(status) }
      return result
    }
  }

  /// Runs `body` with a break iterator borrowed from the pool.
  func withBreaker<R>(_ body: (OpaquePointer) throws(HeguiError) -> R) throws(HeguiError) -> R {
    let breaker = try borrow()
    defer { giveBack(breaker) }
    return try body(breaker)
  }

  func borrow() throws(HeguiError) -> OpaquePointer {
    if let breaker = pool.withLock({ $0.popLast() }) { return breaker.pointer }
    var status: Int32 = 0
    guard let breaker = CHeguiWordBreaker_open(&status) else { throw WordBoundaries.icuError(status) }
    return breaker
  }

  func giveBack(_ breaker: OpaquePointer) {
    let handle = UnsafeHandle(pointer: breaker)
    pool.withLock { $0.append(handle) }
  }

  static func icuError(_ status: Int32) -> HeguiError {
    HeguiError(.icu, "ICU word break iterator failed: \(String(cString: CHeguiICU_errorName(status)))")
  }
}

/// Checks hits against word boundaries within one normalised text, segmenting only a window
/// around each hit and reusing it for nearby hits.
struct BoundaryChecker: ~Copyable {
  private let service: WordBoundaries
  private var breaker: OpaquePointer?
  private var window: Range<Int>? = nil
  private(set) var failure: HeguiError?

  init(service: WordBoundaries) {
    self.service = service
  }

  deinit {
    if let breaker { service.giveBack(breaker) }
  }

  /// Forgets the segmented window; call when the text being checked changes.
  mutating func textChanged() { window = nil }

  /// The ICU failure recorded since the last call, if any (a pooled checker outlives one check).
  mutating func takeFailure() -> HeguiError? {
    defer { failure = nil }
    return failure
  }

  /// Whether `hit` (normalised byte offsets) starts and ends on ICU word boundaries.
  /// On ICU failure returns `true` (keep the hit: never drop a finding because ICU failed) and
  /// records the failure.
  mutating func isAligned(_ hit: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    if breaker == nil {
      do { breaker = try service.borrow() } catch {
        failure = error
        return true
      }
    }
    guard let breaker, let origin = bytes.baseAddress else { return true }
    let sentence = BoundaryChecker.sentence(around: hit, in: bytes)
    if sentence != window {
      window = sentence
      var status: Int32 = 0
      let base = UnsafeRawPointer(origin + sentence.lowerBound).assumingMemoryBound(to: CChar.self)
      CHeguiWordBreaker_setText(breaker, base, Int64(sentence.count), &status)
      if CHeguiICU_failed(status) != 0 {
        failure = WordBoundaries.icuError(status)
        window = nil
        return true
      }
    }
    let start = Int64(hit.lowerBound - sentence.lowerBound)
    let end = Int64(hit.upperBound - sentence.lowerBound)
    return CHeguiWordBreaker_isBoundary(breaker, start) != 0 && CHeguiWordBreaker_isBoundary(breaker, end) != 0
  }

  /// The clause around `hit`: bounded by line breaks and sentence or clause punctuation, and
  /// by at most `maxContext` bytes on each side (aligned to scalar starts).
  static func sentence(around hit: Range<Int>, in bytes: UnsafeBufferPointer<UInt8>, maxContext: Int = 96) -> Range<Int>
  {
    var lower = hit.lowerBound
    let lowerLimit = max(0, hit.lowerBound - maxContext)
    while lower > lowerLimit && !isDelimiter(endingAt: lower, in: bytes) { lower -= 1 }
    while lower < hit.lowerBound && bytes[lower] & 0xC0 == 0x80 { lower += 1 }
    var upper = hit.upperBound
    let upperLimit = min(bytes.count, hit.upperBound + maxContext)
    while upper < upperLimit && !isDelimiter(startingAt: upper, in: bytes) { upper += 1 }
    while upper > hit.upperBound && upper < bytes.count && bytes[upper] & 0xC0 == 0x80 { upper -= 1 }
    return lower..<upper
  }

  private static func isDelimiter(startingAt i: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let b = bytes[i]
    if b == 0x0A || b == 0x0D || b == 0x21 || b == 0x2C || b == 0x3F || b == 0x3B { return true }  // \n \r ! , ? ;
    // 。(E3 80 82) 、(E3 80 81)
    return b == 0xE3 && i + 2 < bytes.count && bytes[i + 1] == 0x80 && (bytes[i + 2] == 0x82 || bytes[i + 2] == 0x81)
  }

  private static func isDelimiter(endingAt i: Int, in bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    let b = bytes[i - 1]
    if b == 0x0A || b == 0x0D || b == 0x21 || b == 0x2C || b == 0x3F || b == 0x3B { return true }
    return i >= 3 && bytes[i - 3] == 0xE3 && bytes[i - 2] == 0x80 && (b == 0x82 || b == 0x81)
  }
}
