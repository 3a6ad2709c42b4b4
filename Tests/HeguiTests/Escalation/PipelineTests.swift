import Foundation
import Hegui
import Testing

@Suite("Pipeline: order, trail, fail closed")
struct PipelineTests {
  let rules = RuleStage(checker: EscalationFixtures.checker)

  @Test("stops at the first final outcome; later stages do not run")
  func stopsAtFirstFinalOutcome() async {
    let later = TrailRecordingStage(name: "later")
    let pipeline = Pipeline(stages: [
      FixedStage(name: "a", outcome: .escalate(reason: "unsure")),
      FixedStage(name: "b", outcome: .block(reason: "no")),
      later,
    ])
    let result = await pipeline.run(EscalationFixtures.item("文本"))
    #expect(result.outcome == .block(reason: "no"))
    #expect(result.decidedBy == "b")
    #expect(result.trail.map(\.stage) == ["a", "b"])
    #expect(later.trails.isEmpty)
  }

  @Test("each stage receives the trail of earlier outcomes")
  func stagesSeeTheTrail() async {
    let recorder = TrailRecordingStage(name: "model")
    let pipeline = Pipeline(stages: [rules, recorder])
    let result = await pipeline.run(EscalationFixtures.item("本店最新款"))
    #expect(result.decidedBy == "model")
    let seen = recorder.trails.first ?? []
    #expect(seen.map(\.stage) == ["rules"])
    #expect(seen.first?.outcome.name == "escalate")
    #expect(seen.first?.findings.map(\.rule) == ["test.review"])
  }

  @Test("the result carries the whole trail: stage, outcome, reason, findings, timings, status")
  func resultCarriesTrail() async throws {
    let pipeline = Pipeline(stages: [
      rules, FixedStage(name: "review", outcome: .pending(ticket: "7", reason: "queued")),
    ])
    let result = await pipeline.run(EscalationFixtures.item("本店最新款"))
    #expect(result.outcome == .pending(ticket: "7", reason: "queued"))
    #expect(result.ticket == "7")
    #expect(result.decidedBy == "review")
    #expect(result.trail.count == 2)
    #expect(result.trail.allSatisfy { $0.status == .completed && $0.milliseconds >= 0 })
    #expect(result.findings.map(\.rule) == ["test.review"])
    #expect(result.milliseconds >= result.trail.map(\.milliseconds).reduce(0, +) * 0.5)
    // The result round-trips through JSON (it is stored in tickets and printed by the CLI).
    let data = try JSONEncoder().encode(result)
    #expect(try JSONDecoder().decode(PipelineResult.self, from: data) == result)
  }

  @Test("every tier is optional: rules alone decide block and pass")
  func rulesAlone() async {
    let pipeline = Pipeline(stages: [rules])
    #expect(await pipeline.run(EscalationFixtures.item("全网最低价")).outcome.name == "block")
    #expect(await pipeline.run(EscalationFixtures.item("欢迎")).outcome.name == "pass")
  }

  @Test("an escalation with no stage left is pending review with no ticket, never pass")
  func escalationWithNoStageLeftIsPending() async {
    let result = await Pipeline(stages: [rules]).run(EscalationFixtures.item("本店最新款"))
    guard case let .pending(ticket, reason) = result.outcome else {
      Issue.record("expected pending, got \(result.outcome)")
      return
    }
    #expect(ticket == nil)
    #expect(reason.contains("no stage left to decide after 'rules'"))
    #expect(result.decidedBy == nil)
  }

  @Test("an empty pipeline leaves every item pending")
  func emptyPipeline() async {
    let result = await Pipeline(stages: []).run(EscalationFixtures.item("欢迎"))
    #expect(result.outcome == .pending(ticket: nil, reason: "no stage is configured; a person must decide"))
    #expect(result.trail.isEmpty)
  }

  // MARK: Fail closed, for each position a stage can hold

  @Test("a stage that throws escalates to the next stage", arguments: [0, 1])
  func throwingStageEscalates(position: Int) async {
    var stages: [any ModerationStage] = [FixedStage(name: "first", outcome: .escalate(reason: "unsure"))]
    stages.insert(ThrowingStage(name: "model"), at: position)
    stages.append(FixedStage(name: "human", outcome: .pending(ticket: "1", reason: "queued")))
    let result = await Pipeline(stages: stages).run(EscalationFixtures.item("文本"))
    #expect(result.decidedBy == "human")
    let record = result.trail[position]
    #expect(record.stage == "model")
    #expect(record.status == .failed)
    #expect(record.outcome == .escalate(reason: "stage failed, escalated: model server unreachable"))
  }

  @Test("a throwing last stage leaves the item pending, never passed")
  func throwingLastStageIsPending() async {
    let result = await Pipeline(stages: [rules, ThrowingStage(name: "model")]).run(EscalationFixtures.item("本店最新款"))
    #expect(result.outcome.name == "pending")
    #expect(result.ticket == nil)
    #expect(result.trail.last?.status == .failed)
  }

