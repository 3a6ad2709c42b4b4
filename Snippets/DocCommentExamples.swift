// The code examples in the API documentation's comments, verbatim between `snippet` markers, so
// that `swift build` proves they compile. The functions are not called: they would open a queue
// file or call Tencent Cloud.
import Hegui
import HeguiReviewQueue
import HeguiTencentCloud

/// A stage of one's own (the `myModelStage` of `Pipeline`'s example).
struct MyModelStage: ModerationStage {
  let name = "my-model"
  func evaluate(_ item: ModerationItem, trail: [StageRecord]) async throws -> StageResult {
    StageResult(.escalate(reason: "unsure"))
  }
}

/// The stage `StageRegistry`'s example builds.
struct AllowListStage: ModerationStage {
  let name: String
  let phrases: [String]
  func evaluate(_ item: ModerationItem, trail: [StageRecord]) async throws -> StageResult {
    phrases.contains(item.text)
      ? StageResult(.pass(reason: "allow-listed")) : StageResult(.escalate(reason: "not listed"))
  }
}

func pipelineExample() async throws {
  let myModelStage = MyModelStage()
  // Pipeline:
  let pipeline = Pipeline(steps: [
    .init(RuleStage(checker: Checker(ruleset: try Ruleset.shipped()))),
    .init(myModelStage, timeout: .seconds(2)),
  ])
  let result = await pipeline.run(ModerationItem(id: "script.txt:3", text: "全网最低价"))
  print(result.outcome, result.decidedBy ?? "nobody")
}

// StageRegistry:
struct AllowListFactory: StageFactory {
  let type = "allowlist"
  let optionKeys = ["phrases"]
  func makeStage(_ definition: StageDefinition) throws -> any ModerationStage {
    AllowListStage(name: definition.name, phrases: try definition.options.strings("phrases") ?? [])
  }
}

func registryExample() {
  var registry = StageRegistry.standard
  registry.register(AllowListFactory())
  // TencentStageFactory.register(in:):
  TencentStageFactory.register(in: &registry)
}

func reviewQueueExample() async throws {
  // ReviewQueue:
  let queue = try ReviewQueue.open(path: "review.sqlite")
  if let ticket = try await queue.claim(reviewer: "王审核", lease: .seconds(1800)) {
    try await queue.decide(ticket: ticket.id, reviewer: "王审核", verdict: .reject, note: "绝对化用语")
  }
}

func textModerationClientExample() async throws {
  // TextModerationClient:
  let client = try TextModerationClient(credentials: .fromEnvironment())
  let result = try await client.moderate("加我好友 给你优惠券")
  try await client.shutdown()
  _ = result
}

print("the documentation comments' examples compile")
