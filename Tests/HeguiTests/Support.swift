import Foundation
import Hegui
import Testing

/// Shared fixtures for the engine tests.
enum Fixtures {
  static let packageRoot = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

  static let sampleDirectory = packageRoot.appending(path: "Tests/Fixtures/rulesets/sample")

  /// The sample ruleset alone (every kind and path of the engine).
  static let sample: Ruleset = {
    do {
      return try Ruleset.load(directories: [sampleDirectory], includingShipped: false)
    } catch {
      Issue.record("sample ruleset does not load: \(error)")
      return Ruleset.empty
    }
  }()

  static let sampleChecker = Checker(ruleset: sample)

  /// Findings of one rule.
  static func findings(_ text: String, rule: String, context: CheckContext = CheckContext()) -> [Finding] {
    sampleChecker.check(text, context: context).findings.filter { $0.ruleID == rule }
  }

  /// Peak resident memory of this process in bytes (VmHWM).
  static func peakResidentBytes() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("VmHWM:") {
      let kb = line.split(separator: " ").compactMap { Int($0) }.first ?? 0
      return kb * 1024
    }
    return 0
  }
}

/// A small deterministic PRNG (SplitMix64) so randomised tests reproduce.
struct SplitMix64: RandomNumberGenerator {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// Held by the tests that build texts of tens of megabytes, one at a time: the 50 MB test bounds
/// this process's peak memory, which another such test running beside it would raise.
let heavyWork = NSLock()

/// Runs CPU- and memory-heavy test work on a thread of its own, one such test at a time
/// (``heavyWork``): the test's cooperative threads (two on a 2-core machine) stay free for other
/// suites' timers and timeouts.
func onOwnThread<T: Sendable>(_ body: @escaping @Sendable () -> T) async -> T {
  await withCheckedContinuation { continuation in
    Thread { continuation.resume(returning: heavyWork.withLock { body() }) }.start()
  }
}
