import Foundation
import Hegui
import HeguiReviewQueue
import HeguiTencentCloud
import HeguiTencentCloudTestSupport
import Testing

/// Whole pipelines built from a pipeline file, with tier 3 over real HTTP to the fake server and
/// tier 2 in a real SQLite review queue.
@Suite("Pipelines with the tencent stage")
struct PipelineIntegrationTests {
  /// Tier 1 finds only a `review` finding here (独家, context-dependent): it escalates. The fake
  /// answers Block for 优惠券.
  static let text = "独家配方，今天领优惠券"

  static let pipelineFile = """
    version: 1
    stages:
      - type: rules
      - type: tencent
        when: {env: [TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY]}
        timeout_ms: 10000
        biz_type: ecommerce_live
        max_attempts: 2
        backoff_base_ms: 1
      - type: review
    """

  /// Runs `body` with a fake server, a fresh review queue and the environment pointing at both.
  func withPipeline(
    file: String = pipelineFile,
    _ body: (FakeTMSServer, ReviewQueue, Pipeline) async throws -> Void
  ) async throws {
    let server = try await FakeTMSServer.start()
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hegui-tencent-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    let queue = try ReviewQueue.open(path: folder.appendingPathComponent("queue.sqlite").path)
    do {
      var registry = StageRegistry.standard
      registry.registerTencentStage()
      registry.registerReviewStage(queue: queue)
      let environment = [
        "TENCENTCLOUD_SECRET_ID": FakeTMSServer.secretID, "TENCENTCLOUD_SECRET_KEY": FakeTMSServer.secretKey,
        "HEGUI_TMS_ENDPOINT": server.endpoint,
      ]
      let pipeline = try PipelineConfiguration.parse(file, path: "pipeline.yml").makePipeline(
        registry: registry, environment: environment)
      #expect(pipeline.problems.isEmpty, "\(pipeline.problems)")
      try await body(server, queue, pipeline)
      try queue.close()
      try await server.stop()
    } catch {
      try? queue.close()
      try? await server.stop()
      throw error
    }
  }

  @Test("tier 1 escalates, tier 3 decides: blocked by tencent, with its finding on the original span")
  func tier3Decides() async throws {
    try await withPipeline { server, queue, pipeline in
      let result = await pipeline.run(ModerationItem(id: "script.txt:1", text: Self.text))
      #expect(result.outcome.name == "block")
      #expect(result.decidedBy == "tencent")
      #expect(result.trail.map(\.stage) == ["rules", "tencent"])
      #expect(result.trail.map(\.outcome.name) == ["escalate", "block"])
      #expect(result.trail[0].findings.map(\.rule) == ["adlaw.absolute.context-dependent"])
      let finding = try #require(result.trail[1].findings.first)
      #expect(finding.rule == "tencent.Ad")
      #expect(finding.severity == .block)
      #expect(finding.match == "优惠券")
      #expect(finding.column == 9)
      let utf8 = Array(Self.text.utf8)
      let range = try #require(finding.utf8)
      #expect(String(decoding: utf8[range[0]..<range[1]], as: UTF8.self) == "优惠券")

      let request = try #require(server.requests.first)
      #expect(server.requests.count == 1)
      #expect(request.answer == "OK")
      #expect(request.decodedContent == Self.text)
      #expect(request.bodyString("BizType") == "ecommerce_live")
      #expect(request.bodyString("DataId") == "script_txt_1")
      let tickets = try await queue.tickets()
      #expect(tickets.isEmpty)
    }
  }

  @Test("tier 3 fails: the item lands in the review queue, pending, with the failure in its trail")
  func tier3FailsToReview() async throws {
    try await withPipeline { server, queue, pipeline in
      server.inject(.internalError, times: 2)
      let result = await pipeline.run(ModerationItem(id: "script.txt:2", text: Self.text))
      #expect(result.outcome.name == "pending")
      #expect(result.decidedBy == "review")
      #expect(result.trail.map(\.stage) == ["rules", "tencent", "review"])
      #expect(result.trail[1].outcome.name == "escalate")
      #expect(result.trail[1].outcome.reason.contains("InternalError"))
      #expect(!result.trail[1].outcome.reason.contains(FakeTMSServer.secretKey))
      #expect(server.requests.count == 2)
      let ticketID = try #require(result.ticket)
      let tickets = try await queue.tickets()
      #expect(tickets.count == 1)
      let ticket = try #require(tickets.first)
      #expect(String(ticket.id) == ticketID)
      #expect(ticket.item.text == Self.text)
      #expect(ticket.trail.map(\.stage) == ["rules", "tencent"])
    }
  }

