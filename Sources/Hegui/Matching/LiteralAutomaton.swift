/// An Aho–Corasick automaton over Unicode scalars that finds every occurrence of every term in
/// one pass over UTF-8 text.
///
/// The trie is laid out as a double array (Aoe's BASE/CHECK): each scalar that occurs in a term
/// has a code (the most frequent first), and the transition from state `s` on code `c` is the
/// state at `base[s] + c` when that state's `check` is `s`. A step is two loads from one compact
/// array, with no hashing and no probing; a scalar that occurs in no term sends the scan straight
/// to the root without following failure links. Each state's base, check, failure link and
/// where its occurrences are listed sit side by side (16 bytes), so a step touches few cache
/// lines.
/// Immutable after construction and safe to share across threads.
package struct LiteralAutomaton: Sendable {
  /// An occurrence: which term, and its UTF-8 byte range in the scanned text.
  package struct Match: Hashable, Sendable {
    /// Index of the term in the array given to ``init(terms:)``.
    package var term: Int
    /// UTF-8 byte range in the scanned text.
    package var range: Range<Int>
  }

  private let tables: Tables
  /// Number of terms the automaton was built from.
  package let termCount: Int
  /// Number of states (trie nodes).
  package var stateCount: Int { tables.stateCount }

  /// One state of the double array.
  struct Unit {
    /// Where this state's transitions start: the target of code `c` is at `base + c`.
    var base: Int32
    /// The state this one is a transition of; -1 for a free position (and the root).
    var check: Int32
    /// The failure link: the longest proper suffix that is a state.
    var fail: Int32
    /// Where the state's run of occurrences starts in `outputs`; -1 when no term ends here or
    /// at a suffix.
    var output: Int32
  }

  /// The automaton's tables in raw memory: written once by `init`, read-only afterwards, so
  /// sharing them across threads is safe and scanning needs neither bounds checks nor reference
  /// counting.
  private final class Tables: @unchecked Sendable {
    /// BMP scalar → code (0: in no term).
    let bmpCodes: UnsafeMutablePointer<UInt16>
    /// Codes of scalars beyond the BMP (emoji in terms; rare).
    let astralCodes: [UInt32: Int32]
    /// The double array; every `base + code` of every state lies inside it.
    let units: UnsafeMutablePointer<Unit>
    /// Every state's occurrences in one run (a unit's `output` is where its run starts): pairs
    /// of term index and UTF-8 length, its own terms then those of its suffixes, ended by -1. One
    /// run is one or two cache lines, where a chain of links was a miss per term.
    let outputs: UnsafeMutablePointer<Int32>
    let stateCount: Int
    let hasTerms: Bool

    init(
      bmpCodes: [UInt16], astralCodes: [UInt32: Int32], units: [Unit], outputs: [Int32], stateCount: Int
    ) {
      func copy<T>(_ array: [T]) -> UnsafeMutablePointer<T> {
        let pointer = UnsafeMutablePointer<T>.allocate(capacity: max(1, array.count))
        array.withUnsafeBufferPointer { buffer in
          if let base = buffer.baseAddress { pointer.initialize(from: base, count: buffer.count) }
        }
        return pointer
      }
      self.bmpCodes = copy(bmpCodes)
      self.astralCodes = astralCodes
      self.units = copy(units)
      self.outputs = copy(outputs)
      self.stateCount = stateCount
      hasTerms = !outputs.isEmpty
    }

    deinit {
      bmpCodes.deallocate()
      units.deallocate()
      outputs.deallocate()
    }
  }

  /// Builds the automaton. Empty terms are ignored; duplicate terms report each index.
  ///
  /// - Parameter terms: The literal terms, already normalised like the text they will scan.
  package init(terms: [String]) {
    // The trie, on scalars.
    var children: [[(scalar: UInt32, node: Int32)]] = [[]]
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

    // Breadth-first failure links (on nodes) and the order states are placed in.
    var fail = [Int32](repeating: 0, count: nodeCount)
    var queue: [Int32] = [0]
    queue.reserveCapacity(nodeCount)
    var head = 0
    while head < queue.count {
      let node = queue[head]
      head += 1
      for (scalar, child) in children[Int(node)] {
        var target: Int32 = 0
        if node != 0 {
          var f = fail[Int(node)]
          while true {
            if let next = buildMap[UInt64(f) << 21 | UInt64(scalar)], next != child {
              target = next
              break
            }
            if f == 0 { break }
            f = fail[Int(f)]
          }
        }
        fail[Int(child)] = target
        queue.append(child)
      }
    }
    buildMap = [:]

    // Codes: the scalars on the most edges first, so the common ones pack densely.
    var edgeCounts: [UInt32: Int] = [:]
    for list in children { for edge in list { edgeCounts[edge.scalar, default: 0] += 1 } }
    let alphabet = edgeCounts.sorted { $0.value != $1.value ? $0.value > $1.value : $0.key < $1.key }
    var bmpCodes = [UInt16](repeating: 0, count: 0x10000)
    var astralCodes: [UInt32: Int32] = [:]
    var codeOf: [UInt32: Int32] = [:]
    codeOf.reserveCapacity(alphabet.count)
    // BMP scalars number at most 63,488 (surrogates aside), so their codes fit in 16 bits:
    // number them first, astral scalars after.
    var nextCode: Int32 = 1
    for entry in alphabet where entry.key < 0x10000 {
      bmpCodes[Int(entry.key)] = UInt16(nextCode)
      codeOf[entry.key] = nextCode
      nextCode += 1
    }
    for entry in alphabet where entry.key >= 0x10000 {
      astralCodes[entry.key] = nextCode
      codeOf[entry.key] = nextCode
      nextCode += 1
    }
    let maxCode = Int(nextCode) - 1

    // Placement, first fit, in breadth-first order: the root at 0 with base 0 (its children sit
    // at their codes), each other state's children where all of them find free positions.
    var position = [Int32](repeating: -1, count: nodeCount)
    position[0] = 0
    var free = FreePositions(capacity: 2 * nodeCount + 2 * maxCode + 1024)
    free.take(0)
    var bases = [Int32](repeating: 0, count: nodeCount)
    var parent = [Int32](repeating: -1, count: nodeCount)
    var codes: [Int] = []
    var searchFloor = 1
    for node in queue {
      let list = children[Int(node)]
      guard !list.isEmpty else { continue }
      codes.removeAll(keepingCapacity: true)
      for edge in list { codes.append(Int(codeOf[edge.scalar] ?? 0)) }
      codes.sort()
      var base = 0
      if node != 0 {
        // The free positions in order, from the first at or after both the smallest code and
        // the search floor: the first where every child fits. When nearly everything the search
        // passed was taken or did not fit, the region is full and later searches start past it
        // (Darts' rule; it keeps building linear at the price of a few holes).
        let start = free.first(atOrAfter: max(searchFloor, codes[0]))
        var p = start
        var misses = 0
        while true {
          let candidate = p - codes[0]
          free.reserve(candidate + maxCode + 1)
          var fits = true
          for c in codes.dropFirst() where !free.isFree(candidate + c) {
            fits = false
            break
          }
          if fits {
            base = candidate
            break
          }
          let following = free.first(atOrAfter: p + 1)
          misses += following - p
          p = following
        }
        if misses * 20 >= (p - start + 1) * 19 { searchFloor = p }
      }
      bases[Int(node)] = Int32(base)
      for edge in list {
        let at = base + Int(codeOf[edge.scalar] ?? 0)
        free.take(at)
        position[Int(edge.node)] = Int32(at)
        parent[Int(edge.node)] = node
      }
    }
    children = []
    free = FreePositions(capacity: 0)

    var top = 0
    for node in 0..<nodeCount { top = max(top, Int(position[node]), Int(bases[node]) + maxCode) }
    let size = top + 1
    var units = [Unit](repeating: Unit(base: 0, check: -1, fail: 0, output: -1), count: size)
    for node in queue {
      let at = Int(position[Int(node)])
      units[at].base = bases[Int(node)]
      if node != 0 { units[at].check = position[Int(parent[Int(node)])] }
      units[at].fail = position[Int(fail[Int(node)])]
    }
    // Breadth-first, a state's failure target is shallower: its run is complete when the
    // state's own is written (its terms, then a copy of the target's run).
    var outputs: [Int32] = []
    for node in queue where node != 0 {
      let at = Int(position[Int(node)])
      let suffix = Int(units[Int(units[at].fail)].output)
      let own = nodeTermsList[Int(node)]
      guard !own.isEmpty || suffix >= 0 else { continue }
      units[at].output = Int32(outputs.count)
      for term in own {
        outputs.append(term)
        outputs.append(lengths[Int(term)])
      }
      if suffix >= 0 {
        var k = suffix
        while outputs[k] >= 0 {
          outputs.append(outputs[k])
          outputs.append(outputs[k + 1])
          k += 2
        }
      }
      outputs.append(-1)
    }
    nodeTermsList = []
    tables = Tables(
      bmpCodes: bmpCodes, astralCodes: astralCodes, units: units, outputs: outputs, stateCount: nodeCount)
    termCount = terms.count
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
    guard t.hasTerms, let src = bytes.baseAddress else { return }
    let codes = t.bmpCodes
    let units = t.units
    let outputs = t.outputs
    let astral = t.astralCodes
    var state = 0
    var i = 0
    let n = bytes.count
    while i < n {
      let (scalar, length) = Normalizer.decode(src, at: i)
      i += length
      let code = scalar < 0x10000 ? Int(codes[Int(scalar)]) : Int(astral[scalar] ?? 0)
      if code == 0 {
        // In no term: every state's transition fails, down to the root's.
        state = 0
        continue
      }
      // Follow failure links until a transition on `code` exists or the root is reached.
      while true {
        let to = Int(units[state].base) + code
        if Int(units[to].check) == state {
          state = to
          break
        }
        if state == 0 { break }
        state = Int(units[state].fail)
      }
      var k = Int(units[state].output)
      if k < 0 { continue }
      while outputs[k] >= 0 {
        report(Int(outputs[k]), (i - Int(outputs[k + 1]))..<i)
        k += 2
      }
    }
    withExtendedLifetime(t) {}
  }
}

