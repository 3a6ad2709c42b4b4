import Dispatch
import Foundation
import Hegui
import Synchronization

/// What the benchmark runs: tier 1 over the corpus, alone, on two cores and line by line.
enum Workloads {
  /// Checks every item; returns the number of findings (so the work cannot be optimised away).
  static func checkAll(_ checker: Checker, _ items: [CorpusItem], start: Int = 0, step: Int = 1) -> Int {
    var findings = 0
    var index = start
    while index < items.count {
      let item = items[index]
      findings &+= checker.check(item.text, context: item.context).findings.count
      index += step
    }
    return findings
  }

  /// Seconds to check every item with `threads` concurrent workers sharing one checker (items
  /// dealt round-robin so the workers get equal shares). Each worker is its own thread (not a
  /// Dispatch work item, which may run both shares on one thread when the pool starts late),
  /// started and then released at once, so thread creation is not timed.
  static func concurrentCheck(_ checker: Checker, _ items: [CorpusItem], threads: Int) -> (
    seconds: Double, findings: Int
  ) {
    concurrentCheck(Array(repeating: checker, count: threads), items)
  }

  /// As above, worker `i` using `checkers[i]`.
  static func concurrentCheck(_ checkers: [Checker], _ items: [CorpusItem]) -> (seconds: Double, findings: Int) {
    let threads = checkers.count
    let total = Atomic<Int>(0)
    let ready = Atomic<Int>(0)
    let go = Atomic<Bool>(false)
    let done = DispatchSemaphore(value: 0)
    for worker in 0..<threads {
      let thread = Thread {
        ready.add(1, ordering: .releasing)
        while !go.load(ordering: .acquiring) {}
        let found = checkAll(checkers[worker], items, start: worker, step: threads)
        total.add(found, ordering: .relaxed)
        done.signal()
      }
      thread.start()
    }
    while ready.load(ordering: .acquiring) < threads {}
    let start = Measure.clock.now
    go.store(true, ordering: .releasing)
    for _ in 0..<threads { done.wait() }
    return (Measure.seconds(Measure.clock.now - start), total.load(ordering: .relaxed))
  }

  /// Per-check latency of each line, in microseconds, over `rounds` passes (after one warm-up pass).
  static func latencies(_ checker: Checker, lines: [String], context: CheckContext, rounds: Int) -> (
    samples: [Double], findings: Int
  ) {
    var findings = 0
    for line in lines { findings &+= checker.check(line, context: context).findings.count }
    var samples: [Double] = []
    samples.reserveCapacity(lines.count * rounds)
    findings = 0
    for _ in 0..<rounds {
      for line in lines {
        let start = Measure.clock.now
        let result = checker.check(line, context: context)
        let end = Measure.clock.now
        findings &+= result.findings.count
        samples.append(Measure.seconds(end - start) * 1e6)
      }
    }
    return (samples, findings / max(1, rounds))
  }

  /// The corpus joined and cut into blocks of about `size` bytes at line ends, for the baselines
  /// that process text in bulk.
  static func blocks(_ items: [CorpusItem], size: Int = 1 << 16) -> [String] {
    var blocks: [String] = []
    var current = ""
    current.reserveCapacity(size + 4096)
    for item in items {
      if !current.isEmpty { current += "\n" }
      current += item.text
      if current.utf8.count >= size {
        blocks.append(current)
        current = ""
        current.reserveCapacity(size + 4096)
      }
    }
    if !current.isEmpty { blocks.append(current) }
    return blocks
  }
}

/// The work tier 1 replaces or builds on, measured on the same corpus in the same run.
enum Baselines {
  /// ICU word segmentation of every block through Hegui's own C shim; returns the boundary count.
  static func segmentAll(_ boundaries: WordBoundaries, _ blocks: [String]) -> Int {
    var count = 0
    for block in blocks {
      count &+= (try? boundaries.boundaries(in: block).count) ?? 0
    }
    return count
  }

  /// Every pattern of every pattern rule over every block, one pattern at a time (PCRE2 JIT);
  /// returns the match count.
  static func patternsOneByOne(_ patterns: [Pattern], _ blocks: [String]) -> Int {
    var count = 0
    for pattern in patterns {
      for block in blocks {
        count &+= (try? pattern.matches(in: block).count) ?? 0
      }
    }
    return count
  }
}
