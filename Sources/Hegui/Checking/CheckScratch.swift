import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Musl)
  import Musl
#elseif canImport(Darwin)
  import Darwin
#endif

/// Reusable buffers for one check at a time: normalised text, hit lists, PCRE2 match data and an
/// ICU break iterator. Checks borrow one from the plan's ``ScratchPool`` and give it back, so a
/// warm checker allocates nothing per check but the findings it returns.
final class CheckScratch: @unchecked Sendable {
  // @unchecked: only one check uses a scratch at a time; the pool hands it over with
  // acquire/release ordering.
  let normalized = NormalizationBuffer()
  /// The hit lists, reused from chunk to chunk (lent out by ``withHitLists(_:)``).
  private var hits = HitLists()
  var boundary: BoundaryChecker
  var diagnostics: [Diagnostic] = []
  /// The evasion matcher's scratch space, reused from chunk to chunk.
  var evasion = EvasionMatcher.Scratch()
  /// Per gate slot: the chunk (epoch) in which one of its literals last occurred. Raw memory:
  /// read and written many times per check, where a Swift array in a class would be checked
  /// for exclusive access every time.
  let gateEpoch: UnsafeMutablePointer<UInt32>
  private let gateCount: Int
  private(set) var epoch: UInt32 = 0
  let matchData: MatchData?

  init(plan: CheckPlan) {
    boundary = BoundaryChecker(service: plan.boundaries)
    gateCount = plan.gateCount
    gateEpoch = .allocate(capacity: max(1, gateCount))
    gateEpoch.initialize(repeating: 0, count: max(1, gateCount))
    matchData = MatchData()
  }

  deinit {
    gateEpoch.deallocate()
  }

  /// Starts a new chunk: forgets the previous chunk's word boundaries and gate marks.
  func startChunk() {
    boundary.textChanged()
    nextEpoch()
  }

  /// Lends the hit lists, emptied, to `body` for one chunk as a local value: the automaton's
  /// callback appends to them for every hit, where a class property would be checked for
  /// exclusive access each time.
  func withHitLists<T>(_ body: (inout HitLists) -> T) -> T {
    var lists = HitLists()
    swap(&lists, &hits)
    lists.removeAll()
    defer { swap(&lists, &hits) }
    return body(&lists)
  }

  /// Whether every gate slot in `slots` fired in the current chunk.
  @inline(__always)
  func gatesOpen(_ slots: Range<Int32>, plan: CheckPlan) -> Bool {
    for g in slots where gateEpoch[Int(plan.gateSlots[Int(g)])] != epoch { return false }
    return true
  }

  /// Starts a new chunk: gate marks of earlier chunks no longer count.
  private func nextEpoch() {
    epoch &+= 1
    if epoch == 0 {
      gateEpoch.update(repeating: 0, count: max(1, gateCount))
      epoch = 1
    }
  }
}

/// A lock-free pool of scratches. Each thread starts at a slot chosen from its thread id, so two
/// threads checking at once touch different cache lines and never wait for each other.
final class ScratchPool: Sendable {
  /// One slot per cache line pair (the padding keeps neighbours apart).
  final class Slot: Sendable {
    let value = Atomic<UInt>(0)
    private let padding:
      (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) =
        (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
  }

  private static let slotCount = 64
  private let slots: [Slot] = (0..<ScratchPool.slotCount).map { _ in Slot() }

  deinit {
    for slot in slots {
      let bits = slot.value.exchange(0, ordering: .acquiring)
      if bits != 0, let pointer = UnsafeRawPointer(bitPattern: bits) {
        Unmanaged<CheckScratch>.fromOpaque(pointer).release()
      }
    }
  }

  private static func home() -> Int {
    let id = UInt64(UInt(bitPattern: Int(bitPattern: pthread_self())))
    return Int(truncatingIfNeeded: (id &* 0x9E37_79B9_7F4A_7C15) >> 58)  // 6 bits: 64 slots
  }

  /// A scratch from the pool, or nil when none is free (make one).
  func take() -> CheckScratch? {
    let home = ScratchPool.home()
    for k in 0..<2 {
      let slot = slots[(home + k) & (ScratchPool.slotCount - 1)]
      if slot.value.load(ordering: .relaxed) == 0 { continue }
      let bits = slot.value.exchange(0, ordering: .acquiring)
      if bits != 0, let pointer = UnsafeRawPointer(bitPattern: bits) {
        return Unmanaged<CheckScratch>.fromOpaque(pointer).takeRetainedValue()
      }
    }
    return nil
  }

  /// Returns a scratch; dropped when its slots are taken.
  func put(_ scratch: CheckScratch) {
    let home = ScratchPool.home()
    let retained = Unmanaged.passRetained(scratch)
    let bits = UInt(bitPattern: retained.toOpaque())
    for k in 0..<2 {
      let slot = slots[(home + k) & (ScratchPool.slotCount - 1)]
      if slot.value.compareExchange(expected: 0, desired: bits, ordering: .releasing).exchanged { return }
    }
    retained.release()
  }
}

/// The hits of one chunk: candidates, exception phrases, anchored lines, and a buffer for the
/// lines of one pattern rule.
struct HitLists {
  var candidates: [Candidate] = []
  var exceptionHits: [ExceptionHit] = []
  var anchorLines: [AnchorLine] = []
  private var lines: [Range<Int>] = []

  mutating func removeAll() {
    if !candidates.isEmpty { candidates.removeAll(keepingCapacity: true) }
    if !exceptionHits.isEmpty { exceptionHits.removeAll(keepingCapacity: true) }
    if !anchorLines.isEmpty { anchorLines.removeAll(keepingCapacity: true) }
  }

  /// The distinct lines, in order, that hold an anchor of `rule` (valid until the next call).
  mutating func anchoredLines(of rule: Int) -> [Range<Int>] {
    if !lines.isEmpty { lines.removeAll(keepingCapacity: true) }
    var sorted = true
    for entry in anchorLines where entry.rule == rule {
      if let last = lines.last {
        if last.lowerBound == entry.line.lowerBound { continue }
        if last.lowerBound > entry.line.lowerBound { sorted = false }
      }
      lines.append(entry.line)
    }
    // Anchor hits come in order of their end, so lines almost always come sorted already.
    if !sorted {
      lines.sort { $0.lowerBound < $1.lowerBound }
      var previous = -1
      lines.removeAll { range in
        defer { previous = range.lowerBound }
        return range.lowerBound == previous
      }
    }
    return lines
  }
}
