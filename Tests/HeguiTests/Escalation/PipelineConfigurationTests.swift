import Foundation
import Hegui
import Testing

@Suite("Pipeline files")
struct PipelineConfigurationTests {
  /// `rules` plus stand-ins for `tencent` and `review`, whose real factories live in other modules.
  static var registry: StageRegistry {
    var registry = StageRegistry.standard
    registry.register(type: "tencent", optionKeys: ["region", "biz_type", "endpoint"]) { definition in
      FixedStage(name: definition.name, outcome: .pass(reason: "cloud says pass"))
    }
    registry.register(type: "review", optionKeys: ["database"]) { definition in
      FixedStage(name: definition.name, outcome: .pending(ticket: "1", reason: "queued"))
    }
    return registry
  }

  static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().deletingLastPathComponent()

  func expectError(
    _ yaml: String, registry: StageRegistry = Self.registry, code: HeguiError.Code = .invalidConfiguration,
    at place: String, containing text: String, sourceLocation: Testing.SourceLocation = #_sourceLocation
  ) {
    do {
      _ = try PipelineConfiguration.parse(yaml, path: "p.yml").makePipeline(registry: registry, environment: [:])
      Issue.record("expected an error", sourceLocation: sourceLocation)
    } catch {
      #expect(error.code == code, sourceLocation: sourceLocation)
      #expect(error.location?.description == place, "\(error)", sourceLocation: sourceLocation)
      #expect(error.message.contains(text), "\(error)", sourceLocation: sourceLocation)
    }
  }

  @Test("Examples/pipeline.yml: rules, then tencent when credentials are set, then review")
  func examplePipeline() async throws {
    let url = Self.packageRoot.appendingPathComponent("Examples/pipeline.yml")
    let configuration = try PipelineConfiguration.load(contentsOf: url)
    #expect(configuration.stages.map(\.type) == ["rules", "tencent", "review"])
    #expect(
      configuration.stages[1].condition?.environmentVariables == ["TENCENTCLOUD_SECRET_ID", "TENCENTCLOUD_SECRET_KEY"])
    #expect(configuration.stages[1].timeout == .seconds(15))

    let withoutCredentials = try configuration.makePipeline(registry: Self.registry, environment: [:])
    #expect(withoutCredentials.problems.isEmpty)
    let pending = await withoutCredentials.run(ModerationItem(id: "1", text: "这款是我们家最好用的一款"))
    #expect(pending.trail.map(\.stage) == ["rules", "tencent", "review"])
    #expect(pending.trail[1].status == .skipped)
    #expect(pending.trail[1].outcome.reason == "skipped: TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY are not set")
    #expect(pending.ticket == "1")

    let withCredentials = try configuration.makePipeline(
      registry: Self.registry, environment: ["TENCENTCLOUD_SECRET_ID": "id", "TENCENTCLOUD_SECRET_KEY": "key"])
    let passed = await withCredentials.run(ModerationItem(id: "1", text: "这款是我们家最好用的一款"))
    #expect(passed.decidedBy == "tencent")

