// The escalation pipeline in code: local rules first, then a stage of your own.
import Hegui

// snippet.show
/// A stage of your own: here, one that sends every item it sees to a person.
struct AskAPerson: ModerationStage {
  let name = "ask-a-person"

  func evaluate(_ item: ModerationItem, trail: [StageRecord]) async throws -> StageResult {
    StageResult(.pending(ticket: nil, reason: "a person decides"))
  }
}

let pipeline = Pipeline(steps: [
  .init(RuleStage(checker: Checker(ruleset: try Ruleset.shipped()))),
  .init(AskAPerson(), timeout: .seconds(2)),
])
for text in ["欢迎来到直播间", "全网最低价", "本店最新款"] {
  let result = await pipeline.run(ModerationItem(id: text, text: text))
  print(text, result.outcome.name, result.decidedBy ?? "nobody")  // pass rules / block rules / pending …
}
// snippet.end
