import Hegui
import Testing

@Suite("Tier 1 as a stage (RuleStage)")
struct RuleStageTests {
  let stage = RuleStage(checker: EscalationFixtures.checker)

  @Test("a block finding blocks, with the finding in the result")
  func blockFindingBlocks() async throws {
    let result = try await stage.evaluate(EscalationFixtures.item("今天全网最低价，快下单"), trail: [])
    #expect(result.outcome.name == "block")
    #expect(result.outcome.reason.contains("test.block (全网最低价)"))
    #expect(result.findings.map(\.rule) == ["test.block"])
    #expect(result.findings.first?.utf8 == [6, 21])
    #expect(result.findings.first?.line == 1)
    #expect(result.findings.first?.column == 3)
  }

  @Test("a review finding escalates")
  func reviewFindingEscalates() async throws {
    let result = try await stage.evaluate(EscalationFixtures.item("这是本店最新款"), trail: [])
    #expect(result.outcome == .escalate(reason: "1 finding at review or above: test.review (最新款); a person must judge"))
    #expect(result.findings.map(\.severity) == [.review])
  }

  @Test("clean text passes; info findings are kept but do not hold it back")
  func cleanPasses() async throws {
    let clean = try await stage.evaluate(EscalationFixtures.item("欢迎来到直播间"), trail: [])
    #expect(clean.outcome == .pass(reason: "no finding at review or above"))
    #expect(clean.findings.isEmpty)
    let info = try await stage.evaluate(EscalationFixtures.item("全国包邮"), trail: [])
    #expect(info.outcome.name == "pass")
    #expect(info.findings.map(\.rule) == ["test.info"])
  }

  @Test("block wins over review in the same text")
  func blockWinsOverReview() async throws {
    let result = try await stage.evaluate(EscalationFixtures.item("最新款，全网最低价"), trail: [])
    #expect(result.outcome.name == "block")
    #expect(result.findings.count == 2)
  }

  @Test(
    "thresholds are configurable",
    arguments: [
      (Severity?.some(.review), Severity?.some(.info), "这是本店最新款", "block"),
      (.some(.block), .some(.info), "全国包邮", "escalate"),
      (nil, .some(.review), "今天全网最低价", "escalate"),
      (.some(.block), nil, "这是本店最新款", "pass"),
      (nil, nil, "今天全网最低价", "pass"),
    ])
  func thresholds(blockAt: Severity?, escalateAt: Severity?, text: String, expected: String) async throws {
    let stage = RuleStage(checker: EscalationFixtures.checker, blockAt: blockAt, escalateAt: escalateAt)
    let result = try await stage.evaluate(EscalationFixtures.item(text), trail: [])
    #expect(result.outcome.name == expected)
  }

  @Test("an incomplete check (unknown category) escalates instead of passing")
  func incompleteCheckEscalates() async throws {
    let item = ModerationItem(
      id: "x", text: "欢迎来到直播间", context: CheckContext(.livestream, category: "no-such-category"))
    let result = try await stage.evaluate(item, trail: [])
    #expect(result.outcome.name == "escalate")
    #expect(result.outcome.reason.contains("the check was incomplete"))
  }

  @Test("the shipped rules block 全网最低价 in a livestream line")
  func shippedRules() async throws {
    let stage = RuleStage(checker: Checker(ruleset: try Ruleset.shipped()))
    let result = try await stage.evaluate(EscalationFixtures.item("全网最低价！今天直播间只要89"), trail: [])
    #expect(result.outcome.name == "block")
  }
}