/// The double array's free positions while it is laid out: "the first free position at or after
/// p" in near-constant time (a union–find over taken positions, each pointing past itself).
private struct FreePositions {
  /// Per position: itself when free, else a position after it to look from.
  private var next: [Int32]

  init(capacity: Int) { next = (0..<Int32(capacity)).map { $0 } }

  /// Grows the table so that `position` exists.
  @inline(__always)
  mutating func reserve(_ position: Int) {
    if position >= next.count { grow(position) }
  }

  private mutating func grow(_ position: Int) {
    let old = next.count
    next.append(contentsOf: (Int32(old)..<Int32(max(position + 1, 2 * old))).map { $0 })
  }

  @inline(__always)
  func isFree(_ position: Int) -> Bool { position >= next.count || Int(next[position]) == position }

  mutating func take(_ position: Int) {
    reserve(position + 1)
    next[position] = Int32(position + 1)
  }

  mutating func first(atOrAfter position: Int) -> Int {
    reserve(position + 1)
    var p = position
    while Int(next[p]) != p {
      p = Int(next[p])
      reserve(p + 1)
    }
    // Path compression: everything on the way now points at the answer.
    var q = position
    while q != p {
      let following = Int(next[q])
      next[q] = Int32(p)
      q = following
    }
    return p
  }
}
