/// An Aho–Corasick automaton over Unicode scalars that finds every occurrence of every term in
/// one pass over UTF-8 text.
///
/// Transitions out of the root are a dense table (most steps of a scan end there); all other
/// transitions live in one open-addressing hash table keyed by (state, scalar), so 60,000 terms
/// fit in a few megabytes. Immutable after construction and safe to share across threads.
package struct LiteralAutomaton: Sendable {
  /// An occurrence: which term, and its UTF-8 byte range in the scanned text.
  package struct Match: Hashable, Sendable {
    /// Index of the term in the array given to ``init(terms:)``.
    package var term: Int
    /// UTF-8 byte range in the scanned text.
    package var range: Range<Int>
  }

  private static let rootDenseSize = 0x10000
  private let tables: Tables
  /// Number of terms the automaton was built from.
  package let termCount: Int
  /// Number of states (trie nodes).
  package var stateCount: Int { tables.stateCount }

  /// The automaton's tables in raw memory: written once by `init`, read-only afterwards, so
  /// sharing them across threads is safe and scanning needs neither bounds checks nor reference
  /// counting.
  private final class Tables: @unchecked Sendable {
    let rootNext: UnsafeMutablePointer<Int32>  // BMP scalar → state (0 = stay at root)
    /// Open-addressing hash table of transitions: key (state << 21 | scalar) + 1 (0 = empty) and
    /// target side by side, so that a probe touches one cache line.
    let slots: UnsafeMutablePointer<Slot>
    let mask: Int
    let fail: UnsafeMutablePointer<Int32>
    /// Per node: its first term (index into `termIDs`) or -1.
    let firstTerm: UnsafeMutablePointer<Int32>
    /// Per node: the nearest proper suffix node with a term, or -1.
    let dictLink: UnsafeMutablePointer<Int32>
    /// Per node: whether any transition leaves it (a leaf goes straight to its failure link).
    let hasChildren: UnsafeMutablePointer<Bool>
    let termNextAtNode: UnsafeMutablePointer<Int32>  // term slot → next term slot at the same node, or -1
    let termIDs: UnsafeMutablePointer<Int32>  // term slot → term index
    let termLengths: UnsafeMutablePointer<Int32>  // term index → UTF-8 length
    let stateCount: Int
    let termSlotCount: Int

    struct Slot {
      var key: UInt64
      var value: Int32
    }

    /// Copies the arrays; takes ownership of `slots` (`slotCount` of them, a power of two).
    init(
      rootNext: [Int32], slots: UnsafeMutablePointer<Slot>, slotCount: Int, fail: [Int32], firstTerm: [Int32],
      dictLink: [Int32], hasChildren: [Bool], termNextAtNode: [Int32], termIDs: [Int32], termLengths: [Int32]
    ) {
      func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(1, array.count))
        array.withUnsafeBufferPointer { buffer in
          if let base = buffer.baseAddress { pointer.initialize(from: base, count: buffer.count) }
        }
        return pointer
      }
      self.rootNext = copy(rootNext)
      self.slots = slots
      mask = slotCount - 1
      self.fail = copy(fail)
      self.firstTerm = copy(firstTerm)
      self.dictLink = copy(dictLink)
      self.hasChildren = copy(hasChildren)
      self.termNextAtNode = copy(termNextAtNode)
      self.termIDs = copy(termIDs)
      self.termLengths = copy(termLengths)
      stateCount = fail.count
      termSlotCount = termIDs.count
    }

    deinit {
      rootNext.deallocate()
      slots.deallocate()
      fail.deallocate()
      firstTerm.deallocate()
      dictLink.deallocate()
      hasChildren.deallocate()
      termNextAtNode.deallocate()
      termIDs.deallocate()
      termLengths.deallocate()
    }
  }

  /// Builds the automaton. Empty terms are ignored; duplicate terms report each index.
  ///
  /// - Parameter terms: The literal terms, already normalised like the text they will scan.
  package init(terms: [String]) {
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
    // Free what is no longer needed before the tables are laid out: with 60,000 terms the trie
    // has ~200,000 nodes, and peak memory is what the lexicon target is about.
    children = []
    queue = []

    var rootNext = [Int32](repeating: 0, count: LiteralAutomaton.rootDenseSize)
    var capacity = 16
    while capacity < max(16, buildMap.count * 2) { capacity <<= 1 }
    let slots = UnsafeMutablePointer<Tables.Slot>.allocate(capacity: capacity)
    slots.initialize(repeating: Tables.Slot(key: 0, value: 0), count: capacity)
    let mask = capacity - 1
    var hasChildren = [Bool](repeating: false, count: nodeCount)
    for (key, value) in buildMap {
      let state = key >> 21
      let scalar = key & 0x1F_FFFF
      hasChildren[Int(state)] = true
      if state == 0 && scalar < UInt64(LiteralAutomaton.rootDenseSize) {
        rootNext[Int(scalar)] = value
        continue
      }
      var slot = LiteralAutomaton.hash(key &+ 1) & mask
      while slots[slot].key != 0 { slot = (slot + 1) & mask }
      slots[slot] = Tables.Slot(key: key &+ 1, value: value)  // +1 so that 0 marks an empty slot
    }
    buildMap = [:]

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
    nodeTermsList = []

    tables = Tables(
      rootNext: rootNext, slots: slots, slotCount: capacity, fail: fail, firstTerm: firstTerm, dictLink: dictLink,
      hasChildren: hasChildren, termNextAtNode: termNext, termIDs: termIDs, termLengths: lengths)
    termCount = terms.count
  }

  @inline(__always)
  private static func hash(_ key: UInt64) -> Int {
    Int(truncatingIfNeeded: (key &* 0x9E37_79B9_7F4A_7C15) >> 29)
  }

  /// Finds every occurrence of every term in `text` (valid UTF-8), overlapping ones included.
  package func matches(in text: String) -> [Match] {
    var copy = text
    var result: [Match] = []
    copy.withUTF8 { buffer in scan(buffer) { result.append(Match(term: $0, range: $1)) } }
    return result
  }

  /// Scans `bytes` (valid UTF-8) and calls `report(term, range)` for every occurrence, in order
  /// of end offset.
  func scan(_ bytes: UnsafeBufferPointer<UInt8>, _ report: (Int, Range<Int>) -> Void) {
    let t = tables
    guard t.termSlotCount > 0, let src = bytes.baseAddress else { return }
    let root = t.rootNext
    let slots = t.slots
    let mask = t.mask
    let fail = t.fail
    let firstTerm = t.firstTerm
    let dictLink = t.dictLink
    let hasChildren = t.hasChildren
    var state: Int32 = 0
    var i = 0
    let n = bytes.count
    while i < n {
      let (scalar, length) = Normalizer.decode(src, at: i)
      i += length
      // Follow failure links until a transition on `scalar` exists or the root is reached.
      while true {
        if state == 0 {
          if scalar < UInt32(LiteralAutomaton.rootDenseSize) {
            state = root[Int(scalar)]
          } else {
            state = LiteralAutomaton.lookup(0, scalar, slots, mask) ?? 0
          }
          break
        }
        if hasChildren[Int(state)], let to = LiteralAutomaton.lookup(state, scalar, slots, mask) {
          state = to
          break
        }
        state = fail[Int(state)]
      }
      if state == 0 { continue }
      var node = firstTerm[Int(state)] >= 0 ? state : dictLink[Int(state)]
      while node >= 0 {
        var slot = firstTerm[Int(node)]
        while slot >= 0 {
          let term = Int(t.termIDs[Int(slot)])
          report(term, (i - Int(t.termLengths[term]))..<i)
          slot = t.termNextAtNode[Int(slot)]
        }
        node = dictLink[Int(node)]
      }
    }
    withExtendedLifetime(t) {}
  }

  @inline(__always)
  private static func lookup(
    _ state: Int32, _ scalar: UInt32, _ slots: UnsafeMutablePointer<Tables.Slot>, _ mask: Int
  ) -> Int32? {
    let key = (UInt64(state) << 21 | UInt64(scalar)) &+ 1
    var slot = hash(key) & mask
    while true {
      let k = slots[slot].key
      if k == key { return slots[slot].value }
      if k == 0 { return nil }
      slot = (slot + 1) & mask
    }
  }
}
