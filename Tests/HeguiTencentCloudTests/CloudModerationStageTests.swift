import Hegui
import HeguiTencentCloud
import HeguiTencentCloudTestSupport
import Testing

@Suite("CloudModerationStage: Tencent's advice as a pipeline outcome")
struct CloudModerationStageTests {
  static let keywords: [FakeTMSKeyword] = [
    .officialExample,
    FakeTMSKeyword("私信", label: "Ad", subLabel: "Contact", suggestion: "Review", score: 70),
    FakeTMSKeyword("包邮", label: "Ad", suggestion: "Pass", score: 10),
  ]

  func evaluate(
    _ text: String, id: String = "item-1", server: FakeTMSServer, client: TextModerationClient
  ) async throws -> StageResult {
    try await CloudModerationStage(client: client).evaluate(ModerationItem(id: id, text: text), trail: [])
  }

  @Test("Block → block, with a finding on the exact span of the original text")
  func block() async throws {
    try await withFakeTMS(keywords: Self.keywords) { server, client, _ in
      let text = "🎉直播间福利\n加我好友 给你优惠券"
      let result = try await evaluate(text, server: server, client: client)
      guard case let .block(reason) = result.outcome else {
        Issue.record("expected block, got \(result.outcome)")
        return
      }
      #expect(reason.contains("Block"))
      #expect(reason.contains("Ad"))
      #expect(reason.contains("优惠券"))
      #expect(reason.contains("RequestId"))
      let finding = try #require(result.findings.first)
      #expect(result.findings.count == 1)
      #expect(finding.rule == "tencent.Ad")
      #expect(finding.severity == .block)
      #expect(finding.match == "优惠券")
      let utf8 = Array(text.utf8)
      let start = try #require(finding.utf8?.first)
      let end = try #require(finding.utf8?.last)
      #expect(String(decoding: utf8[start..<end], as: UTF8.self) == "优惠券")
      #expect(finding.line == 2)
      #expect(finding.column == 8)
      #expect(finding.message.contains("广告"))
      #expect(finding.message.contains("建议屏蔽"))
    }
  }

  @Test("Review → escalate, with review findings")
  func review() async throws {
    try await withFakeTMS(keywords: Self.keywords) { server, client, _ in
      let result = try await evaluate("有问题请私信主播", server: server, client: client)
      guard case .escalate = result.outcome else {
        Issue.record("expected escalate, got \(result.outcome)")
        return
      }
      #expect(result.findings.map(\.severity) == [.review])
      #expect(result.findings.first?.match == "私信")
      #expect(result.findings.first?.message.contains("Contact") == true)
      #expect(result.findings.first?.column == 5)
    }
  }

  @Test("Pass → pass; a keyword Tencent passes is kept as an info finding")
  func pass() async throws {
    try await withFakeTMS(keywords: Self.keywords) { server, client, _ in
      let clean = try await evaluate("这款面霜很滋润。", server: server, client: client)
      #expect(clean.outcome.name == "pass")
      #expect(clean.findings.isEmpty)
      let shipping = try await evaluate("全国包邮", server: server, client: client)
      #expect(shipping.outcome.name == "pass")
      #expect(shipping.findings.map(\.severity) == [.info])
    }
  }

  @Test("a label from the semantic model, without a keyword, is a finding without a span")
  func semanticLabel() async throws {
    try await withFakeTMS { server, client, _ in
      server.inject(
        .rawResponse(
          #"{"Response":{"Suggestion":"Block","Label":"Porn","Score":91,"Keywords":[],"DetailResults":[{"Label":"Porn","Suggestion":"Block","Score":91,"Keywords":[],"HitInfos":[]},{"Label":"Ad","Suggestion":"Pass","Score":0,"Keywords":[],"HitInfos":[]}],"RequestId":"r-9"}}"#
        ))
      let result = try await evaluate("一段文字", server: server, client: client)
      #expect(result.outcome.name == "block")
      let finding = try #require(result.findings.first)
      #expect(result.findings.count == 1)
      #expect(finding.rule == "tencent.Porn")
      #expect(finding.utf8 == nil)
      #expect(finding.line == nil)
      #expect(finding.message.contains("语义模型"))
    }
  }

