import Foundation
import Hegui
import HeguiReviewQueue
import Testing

@Suite("Review stage in a pipeline")
struct ReviewStageTests {
  static let rulesYAML = """
    version: 1
    pack: test
    name: 测试规则
    rules:
      - id: test.review
        kind: lexicon
        severity: review
        message: 需人工判断「{match}」
        basis: 测试依据
        terms: [最好用]
        examples:
          trigger: [我们家⟦最好用⟧的一款]
          pass: [好用]
    """

  func pipeline(_ queue: ReviewQueue) throws -> Pipeline {
    let ruleset = try Ruleset.load(files: ["test.yml": Self.rulesYAML])
    return Pipeline(stages: [RuleStage(checker: Checker(ruleset: ruleset)), ReviewStage(queue: queue)])
  }

  @Test("an escalated item is pending with its ticket; the ticket holds the rule findings and trail")
  func pendingWithTicket() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let queue = try ReviewQueue.open(path: folder.path("q.sqlite"))
    let pipeline = try pipeline(queue)
    let result = await pipeline.run(ModerationItem(id: "s.txt:3", text: "这是我们家最好用的一款"))
    #expect(result.outcome == .pending(ticket: "1", reason: "waiting for human review as ticket #1"))
    #expect(result.decidedBy == "review")
    let ticket = try #require(try await queue.ticket(1))
    #expect(ticket.findings.map(\.rule) == ["test.review"])
    #expect(ticket.trail.map(\.stage) == ["rules"])
    let duplicate = await pipeline.run(ModerationItem(id: "s.txt:9", text: "这是我们家最好用的一款"))
    #expect(
      duplicate.outcome == .pending(ticket: "1", reason: "the same text already waits for human review as ticket #1"))
    // Clean text never reaches the queue.
    #expect(await pipeline.run(ModerationItem(id: "s.txt:4", text: "欢迎来到直播间")).outcome.name == "pass")
    #expect(try await queue.tickets().count == 1)
  }

  @Test(
    "a decided text is answered from precedent, and the trail says so",
    arguments: [
      (ReviewVerdict.approve, "", "pass", "(approve)"),
      (.reject, "绝对化用语", "block", "(reject): 绝对化用语"),
      (.requireEdit, "改为「很好用」", "block", "(require edit): 改为「很好用」"),
    ])
  func precedent(verdict: ReviewVerdict, note: String, outcome: String, reasonEnd: String) async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let queue = try ReviewQueue.open(path: folder.path("q.sqlite"))
    let pipeline = try pipeline(queue)
    _ = await pipeline.run(ModerationItem(id: "a", text: "这是我们家最好用的一款"))
    try await queue.decide(ticket: 1, reviewer: "王审核", verdict: verdict, note: note)
    let result = await pipeline.run(ModerationItem(id: "b", text: "这是我们家最好用的一款"))
    #expect(result.outcome.name == outcome)
    #expect(result.decidedBy == "review")
    #expect(result.outcome.reason.hasPrefix("precedent: ticket #1, the same text, was decided by 王审核 at "))
    #expect(result.outcome.reason.hasSuffix(reasonEnd))
    #expect(try await queue.tickets(in: Set(TicketState.allCases)).count == 1)
  }

  @Test("fail closed: a review stage whose queue fails leaves the item pending without a ticket, never passed")
  func failingQueue() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let queue = try ReviewQueue.open(path: folder.path("q.sqlite"))
    let pipeline = try pipeline(queue)
    try queue.close()
    let result = await pipeline.run(ModerationItem(id: "a", text: "这是我们家最好用的一款"))
    #expect(result.outcome.name == "pending")
    #expect(result.ticket == nil)
    #expect(result.trail.last?.stage == "review")
    #expect(result.trail.last?.status == .failed)
  }

  @Test("fail closed: a review stage that times out escalates")
  func timeout() async throws {
    struct Stalled: ModerationStage {
      let name = "review"
      func evaluate(_ item: ModerationItem, trail: [StageRecord]) async throws -> StageResult {
        try await Task.sleep(for: .seconds(30))
        return StageResult(.pass(reason: "never"))
      }
    }
    let result = await Pipeline(steps: [.init(Stalled(), timeout: .milliseconds(30))]).run(
      ModerationItem(id: "a", text: "x"))
    #expect(result.outcome.name == "pending")
    #expect(result.trail.first?.status == .timedOut)
  }

  @Test(
    "pipeline files build review stages: the CLI's queue, or the file's 'database' relative to it; misconfigured ones fail closed"
  )
  func factory() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    let file = folder.url.appendingPathComponent("pipeline.yml")
    try "version: 1\nstages:\n  - type: review\n    database: queue.sqlite\n".write(
      to: file, atomically: true, encoding: .utf8)
    var registry = StageRegistry.standard
    registry.registerReviewStage()
    let pipeline = try PipelineConfiguration.load(contentsOf: file).makePipeline(registry: registry, environment: [:])
    #expect(pipeline.problems.isEmpty)
    #expect(await pipeline.run(ModerationItem(id: "a", text: "第一条")).ticket == "1")
    #expect(FileManager.default.fileExists(atPath: folder.path("queue.sqlite")))

    let shared = try ReviewQueue.open(path: folder.path("other.sqlite"))
    var withQueue = StageRegistry.standard
    withQueue.registerReviewStage(queue: shared)
    let viaCLI = try PipelineConfiguration.load(contentsOf: file).makePipeline(registry: withQueue, environment: [:])
    #expect(await viaCLI.run(ModerationItem(id: "a", text: "第一条")).ticket == "1")
    #expect(try await shared.tickets().count == 1)

    _ = FileManager.default.createFile(atPath: folder.path("foreign.sqlite"), contents: Data("not a queue".utf8))
    let misconfigured = try PipelineConfiguration.parse(
      "version: 1\nstages:\n  - type: review\n    database: foreign.sqlite\n  - type: review\n    name: second\n",
      path: "p.yml",
      baseDirectory: folder.url
    ).makePipeline(registry: registry, environment: [:])
    #expect(misconfigured.problems.count == 2)
    #expect(misconfigured.problems[0].description.contains("p.yml:4:15: the review queue cannot be opened"))
    #expect(
      misconfigured.problems[1].description.contains("needs a review queue: add 'database: FILE' to it, or give --db"))
    let result = await misconfigured.run(ModerationItem(id: "a", text: "第一条"))
    #expect(result.outcome == .pending(ticket: nil, reason: result.outcome.reason))
    #expect(result.trail.map(\.status) == [.unavailable, .unavailable])
  }
}
