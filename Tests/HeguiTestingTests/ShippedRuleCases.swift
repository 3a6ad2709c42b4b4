import Foundation
import Hegui
import HeguiTesting
import Testing

/// The shipped rules' regression cases, loaded once from `Rulesets/` on disk.
enum ShippedRuleCases {
  static let rulesetsDirectory = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    .appending(path: "Rulesets")

  static let runner: RuleTestRunner? = {
    do {
      return RuleTestRunner(ruleset: try Ruleset.load(directories: [rulesetsDirectory], includingShipped: false))
    } catch {
      Issue.record("the shipped rulesets do not load: \(error)")
      return nil
    }
  }()

  static let allCases: [String: [RuleCase]] = {
    guard let runner else { return [:] }
    return Dictionary(grouping: runner.cases().cases, by: \.ruleID)
  }()

  static func cases(for ruleID: String) -> [RuleCase] {
    allCases[ruleID] ?? []
  }

  static func verify(_ testCase: RuleCase) {
    guard let runner else { return }
    let result = runner.run(testCase)
    for failure in result.failures {
      Issue.record(
        "\(testCase)\n  \(failure.kind.rawValue): \(failure.detail)",
        sourceLocation: Testing.SourceLocation(
          fileID: "Rulesets/\(testCase.location.path)", filePath: testCase.location.path,
          line: testCase.location.line, column: testCase.location.column))
    }
  }
}

@Suite("Shipped rulesets")
struct ShippedRulesetTests {
  @Test("every shipped rule has generated tests and cases")
  func everyRuleIsTested() throws {
    let runner = try #require(ShippedRuleCases.runner)
    let generated = Set(GeneratedRuleCases.ruleIDs)
    for rule in runner.ruleset.rules {
      #expect(generated.contains(rule.id), "rule \(rule.id) has no generated test function")
      #expect(!ShippedRuleCases.cases(for: rule.id).isEmpty, "rule \(rule.id) has no cases")
    }
    #expect(generated.count == runner.ruleset.rules.count)
  }

  @Test("the shipped rulesets pass their gates")
  func gates() throws {
    let runner = try #require(ShippedRuleCases.runner)
    let failures = runner.gates()
    #expect(failures.isEmpty, "\(failures.map(\.description).joined(separator: "\n"))")
  }

  @Test("the corpus files match their expectations")
  func corpus() throws {
    let runner = try #require(ShippedRuleCases.runner)
    for corpus in CorpusCase.find(in: ShippedRuleCases.rulesetsDirectory) {
      let outcome = corpus.run(with: runner.checker)
      #expect(
        outcome.passed,
        "\(corpus.textURL.lastPathComponent): \(outcome.error ?? "") missing \(outcome.missing) unexpected \(outcome.unexpected)"
      )
    }
  }

  @Test("the embedded rulesets are the files in Rulesets/")
  func embeddedMatchesDisk() throws {
    let shipped = try Ruleset.shipped()
    let disk = try Ruleset.load(directories: [ShippedRuleCases.rulesetsDirectory], includingShipped: false)
    #expect(shipped.rules.map(\.id) == disk.rules.map(\.id))
    #expect(shipped.categories.map(\.id) == disk.categories.map(\.id))
  }
}