  @Test("keywords without positions are located in the text")
  func keywordsWithoutPositions() async throws {
    try await withFakeTMS { server, client, _ in
      server.inject(
        .rawResponse(
          #"{"Response":{"Suggestion":"Review","Label":"Ad","Keywords":["微信"],"DetailResults":[{"Label":"Ad","Suggestion":"Review","Keywords":["微信"]}],"RequestId":"r-10"}}"#
        ))
      let result = try await evaluate("加微信领红包，微信号见主页", server: server, client: client)
      #expect(result.outcome.name == "escalate")
      #expect(result.findings.map(\.match) == ["微信", "微信"])
      #expect(result.findings.map(\.column) == [2, 8])
    }
  }

  @Test("positions outside the text are ignored, never trusted")
  func positionsOutOfRange() async throws {
    try await withFakeTMS { server, client, _ in
      server.inject(
        .rawResponse(
          #"{"Response":{"Suggestion":"Block","Label":"Ad","DetailResults":[{"Label":"Ad","Suggestion":"Block","HitInfos":[{"Keyword":"优惠券","Positions":[{"Start":40,"End":99},{"Start":5,"End":2}]}]}]}}"#
        ))
      let result = try await evaluate("领优惠券", server: server, client: client)
      #expect(result.outcome.name == "block")
      #expect(result.findings.map(\.match) == ["优惠券"])
      #expect(result.findings.first?.column == 2)
    }
  }

  @Test(
    "any failure escalates, never passes",
    arguments: [
      FakeTMSFault.authFailure, .unauthorized, .malformedJSON, .badGateway, .internalError, .rateLimit,
      .connectionReset, .rawResponse(#"{"Response":{"Suggestion":"Maybe"}}"#), .rawResponse(#"{"Response":{}}"#),
      .rawResponse("[]"),
    ])
  func failuresEscalate(fault: FakeTMSFault) async throws {
    var settings = ClientSettings()
    settings.maxAttempts = 1
    try await withFakeTMS(settings: settings) { server, client, _ in
      server.inject(fault)
      let result = try await evaluate("加我好友 给你优惠券", server: server, client: client)
      guard case let .escalate(reason) = result.outcome else {
        Issue.record("expected escalate for \(fault), got \(result.outcome)")
        return
      }
      #expect(!reason.isEmpty)
      #expect(!reason.contains(FakeTMSServer.secretKey))
    }
  }

  @Test("a timeout escalates")
  func timeoutEscalates() async throws {
    var settings = ClientSettings()
    settings.maxAttempts = 1
    settings.requestTimeout = .seconds(1)
    try await withFakeTMS(settings: settings) { server, client, _ in
      server.inject(.delay(.seconds(10)))
      let result = try await evaluate("加我好友 给你优惠券", server: server, client: client)
      #expect(result.outcome.name == "escalate")
      #expect(result.outcome.reason.contains("timeout"))
    }
  }

  @Test("the item id is sent as DataId, made to fit Tencent's rules")
  func dataID() async throws {
    try await withFakeTMS { server, client, _ in
      _ = try await evaluate("你好", id: "Examples/scripts/直播.txt:12", server: server, client: client)
      #expect(server.requests.first?.bodyString("DataId") == "Examples_scripts____txt_12")
      #expect(server.requests.first?.answer == "OK")
    }
    let long = String(repeating: "a", count: 100)
    let other = String(repeating: "a", count: 99) + "b"
    let longID = try #require(CloudModerationStage.dataID(for: long))
    #expect(longID.count == 64)
    #expect(longID != CloudModerationStage.dataID(for: other))
    #expect(CloudModerationStage.dataID(for: "") == nil)
  }

  @Test("a split text's findings point into the original text, lines and columns included")
  func splitFindings() async throws {
    try await withFakeTMS { server, client, _ in
      let filler = "这款面霜真的很好用，今天下单还送小样。\n"
      let text = String(repeating: filler, count: 700) + "最后一张优惠券"
      let result = try await evaluate(text, server: server, client: client)
      #expect(server.requests.count == 2)
      let finding = try #require(result.findings.first)
      #expect(finding.line == 701)
      #expect(finding.column == 5)
      let utf8 = Array(text.utf8)
      let range = try #require(finding.utf8)
      #expect(String(decoding: utf8[range[0]..<range[1]], as: UTF8.self) == "优惠券")
    }
  }
}
