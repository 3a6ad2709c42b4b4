internal import CPCRE2
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// A PCRE2 regular expression compiled once, with UTF and UCP, JIT when available, and match
/// and depth limits so that a pathological pattern fails instead of hanging a check.
///
/// One compiled pattern is shared across threads; match data comes from a small pool, so no
/// check allocates it.
public final class Pattern: Sendable {
  /// The pattern source.
  public let source: String
  /// Whether PCRE2's JIT compiled the pattern.
  public let isJITCompiled: Bool
  /// The match limit (steps) set on every match.
  public let matchLimit: UInt32

  nonisolated(unsafe) private let code: OpaquePointer
  nonisolated(unsafe) private let context: OpaquePointer
  private let matchDataPool = Mutex<[UnsafeHandle]>([])

  /// Default limit on backtracking steps per match attempt.
  public static let defaultMatchLimit: UInt32 = 1_000_000
  /// Default limit on backtracking depth (the interpreter; JIT ignores it).
  public static let defaultDepthLimit: UInt32 = 10_000

  /// Compiles a pattern.
  ///
  /// - Parameters:
  ///   - source: PCRE2 syntax, matched against normalised text.
  ///   - caseless: Match without regard to case (on by default; normalised text is case-folded).
  ///   - matchLimit: Backtracking steps allowed per match attempt.
  /// - Throws: ``HeguiError`` with code `invalidPattern`, naming the offset in the pattern.
  public init(_ source: String, caseless: Bool = true, matchLimit: UInt32 = Pattern.defaultMatchLimit)
    throws(HeguiError)
  {
    self.source = source
    self.matchLimit = matchLimit
    var options = UInt32(PCRE2_UTF) | UInt32(PCRE2_UCP)
    if caseless { options |= UInt32(PCRE2_CASELESS) }
    var errorCode: Int32 = 0
    var errorOffset: Int = 0
    let compiled = source.withCString { pointer in
      pcre2_compile_8(
        UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), source.utf8.count, options,
        &errorCode, &errorOffset, nil)
    }
    guard let compiled else {
      let characterOffset = String(decoding: source.utf8.prefix(errorOffset), as: UTF8.self).count
      throw HeguiError(
        .invalidPattern,
        "pattern does not compile at offset \(characterOffset): \(Pattern.message(errorCode)) in /\(source)/")
    }
    code = compiled
    isJITCompiled = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
    guard let matchContext = pcre2_match_context_create_8(nil) else {
      pcre2_code_free_8(compiled)
      throw HeguiError(.pcre2, "PCRE2 could not allocate a match context")
    }
    pcre2_set_match_limit_8(matchContext, matchLimit)
    pcre2_set_depth_limit_8(matchContext, Pattern.defaultDepthLimit)
    context = matchContext
  }

  deinit {
    matchDataPool.withLock { pool in
      for data in pool { pcre2_match_data_free_8(data.pointer) }
      pool.removeAll()
    }
    pcre2_match_context_free_8(context)
    pcre2_code_free_8(code)
  }

  /// Why matching stopped early.
  public enum Failure: Error, Sendable, Equatable {
    /// The match (or depth) limit was reached: the pattern backtracks too much on this text.
    case matchLimit
    /// Another PCRE2 error, with its message.
    case other(String)
  }

  /// All non-overlapping matches in `text`, as UTF-8 byte ranges.
  public func matches(in text: String) throws(Failure) -> [Range<Int>] {
    var copy = text
    var result: [Range<Int>] = []
    var failure: Failure?
    copy.withUTF8 { buffer in
      failure = forEachMatch(in: buffer, range: 0..<buffer.count) { result.append($0) }
    }
    if let failure { throw failure }
    return result
  }

  /// Calls `body` for each non-overlapping match within `range` of `bytes` (valid UTF-8; the
  /// range must start and end on scalar boundaries). Returns the failure that stopped matching.
  func forEachMatch(in bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, _ body: (Range<Int>) -> Void) -> Failure? {
    guard bytes.baseAddress != nil else { return nil }
    let data = borrowMatchData()
    defer { giveBack(data) }
    return forEachMatch(in: bytes, range: range, matchData: data, body)
  }

  /// The compiled code and its match context, for a caller that keeps the pattern alive itself
  /// and must not touch its reference count on the hot path: the checker's plan holds the
  /// patterns, and two threads retaining and releasing the same object make each other wait.
  struct Handle: @unchecked Sendable {
    // @unchecked: PCRE2 compiled code and a match context are read-only once set up.
    fileprivate let code: OpaquePointer
    fileprivate let context: OpaquePointer
  }

  /// See ``Handle``; valid while the pattern is alive.
  var handle: Handle { Handle(code: code, context: context) }

  /// As ``forEachMatch(in:range:_:)``, with a handle and match data the caller owns (the checker
  /// keeps match data per pooled scratch, so that a check neither allocates it nor takes a lock).
  static func forEachMatch(
    _ handle: Handle, in bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, matchData data: MatchData,
    _ body: (Range<Int>) -> Void
  ) -> Failure? {
    forEachMatch(code: handle.code, context: handle.context, in: bytes, range: range, matchData: data.pointer, body)
  }

  private func forEachMatch(
    in bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, matchData data: OpaquePointer, _ body: (Range<Int>) -> Void
  ) -> Failure? {
    Pattern.forEachMatch(code: code, context: context, in: bytes, range: range, matchData: data, body)
  }

  private static func forEachMatch(
    code: OpaquePointer, context: OpaquePointer, in bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>,
    matchData data: OpaquePointer, _ body: (Range<Int>) -> Void
  ) -> Failure? {
    guard let base = bytes.baseAddress else { return nil }
    let subject = base + range.lowerBound
    var length = range.count
    let fullLength = length
    // The end of the line being searched when a match ran over a line break (see below).
    var lineEnd = -1
    var offset = 0
    while offset <= length {
      let rc = pcre2_match_8(code, subject, length, offset, UInt32(PCRE2_NO_UTF_CHECK), data, context)
      if rc == PCRE2_ERROR_NOMATCH {
        // Done with a line searched on its own: go on after its line break.
        if lineEnd >= 0 {
          offset = lineEnd + 1
          length = fullLength
          lineEnd = -1
          continue
        }
        return nil
      }
      if rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT {
        return .matchLimit
      }
      if rc < 0 { return .other(Pattern.message(rc)) }
      guard let ovector = pcre2_get_ovector_pointer_8(data) else { return .other("PCRE2 returned no ovector") }
      let start = ovector[0]
      let end = ovector[1]
      // No match runs over a line break (a `\s` or a negated class could): lines are what a
      // script says one at a time, and chunks end at line breaks, so results must not depend on
      // where a chunk ends. Such a match is dropped and its first line searched on its own.
      if end > start, let newline = memchr(subject + start, 0x0A, end - start) {
        lineEnd = UnsafePointer<UInt8>(newline.assumingMemoryBound(to: UInt8.self)) - subject
        length = lineEnd
        offset = start
        continue
      }
      if end > start { body((range.lowerBound + start)..<(range.lowerBound + end)) }
      // Empty match: step one scalar forward so the loop always advances.
      if end == start {
        var next = end + 1
        while next < length && subject[next] & 0xC0 == 0x80 { next += 1 }
        offset = next
      } else {
        offset = end
      }
      // Past the end of a line searched on its own: go on after its line break.
      if lineEnd >= 0 && offset > length {
        offset = lineEnd + 1
        length = fullLength
        lineEnd = -1
      }
    }
    return nil
  }

  /// Calls `body` with the leftmost match that starts at or after each position in turn: after a
  /// match the search resumes one character after the match's *start*, so matches may overlap,
  /// and which matches are seen does not depend on where the search began (a greedy exception,
  /// 不能代替药物本品不能, must not hide the next one that starts inside it). `body` returns
  /// false to stop. Returns the failure that stopped matching.
  func forEachOverlappingMatch(
    in bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, _ body: (Range<Int>) -> Bool
  ) -> Failure? {
    guard bytes.baseAddress != nil else { return nil }
    let data = borrowMatchData()
    defer { giveBack(data) }
    return Pattern.forEachOverlappingMatch(code: code, context: context, in: bytes, range: range, matchData: data, body)
  }

  /// As ``forEachOverlappingMatch(in:range:_:)``, with a handle and match data the caller owns.
  static func forEachOverlappingMatch(
    _ handle: Handle, in bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>, matchData data: MatchData,
    _ body: (Range<Int>) -> Bool
  ) -> Failure? {
    forEachOverlappingMatch(
      code: handle.code, context: handle.context, in: bytes, range: range, matchData: data.pointer, body)
  }

  private static func forEachOverlappingMatch(
    code: OpaquePointer, context: OpaquePointer, in bytes: UnsafeBufferPointer<UInt8>, range: Range<Int>,
    matchData data: OpaquePointer, _ body: (Range<Int>) -> Bool
  ) -> Failure? {
    guard let base = bytes.baseAddress else { return nil }
    let subject = base + range.lowerBound
    let length = range.count
    var offset = 0
    while offset <= length {
      let rc = pcre2_match_8(code, subject, length, offset, UInt32(PCRE2_NO_UTF_CHECK), data, context)
      if rc == PCRE2_ERROR_NOMATCH { return nil }
      if rc == PCRE2_ERROR_MATCHLIMIT || rc == PCRE2_ERROR_DEPTHLIMIT || rc == PCRE2_ERROR_HEAPLIMIT {
        return .matchLimit
      }
      if rc < 0 { return .other(Pattern.message(rc)) }
      guard let ovector = pcre2_get_ovector_pointer_8(data) else { return .other("PCRE2 returned no ovector") }
      let start = ovector[0]
      let end = ovector[1]
      if end > start && !body((range.lowerBound + start)..<(range.lowerBound + end)) { return nil }
      // The next search starts one scalar after this match's start.
      var next = start + 1
      while next < length && subject[next] & 0xC0 == 0x80 { next += 1 }
      offset = next
    }
    return nil
  }

  private func borrowMatchData() -> OpaquePointer {
    if let data = matchDataPool.withLock({ $0.popLast() }) { return data.pointer }
    return pcre2_match_data_create_from_pattern_8(code, nil)
  }

  private func giveBack(_ data: OpaquePointer) {
    let handle = UnsafeHandle(pointer: data)
    matchDataPool.withLock { $0.append(handle) }
  }

  static func message(_ code: Int32) -> String {
    var buffer = [UInt8](repeating: 0, count: 256)
    let n = pcre2_get_error_message_8(code, &buffer, buffer.count)
    return n > 0 ? String(decoding: buffer.prefix(Int(n)), as: UTF8.self) : "PCRE2 error \(code)"
  }
}

/// PCRE2 match data for one user at a time, with room for the whole match only: callers read
/// `ovector[0...1]`, and PCRE2 fills those even when the pattern has more groups (it then
/// returns 0, "ovector too small", which is a match).
final class MatchData {
  let pointer: OpaquePointer

  /// Fails only when PCRE2 cannot allocate.
  init?() {
    guard let data = pcre2_match_data_create_8(1, nil) else { return nil }
    pointer = data
  }

  deinit {
    pcre2_match_data_free_8(pointer)
  }
}

/// A C handle moved between threads under a lock. The C object is used by one thread at a time.
struct UnsafeHandle: @unchecked Sendable {
  let pointer: OpaquePointer
}
