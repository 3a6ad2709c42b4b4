/// An Aho–Corasick automaton over Unicode scalars that finds every occurrence of every term in
/// one pass over UTF-8 text.
///
/// Transitions out of the root are a dense table (most steps of a scan end there); all other
/// transitions live in one open-addressing hash table keyed by (state, scalar), so 60,000 terms
/// fit in a few megabytes. Immutable after construction and safe to share across threads.
public struct LiteralAutomaton: Sendable {
  /// An occurrence: which term, and its UTF-8 byte range in the scanned text.
  public struct Match: Hashable, Sendable {
    /// Index of the term in the array given to ``init(terms:)``.
    public var term: Int
    /// UTF-8 byte range in the scanned text.
    public var range: Range<Int>
  }

  private static let rootDenseSize = 0x10000
  private let rootNext: [Int32]          // BMP scalar → state (0 = stay at root)
  private let keys: [UInt64]             // hash table of (state << 21 | scalar), 0 = empty
  private let values: [Int32]
  private let mask: Int
  private let fail: [Int32]
  private let firstTerm: [Int32]         // node → first term ending here (index into termIDs) or -1
  private let termNextAtNode: [Int32]    // term slot → next term slot at the same node, or -1
  private let termIDs: [Int32]           // term slot → term index
  private let dictLink: [Int32]          // node → nearest proper suffix node with a term, or -1
  private let termLengths: [Int32]       // term index → UTF-8 length
  /// Number of terms the automaton was built from.
  public let termCount: Int
  /// Number of states (trie nodes).
  public var stateCount: Int { fail.count }

  /// Builds the automaton. Empty terms are ignored; duplicate terms report each index.
  ///
  /// - Parameter terms: The literal terms, already normalised like the text they will scan.
  public init(terms: [String]) {
    var children: [[(UInt32, Int32)]] = [[]]
    var buildMap: [UInt64: Int32] = [:]
    var nodeTermsList: [[Int32]] = [[]]
    var lengths: [Int32] = []
    lengths.reserveCapacity(terms.count)
    for (index, term) in terms.enumerated() {
      lengths.append(Int32(term.utf8.count))
      if term.isEmpty { continue }
      var state: Int32 = 0
      for scalar in term.unicodeScalars {
        let key = UInt64(state) << 21 | UInt64(scalar.value)
        if let next = buildMap[key] {
          state = next
        } else {
          let next = Int32(children.count)
          children.append([])
          nodeTermsList.append([])
          children[Int(state)].append((scalar.value, next))
          buildMap[key] = next
          state = next
        }
      }
      nodeTermsList[Int(state)].append(Int32(index))
    }
    let nodeCount = children.count

    // Breadth-first failure links and dictionary suffix links.
    var fail = [Int32](repeating: 0, count: nodeCount)
    var dictLink = [Int32](repeating: -1, count: nodeCount)
    var queue: [Int32] = []
    queue.reserveCapacity(nodeCount)
    for (_, child) in children[0] { queue.append(child) }
    var head = 0
    while head < queue.count {
      let node = queue[head]
      head += 1
      for (scalar, child) in children[Int(node)] {
        var f = fail[Int(node)]
        var target: Int32 = 0
        while true {
          if let next = buildMap[UInt64(f) << 21 | UInt64(scalar)], next != child {
            target = next
            break
          }
          if f == 0 { break }
          f = fail[Int(f)]
        }
        fail[Int(child)] = target
        dictLink[Int(child)] = nodeTermsList[Int(target)].isEmpty ? dictLink[Int(target)] : target
        queue.append(child)
      }
    }

    var rootNext = [Int32](repeating: 0, count: LiteralAutomaton.rootDenseSize)
    var capacity = 16
    while capacity < max(16, buildMap.count * 2) { capacity <<= 1 }
    var keys = [UInt64](repeating: 0, count: capacity)
    var values = [Int32](repeating: 0, count: capacity)
    let mask = capacity - 1
    for (key, value) in buildMap {
      let state = key >> 21
      let scalar = key & 0x1F_FFFF
      if state == 0 && scalar < UInt64(LiteralAutomaton.rootDenseSize) {
        rootNext[Int(scalar)] = value
        continue
      }
      var slot = LiteralAutomaton.hash(key &+ 1) & mask
      while keys[slot] != 0 { slot = (slot + 1) & mask }
      keys[slot] = key &+ 1  // +1 so that 0 marks an empty slot
      values[slot] = value
    }

    var firstTerm = [Int32](repeating: -1, count: nodeCount)
    var termNext: [Int32] = []
    var termIDs: [Int32] = []
    for node in 0..<nodeCount {
      for term in nodeTermsList[node].reversed() {
        termIDs.append(term)
        termNext.append(firstTerm[node])
        firstTerm[node] = Int32(termIDs.count - 1)
      }
    }

    self.rootNext = rootNext
    self.keys = keys
    self.values = values
    self.mask = mask
    self.fail = fail
    self.firstTerm = firstTerm
    self.termNextAtNode = termNext
    self.termIDs = termIDs
    self.dictLink = dictLink
    self.termLengths = lengths
    self.termCount = terms.count
  }

  @inline(__always)
  private static func hash(_ key: UInt64) -> Int {
    Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 29)
  }

  @inline(__always)
  private func next(_ state: Int32, _ scalar: UInt32) -> Int32? {
    if state == 0 {
      if scalar < UInt32(LiteralAutomaton.rootDenseSize) {
        let n = rootNext[Int(scalar)]
        return n == 0 ? nil : n
      }
    }
    let key = (UInt64(state) << 21 | UInt64(scalar)) &+ 1
    var slot = LiteralAutomaton.hash(key) & mask
    while true {
      let k = keys[slot]
      if k == key { return values[slot] }
      if k == 0 { return nil }
      slot = (slot + 1) & mask
    }
  }

  /// Finds every occurrence of every term in `text` (valid UTF-8), overlapping ones included.
  public func matches(in text: String) -> [Match] {
    var copy = text
    var result: [Match] = []
    copy.withUTF8 { buffer in scan(buffer) { result.append(Match(term: $0, range: $1)) } }
    return result
  }

  /// Scans `bytes` (valid UTF-8) and calls `report(term, range)` for every occurrence, in order
  /// of end offset.
  func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ report: (Int, Range<Int>) -> Void) {
    if termIDs.isEmpty { return }
    var state: Int32 = 0
    var i = 0
    let n = bytes.count
    while i < n {
      let (scalar, length) = Normalizer.decode(bytes, at: i)
      i += length
      while true {
        if let to = next(state, scalar) {
          state = to
          break
        }
        if state == 0 { break }
        state = fail[Int(state)]
      }
      if state == 0 { continue }
      var node = firstTerm[Int(state)] >= 0 ? state : dictLink[Int(state)]
      while node >= 0 {
        var slot = firstTerm[Int(node)]
        while slot >= 0 {
          let term = Int(termIDs[Int(slot)])
          report(term, (i - Int(termLengths[term]))..<i)
          slot = termNextAtNode[Int(slot)]
        }
        node = dictLink[Int(node)]
      }
    }
  }
}