    let blocked = await withCredentials.run(ModerationItem(id: "2", text: "全网最低价！"))
    #expect(blocked.decidedBy == "rules")
    #expect(blocked.outcome.name == "block")
  }

  @Test("an empty environment variable does not meet a when condition")
  func emptyVariable() {
    let condition = StageCondition(environmentVariables: ["A", "B"])
    #expect(condition.unmetReason(in: ["A": "x", "B": ""]) == "B is not set")
    #expect(condition.unmetReason(in: ["A": "x", "B": "y"]) == nil)
  }

  @Test("options reach the factory as values with their places in the file")
  func optionsReachFactory() throws {
    let yaml = """
      version: 1
      stages:
        - type: custom
          name: my-model
          timeout_ms: 250
          threshold: 0.8
          labels: [Ad, Polity]
          endpoint: {host: example.invalid, port: 8443}
          enabled: true
      """
    let box = DefinitionBox()
    var registry = StageRegistry()
    registry.register(type: "custom", optionKeys: ["threshold", "labels", "endpoint", "enabled"]) { definition in
      box.set(definition)
      return FixedStage(name: definition.name, outcome: .pass(reason: "ok"))
    }
    let pipeline = try PipelineConfiguration.parse(yaml, path: "p.yml").makePipeline(
      registry: registry, environment: ["X": "1"])
    #expect(pipeline.steps.map(\.name) == ["my-model"])
    #expect(pipeline.steps.first?.timeout == .milliseconds(250))
    let definition = try #require(box.get())
    #expect(definition.name == "my-model")
    #expect(definition.environment == ["X": "1"])
    #expect(try definition.options.double("threshold") == 0.8)
    #expect(try definition.options.strings("labels") == ["Ad", "Polity"])
    #expect(try definition.options.bool("enabled") == true)
    #expect(definition.options["endpoint"] == .mapping(["host": .scalar("example.invalid"), "port": .scalar("8443")]))
    #expect(definition.options.location(of: "threshold").description == "p.yml:6:16")
    #expect(throws: HeguiError.self) { try definition.options.int("threshold") }
    let error = #expect(throws: HeguiError.self) { try definition.options.requiredString("missing") }
    #expect(error?.location?.description == "p.yml:3:5")
  }

  @Test("unknown keys, types and versions are errors with file:line:column")
  func errors() {
    expectError(
      "version: 1\nstage: []\n", at: "p.yml:2:1",
      containing: "unknown key 'stage' in a pipeline file (did you mean 'stages'?)")
    expectError(
      "version: 2\nstages: []\n", code: .unsupportedVersion, at: "p.yml:1:10", containing: "version 2 is not supported")
    expectError("stages: []\n", at: "p.yml:1:1", containing: "missing required key 'version'")
    expectError(
      "version: 1\nstages:\n  - type: rulez\n", at: "p.yml:3:11",
      containing: "unknown stage type 'rulez' (did you mean 'rules'?)")
    expectError(
      "version: 1\nstages:\n  - type: rules\n    escalate_al: info\n", at: "p.yml:4:5",
      containing: "unknown key 'escalate_al' in a 'rules' stage (did you mean 'escalate_at'?)")
    expectError("version: 1\nstages:\n  - name: x\n", at: "p.yml:3:5", containing: "missing required key 'type'")
    expectError("version: 1\nstages:\n  - type: rules\n    timeout_ms: -3\n", at: "p.yml:4:17", containing: "positive")
    expectError(
      "version: 1\nstages:\n  - type: rules\n    when: {envs: [A]}\n", at: "p.yml:4:12",
      containing: "unknown key 'envs'")
    expectError(
      "version: 1\nstages:\n  - type: rules\n  - type: rules\n", at: "p.yml:4:5",
      containing: "two stages are named 'rules'")
    expectError("version: 1\nstages:\n  - type: [rules\n", at: "p.yml:4:1", containing: "invalid YAML")
    expectError("version: 1\nstages: {type: rules}\n", at: "p.yml:2:9", containing: "stages must be a list")
  }

  @Test("a stage whose factory fails is unavailable: items escalate past it, and the problem is reported")
  func factoryFailureFailsClosed() async throws {
    let yaml = """
      version: 1
      stages:
        - type: rules
          block_at: blok
        - type: review
      """
    let pipeline = try PipelineConfiguration.parse(yaml, path: "p.yml").makePipeline(
      registry: Self.registry, environment: [:])
    #expect(pipeline.problems.count == 1)
    #expect(
      pipeline.problems.first?.description
        == "p.yml:4:15: 'block_at' must be one of info, review, block, never, found 'blok' (did you mean 'block'?)")
    let result = await pipeline.run(ModerationItem(id: "1", text: "全网最低价"))
    #expect(result.trail.first?.status == .unavailable)
    #expect(result.decidedBy == "review")
    #expect(result.outcome.name == "pending")
  }

  @Test("rules options: thresholds, rule selection, extra ruleset folders relative to the file")
  func rulesOptions() async throws {
    let directory = FileManager.default.temporaryDirectory.appendingPathComponent("hegui-pipeline-\(UUID().uuidString)")
    try FileManager.default.createDirectory(
      at: directory.appendingPathComponent("rules"), withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: directory) }
    try EscalationFixtures.rulesetYAML.write(
      to: directory.appendingPathComponent("rules/test.yml"), atomically: true, encoding: .utf8)
    let yaml = """
      version: 1
      stages:
        - type: rules
          rulesets: [rules]
          include_shipped: false
          disable: [test.block]
          block_at: never
          escalate_at: info
      """
    try yaml.write(to: directory.appendingPathComponent("pipeline.yml"), atomically: true, encoding: .utf8)
    let configuration = try PipelineConfiguration.load(contentsOf: directory.appendingPathComponent("pipeline.yml"))
    let pipeline = try configuration.makePipeline(environment: [:])
    #expect(pipeline.problems.isEmpty)
    #expect(await pipeline.run(ModerationItem(id: "1", text: "全网最低价")).outcome.name == "pass")
    #expect(await pipeline.run(ModerationItem(id: "2", text: "全国包邮")).outcome.name == "pending")
  }

  @Test("escalate_at above block_at is a configuration problem")
  func inconsistentThresholds() throws {
    let yaml = "version: 1\nstages:\n  - type: rules\n    block_at: review\n    escalate_at: block\n"
    let pipeline = try PipelineConfiguration.parse(yaml, path: "p.yml").makePipeline(environment: [:])
    #expect(pipeline.problems.first?.message.contains("escalate_at (block) is above block_at (review)") == true)
  }

  @Test("a factory's non-Hegui error is wrapped with the stage's place")
  func foreignFactoryError() throws {
    struct Boom: Error {}
    var registry = StageRegistry()
    registry.register(type: "custom") { _ in throw Boom() }
    let pipeline = try PipelineConfiguration.parse("version: 1\nstages:\n  - type: custom\n", path: "p.yml")
      .makePipeline(registry: registry, environment: [:])
    #expect(pipeline.problems.first?.description.hasPrefix("p.yml:3:5: stage 'custom' cannot be built") == true)
  }
}

final class DefinitionBox: @unchecked Sendable {
  private let lock = NSLock()
  private var definition: StageDefinition?

  func set(_ definition: StageDefinition) {
    lock.withLock { self.definition = definition }
  }

  func get() -> StageDefinition? {
    lock.withLock { definition }
  }
}