  @Test("a throwing stage that would have been the only one leaves even clean text pending")
  func throwingOnlyStage() async {
    let result = await Pipeline(stages: [ThrowingStage(name: "model")]).run(EscalationFixtures.item("欢迎"))
    #expect(result.outcome.name == "pending")
  }

  @Test("a stage that times out escalates")
  func timeoutEscalates() async {
    let slow = SlowStage(name: "cloud", delay: .seconds(30))
    let pipeline = Pipeline(steps: [
      .init(slow, timeout: .milliseconds(50)),
      .init(FixedStage(name: "human", outcome: .pending(ticket: "2", reason: "queued"))),
    ])
    let result = await pipeline.run(EscalationFixtures.item("文本"))
    #expect(!slow.finished.isSet)
    #expect(result.decidedBy == "human")
    #expect(result.trail.first?.status == .timedOut)
    #expect(result.trail.first?.outcome == .escalate(reason: "stage timed out after 50 ms, escalated"))
  }

  @Test("a stage that ignores cancellation cannot hold the pipeline past its timeout")
  func timeoutDoesNotWaitForUncooperativeStage() async {
    let blocking = SlowStage(name: "blocking", delay: .seconds(20), ignoresCancellation: true)
    let pipeline = Pipeline(steps: [.init(blocking, timeout: .milliseconds(50))])
    let result = await pipeline.run(EscalationFixtures.item("文本"))
    // The stage is still running: the pipeline moved on without waiting for it.
    #expect(!blocking.finished.isSet)
    #expect(result.outcome.name == "pending")
    #expect(result.trail.first?.status == .timedOut)
  }

  @Test("a stage that answers within its timeout is not disturbed")
  func answerWithinTimeout() async {
    let pipeline = Pipeline(steps: [.init(SlowStage(name: "cloud", delay: .milliseconds(10)), timeout: .seconds(10))])
    let result = await pipeline.run(EscalationFixtures.item("文本"))
    #expect(result.outcome == .pass(reason: "slow but fine"))
    #expect(result.trail.first?.status == .completed)
  }

  @Test("a misconfigured (unavailable) stage escalates to the next stage")
  func unavailableStageEscalates() async {
    let pipeline = Pipeline(steps: [
      .unavailable(name: "cloud", reason: "pipeline.yml:4:5: missing required option 'region'"),
      .init(FixedStage(name: "human", outcome: .pending(ticket: "3", reason: "queued"))),
    ])
    let result = await pipeline.run(EscalationFixtures.item("文本"))
    #expect(result.decidedBy == "human")
    #expect(result.trail.first?.status == .unavailable)
    #expect(result.trail.first?.outcome.name == "escalate")
    #expect(result.trail.first?.outcome.reason.contains("missing required option 'region'") == true)
  }

  @Test("a misconfigured last stage leaves the item pending")
  func unavailableLastStage() async {
    let result = await Pipeline(steps: [.unavailable(name: "review", reason: "no database")]).run(
      EscalationFixtures.item("欢迎"))
    #expect(result.outcome.name == "pending")
  }

  @Test("a skipped stage is recorded and the next stage decides")
  func skippedStage() async {
    let pipeline = Pipeline(steps: [
      .init(rules),
      .skipped(name: "tencent", reason: "TENCENTCLOUD_SECRET_ID is not set"),
      .init(FixedStage(name: "review", outcome: .pending(ticket: "4", reason: "queued"))),
    ])
    let result = await pipeline.run(EscalationFixtures.item("本店最新款"))
    #expect(result.trail.map(\.stage) == ["rules", "tencent", "review"])
    #expect(result.trail[1].status == .skipped)
    #expect(result.trail[1].outcome == .escalate(reason: "skipped: TENCENTCLOUD_SECRET_ID is not set"))
  }

  @Test("a cancelled run fails closed")
  func cancelledRun() async {
    let pipeline = Pipeline(steps: [.init(SlowStage(name: "cloud", delay: .seconds(30)), timeout: .seconds(60))])
    let task = Task { await pipeline.run(EscalationFixtures.item("文本")) }
    try? await Task.sleep(for: .milliseconds(20))
    task.cancel()
    let result = await task.value
    #expect(result.outcome.name == "pending")
    #expect(result.trail.first?.status == .failed)
    #expect(result.trail.first?.outcome.reason.contains("cancelled") == true)
  }

  @Test("pipelines are shareable across concurrent runs")
  func concurrentRuns() async {
    let pipeline = Pipeline(stages: [rules])
    let outcomes = await withTaskGroup(of: String.self) { group in
      for i in 0..<200 {
        group.addTask {
          await pipeline.run(EscalationFixtures.item(i % 2 == 0 ? "全网最低价" : "欢迎", id: "\(i)")).outcome.name
        }
      }
      var names: [String] = []
      for await name in group { names.append(name) }
      return names
    }
    #expect(outcomes.filter { $0 == "block" }.count == 100)
    #expect(outcomes.filter { $0 == "pass" }.count == 100)
  }
}
