import DownstreamRules
import Hegui
import HeguiTesting
import Testing

/// The same regression suite Hegui runs on its own rules, over this company's packs.
@Suite("Company rules")
struct DownstreamRulesTests {
  static let runner: RuleTestRunner? = try? RuleTestRunner(ruleset: DownstreamRules.ruleset())

  static var companyCases: [RuleCase] {
    guard let runner else { return [] }
    let ids = runner.ruleset.rules.filter { $0.pack == "acme" }.map(\.id)
    return runner.cases(rules: ids).cases
  }

  @Test("the company rules load")
  func loads() throws {
    let runner = try #require(Self.runner)
    #expect(runner.ruleset.rules.contains { $0.id == "acme.competitor-names" })
  }

  @Test("every example and variant of the company rules", arguments: companyCases)
  func example(_ testCase: RuleCase) throws {
    let runner = try #require(Self.runner)
    let result = runner.run(testCase)
    #expect(result.passed, "\(result.failures.map(\.description).joined(separator: "\n"))")
  }

  @Test("the company rules pass the gates")
  func gates() throws {
    let runner = try #require(Self.runner)
    #expect(runner.gates(rules: ["acme"]).isEmpty)
  }
}
