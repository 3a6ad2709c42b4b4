import Dispatch
import Hegui
import Synchronization
import Testing

@Suite("Checker, shared across threads")
struct CheckerConcurrencyTests {
  @Test("one checker on many threads finds exactly what it finds on one")
  func sharedChecker() throws {
    let ruleset = try Ruleset.shipped()
    let checker = Checker(ruleset: ruleset)
    let examples = ruleset.rules.flatMap { $0.triggerExamples + $0.passExamples }
    let inputs = examples.map {
      ($0.text, CheckContext($0.context, shopSubject: $0.shopSubject, category: $0.category, licences: $0.licences))
    }
    let expected = inputs.map { checker.check($0.0, context: $0.1) }
    let mismatches = Atomic<Int>(0)
    // Threads outside the cooperative pool; each checks every input, starting at a different one.
    DispatchQueue.concurrentPerform(iterations: 8) { worker in
      for k in 0..<inputs.count {
        let index = (k + worker * 37) % inputs.count
        if checker.check(inputs[index].0, context: inputs[index].1) != expected[index] {
          mismatches.add(1, ordering: .relaxed)
        }
      }
    }
    #expect(mismatches.load(ordering: .relaxed) == 0)
  }

  @Test("reused buffers do not leak one check into the next")
  func reuse() throws {
    let checker = Checker(ruleset: try Ruleset.shipped())
    let long = String(repeating: "今天的福利款，全网最低价，加我微信领券。\n", count: 5_000)
    let short = "最近天气变冷了"
    #expect(checker.check(short).findings.isEmpty)
    #expect(!checker.check(long).findings.isEmpty)
    #expect(checker.check(short).findings.isEmpty)
    #expect(checker.check("").findings.isEmpty)
  }
}
