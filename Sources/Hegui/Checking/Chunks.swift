/// Where a long text is cut into chunks, so that a check's buffers stay bounded whatever the size
/// of the text.
///
/// A chunk ends at the first line break after `size` bytes. A line longer than `size × 16` bytes
/// (an ASR transcript with no line breaks) is cut after sentence punctuation (。！？) near the
/// limit or, failing that, at a scalar boundary; the next chunk then starts `overlap` bytes
/// before the cut, so a term that straddles the cut is still found whole (``Checker`` drops the
/// findings of the overlap that the previous chunk already reported).
struct Chunks {
  /// Target chunk size in bytes.
  let size: Int
  /// How far a chunk after a cut inside a line reaches back: longer than any term.
  let overlap: Int

  init(size: Int) {
    self.size = max(1024, size)
    overlap = min(4096, self.size / 4)
  }

  /// One chunk: `scan` is what to normalise and check; findings that end at or before
  /// `keepAfter` were reported by the previous chunk.
  struct Chunk: Equatable {
    var scan: Range<Int>
    var keepAfter: Int
    /// Where the next chunk starts when it reaches back into this one (a cut inside a line).
    var nextCut: Cut?

    /// Whether this chunk reaches back into the previous one.
    var isCut: Bool { keepAfter > scan.lowerBound }
    /// Where the overlap with the previous chunk is handed over: hits that end at or before it
    /// belong to the previous chunk (meaningful when ``isCut``).
    var handoff: Int { (scan.lowerBound + keepAfter) / 2 }
  }

  /// The start of a chunk that reaches back over a cut, and its handoff point.
  struct Cut: Equatable {
    var start: Int
    var handoff: Int
  }

  /// Every chunk of a text of `buffer.count` bytes, in order; `body` sees each one.
  func forEach(in buffer: UnsafeBufferPointer<UInt8>, _ body: (Chunk) -> Void) {
    var start = 0
    var keepAfter = 0
    while start < buffer.count {
      let end = self.end(in: buffer, from: start)
      if end >= buffer.count {
        body(Chunk(scan: start..<end, keepAfter: keepAfter))
        return
      }
      if buffer[end - 1] == 0x0A {
        body(Chunk(scan: start..<end, keepAfter: keepAfter))
        start = end
        keepAfter = end
      } else {
        // Cut inside a line: reach back to a scalar boundary `overlap` bytes before the cut.
        var back = max(start + 1, end - overlap)
        while back < end && buffer[back] & 0xC0 == 0x80 { back += 1 }
        body(Chunk(scan: start..<end, keepAfter: keepAfter, nextCut: Cut(start: back, handoff: (back + end) / 2)))
        start = back
        keepAfter = end
      }
    }
  }

  /// Where the chunk that starts at `start` ends.
  func end(in buffer: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
    let count = buffer.count
    if count - start <= size { return count }
    let limit = min(count, start + size * 16)
    var i = start + size
    while i < limit {
      if buffer[i - 1] == 0x0A { return i }
      i += 1
    }
    if buffer[limit - 1] == 0x0A || limit == count { return limit }
    // A very long line: cut after sentence punctuation (。！？) or, failing that, at a scalar start.
    var j = limit - 1
    while j > start + size {
      let (a, b, c) = (buffer[j - 3], buffer[j - 2], buffer[j - 1])
      if a == 0xE3 && b == 0x80 && c == 0x82 { return j }  // 。
      if a == 0xEF && b == 0xBC && (c == 0x81 || c == 0x9F) { return j }  // ！ ？
      j -= 1
    }
    j = limit
    while j < count && buffer[j] & 0xC0 == 0x80 { j += 1 }
    return j
  }
}
