import Foundation
import HeguiCLITestSupport
import HeguiTencentCloudTestSupport
import Testing

/// `hegui moderate` with the tencent stage, as a user runs it: the built binary, a pipeline file,
/// credentials and `HEGUI_TMS_ENDPOINT` in the environment, the fake server on loopback.
@Suite("hegui moderate with the tencent stage (end to end)")
struct CommandLineTests {
  /// Runs hegui to the end (``HeguiProcess``), without the test's own Tencent credentials.
  static func hegui(
    _ arguments: [String], in folder: URL, environment: [String: String]
  ) async throws -> HeguiProcess.Output {
    try await HeguiProcess.run(arguments, in: folder, environment: environment, removing: ["TENCENTCLOUD_"])
  }

  func withFolder(_ body: (URL) async throws -> Void) async throws {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("hegui-tencent-cli-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    defer { try? FileManager.default.removeItem(at: folder) }
    try await body(folder)
  }

  func environment(_ server: FakeTMSServer) -> [String: String] {
    [
      "TENCENTCLOUD_SECRET_ID": FakeTMSServer.secretID, "TENCENTCLOUD_SECRET_KEY": FakeTMSServer.secretKey,
      "HEGUI_TMS_ENDPOINT": server.endpoint,
    ]
  }

  @Test("rules escalate, tencent blocks; a clean line passes at tier 1 without a call; no credential in the output")
  func moderate() async throws {
    let server = try await FakeTMSServer.start()
    do {
      try await withFolder { folder in
        try """
        version: 1
        stages:
          - type: rules
          - type: tencent
            when: {env: [TENCENTCLOUD_SECRET_ID, TENCENTCLOUD_SECRET_KEY]}
            timeout_ms: 10000
          - type: review
        """.write(to: folder.appendingPathComponent("pipeline.yml"), atomically: true, encoding: .utf8)
        let output = try await Self.hegui(
          [
            "moderate", "--pipeline", "pipeline.yml", "--db", "queue.sqlite", "--format", "jsonl", "--jobs", "1",
            "--text", "这款面霜很滋润。", "--text", "独家配方，今天领优惠券",
          ], in: folder, environment: environment(server))
        #expect(output.status == 1, "\(output.stderr)")
        let lines = output.stdout.split(separator: "\n").compactMap {
          try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
        #expect(lines.count == 2, "\(output.stdout)")
        let clean = try #require(lines.first { $0["id"] as? String == "text:1" })
        #expect(clean["outcome"] as? String == "pass")
        #expect(clean["stage"] as? String == "rules")
        let blocked = try #require(lines.first { $0["id"] as? String == "text:2" })
        #expect(blocked["outcome"] as? String == "block")
        #expect(blocked["stage"] as? String == "tencent")
        #expect(server.requests.count == 1)
        #expect(server.requests.first?.decodedContent == "独家配方，今天领优惠券")
        for text in [output.stdout, output.stderr] {
          #expect(!text.contains(FakeTMSServer.secretKey))
          #expect(!text.contains(FakeTMSServer.secretID))
        }
      }
      try await server.stop()
    } catch {
      try? await server.stop()
      throw error
    }
  }

  @Test("the smoke test of Docs/tencent.md, against the fake: the official example is blocked by tencent")
  func smokeTest() async throws {
    let server = try await FakeTMSServer.start()
    do {
      try await withFolder { folder in
        // The same pipeline the documented one-liner writes with printf.
        try "version: 1\nstages:\n  - type: tencent\n".write(
          to: folder.appendingPathComponent("tencent.yml"), atomically: true, encoding: .utf8)
        let output = try await Self.hegui(
          ["moderate", "--pipeline", "tencent.yml", "--text", "加我好友 给你优惠券"], in: folder,
          environment: environment(server))
        #expect(output.status == 1, "\(output.stderr)")
        #expect(output.stdout.hasPrefix("BLOCK"), "\(output.stdout)")
        #expect(output.stdout.contains("tencent: block"))
        #expect(output.stdout.contains("tencent.Ad:1:8 「优惠券」"))
        #expect(!output.stdout.contains(FakeTMSServer.secretKey))
      }
      try await server.stop()
    } catch {
      try? await server.stop()
      throw error
    }
  }

  @Test("without credentials the stage cannot be built and hegui refuses to start, naming the variables only")
  func missingCredentials() async throws {
    try await withFolder { folder in
      try "version: 1\nstages:\n  - type: tencent\n".write(
        to: folder.appendingPathComponent("tencent.yml"), atomically: true, encoding: .utf8)
      let output = try await Self.hegui(
        ["moderate", "--pipeline", "tencent.yml", "--text", "你好"], in: folder,
        environment: ["TENCENTCLOUD_SECRET_KEY": "only-the-key-is-set"])
      #expect(output.status == 2)
      #expect(output.stderr.contains("TENCENTCLOUD_SECRET_ID"))
      #expect(!output.stderr.contains("only-the-key-is-set"))
      #expect(!output.stdout.contains("only-the-key-is-set"))
    }
  }
}
