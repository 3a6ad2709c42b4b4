public import Hegui

/// A stand-in for a team's own model: scores a text by weighted keywords and decides by
/// thresholds. Replace `score(_:)` with a call to your model server; the rest stays the same.
///
/// - score ≥ `blockScore` → block
/// - score ≤ `passScore` → pass
/// - anything between → escalate (the next stage, usually human review, decides)
public struct KeywordModelStage: ModerationStage {
  /// The name shown in trails.
  public let name: String
  /// Keyword → weight; a text's score is the sum of the weights of the keywords it contains.
  public let weights: [String: Double]
  /// The lowest score that blocks.
  public let blockScore: Double
  /// The highest score that passes.
  public let passScore: Double

  /// Creates the stage.
  public init(name: String, weights: [String: Double], blockScore: Double, passScore: Double) {
    self.name = name
    self.weights = weights
    self.blockScore = blockScore
    self.passScore = passScore
  }

  /// Scores the item and decides; each keyword found becomes a finding.
  public func evaluate(_ item: ModerationItem, trail: [StageRecord]) async throws -> StageResult {
    let hits = weights.keys.sorted().filter { item.text.contains($0) }
    let score = hits.reduce(0) { $0 + (weights[$1] ?? 0) }
    let findings = hits.map {
      FindingRecord(
        rule: "keyword-model.\($0)", severity: .review, match: $0, message: "模型关键词「\($0)」，权重 \(weights[$0] ?? 0)")
    }
    let summary = "score \(score) (block ≥ \(blockScore), pass ≤ \(passScore))"
    if score >= blockScore { return StageResult(.block(reason: "model: \(summary)"), findings: findings) }
    if score <= passScore { return StageResult(.pass(reason: "model: \(summary)"), findings: findings) }
    return StageResult(.escalate(reason: "model unsure: \(summary)"), findings: findings)
  }
}

/// Builds `type: keyword-model` stages from a pipeline file.
///
/// ```yaml
/// - type: keyword-model
///   weights: {根治: 0.9, 保证: 0.6}
///   block_score: 0.8
///   pass_score: 0.3
/// ```
public struct KeywordModelFactory: StageFactory {
  /// `keyword-model`.
  public let type = "keyword-model"
  /// The options this stage type accepts; any other key is an error naming file:line:column.
  public let optionKeys = ["weights", "block_score", "pass_score"]

  /// Creates the factory.
  public init() {}

  /// Reads the options (errors name their place in the pipeline file) and builds the stage.
  public func makeStage(_ definition: StageDefinition) throws -> any ModerationStage {
    let options = definition.options
    guard case let .mapping(raw)? = options["weights"] else {
      throw options.error("weights", "'weights' must be a mapping of keyword to weight")
    }
    var weights: [String: Double] = [:]
    for (keyword, value) in raw {
      guard case let .scalar(text) = value, let weight = Double(text) else {
        throw options.error("weights", "the weight of '\(keyword)' must be a number")
      }
      weights[keyword] = weight
    }
    let blockScore = try options.double("block_score") ?? 1
    let passScore = try options.double("pass_score") ?? 0
    guard passScore < blockScore else {
      throw options.error("pass_score", "pass_score (\(passScore)) must be below block_score (\(blockScore))")
    }
    return KeywordModelStage(name: definition.name, weights: weights, blockScore: blockScore, passScore: passScore)
  }
}