  @Test("an authentication failure also sends the item to review, after one request")
  func authFailureToReview() async throws {
    try await withPipeline { server, queue, pipeline in
      server.inject(.unauthorized)
      let result = await pipeline.run(ModerationItem(id: "script.txt:3", text: Self.text))
      #expect(result.outcome.name == "pending")
      #expect(result.trail[1].outcome.reason.contains("UnauthorizedOperation.Unauthorized"))
      #expect(server.requests.count == 1)
      let tickets = try await queue.tickets()
      #expect(tickets.count == 1)
    }
  }

  @Test("HEGUI_TMS_REGION overrides the file's region")
  func regionFromEnvironment() async throws {
    let server = try await FakeTMSServer.start()
    var registry = StageRegistry()
    registry.registerTencentStage()
    let file = """
      version: 1
      stages:
        - type: tencent
          region: ap-beijing
      """
    let environment = [
      "TENCENTCLOUD_SECRET_ID": FakeTMSServer.secretID, "TENCENTCLOUD_SECRET_KEY": FakeTMSServer.secretKey,
      "HEGUI_TMS_ENDPOINT": server.endpoint, "HEGUI_TMS_REGION": "ap-shanghai",
    ]
    let result: PipelineResult
    do {
      let pipeline = try PipelineConfiguration.parse(file).makePipeline(registry: registry, environment: environment)
      result = await pipeline.run(ModerationItem(id: "a", text: "你好"))
      try await server.stop()
    } catch {
      try? await server.stop()
      throw error
    }
    #expect(result.outcome.name == "pass")
    #expect(server.requests.first?.header("X-TC-Region") == "ap-shanghai")
  }

  @Test("without credentials the stage is unavailable and items escalate past it; no secret in the problem")
  func missingCredentials() throws {
    var registry = StageRegistry.standard
    registry.registerTencentStage()
    let file = """
      version: 1
      stages:
        - type: tencent
      """
    let pipeline = try PipelineConfiguration.parse(file, path: "p.yml").makePipeline(
      registry: registry, environment: ["TENCENTCLOUD_SECRET_KEY": "secret-value-123"])
    let problem = try #require(pipeline.problems.first)
    #expect(problem.code == .invalidConfiguration)
    #expect(problem.description.contains("TENCENTCLOUD_SECRET_ID"))
    #expect(problem.description.hasPrefix("p.yml:3:"))
    #expect(!problem.description.contains("secret-value-123"))
  }

  @Test(
    "invalid options are errors at their file:line:column",
    arguments: [
      ("max_attempts: 0", "max_attempts"), ("max_attempts: 11", "max_attempts"),
      ("request_timeout_ms: -5", "request_timeout_ms"),
      ("endpoint: http://example.com", "endpoint"), ("biz_type: a b", "biz_type"), ("region: AP", "region"),
      ("send_item_id: maybe", "send_item_id"),
    ])
  func invalidOptions(option: String, key: String) throws {
    var registry = StageRegistry()
    registry.registerTencentStage()
    let file = """
      version: 1
      stages:
        - type: tencent
          \(option)
      """
    let pipeline = try PipelineConfiguration.parse(file, path: "p.yml").makePipeline(
      registry: registry,
      environment: ["TENCENTCLOUD_SECRET_ID": "AKIDx", "TENCENTCLOUD_SECRET_KEY": "k"])
    let problem = try #require(pipeline.problems.first)
    #expect(problem.location?.line == 4, "\(problem)")
    #expect(problem.location?.column == 5 + key.count + 2, "\(problem)")
  }

  @Test("an unknown option key is rejected with the valid keys")
  func unknownKey() {
    var registry = StageRegistry()
    registry.registerTencentStage()
    #expect {
      try PipelineConfiguration.parse("version: 1\nstages:\n  - type: tencent\n    retries: 3\n").makePipeline(
        registry: registry, environment: [:])
    } throws: { error in
      "\(error)".contains("max_attempts")
    }
  }
}
