import Foundation
import HeguiTencentCloudTestSupport
import Testing

/// `hegui moderate` with the tencent stage, as a user runs it: the built binary, a pipeline file,
/// credentials and `HEGUI_TMS_ENDPOINT` in the environment, the fake server on loopback.
@Suite("hegui moderate with the tencent stage (end to end)")
struct CommandLineTests {
  /// `hegui` beside the test bundle, else `.build/debug/hegui` of the package (`swift build
  /// --build-tests` and `swift test` build every product first).
  static let binary: URL = {
    let bundleFolder = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath().deletingLastPathComponent()
    let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent()
    let candidates = [
      bundleFolder.appendingPathComponent("hegui"), packageRoot.appendingPathComponent(".build/debug/hegui"),
    ]
    return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) } ?? candidates[1]
  }()

  struct Output {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  /// Runs hegui to the end, waiting on a dispatch queue rather than on the cooperative pool.
  static func hegui(_ arguments: [String], in folder: URL, environment: [String: String]) async throws -> Output {
    try await withCheckedThrowingContinuation { continuation in
      DispatchQueue.global().async {
        continuation.resume(
          with: Result {
            let process = Process()
            process.executableURL = binary
            process.arguments = arguments
            process.currentDirectoryURL = folder
            var merged = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("TENCENTCLOUD_") }
            merged.merge(environment) { $1 }
            process.environment = merged
            let out = Pipe()
            let err = Pipe()
            process.standardOutput = out
            process.standardError = err
            process.standardInput = FileHandle.nullDevice
            try process.run()
            let errData = LockedData()
            let group = DispatchGroup()
            group.enter()
            DispatchQueue.global().async {
              errData.set(err.fileHandleForReading.readDataToEndOfFile())
              group.leave()
            }
            let outData = out.fileHandleForReading.readDataToEndOfFile()
            group.wait()
            process.waitUntilExit()
            return Output(
              status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
              stderr: String(decoding: errData.get(), as: UTF8.self))
          })
      }
    }
  }

  final class LockedData: @unchecked Sendable {
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
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
