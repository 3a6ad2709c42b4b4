import Foundation
import Hegui
import HeguiCLITestSupport
import HeguiReviewQueue
import Testing

#if canImport(Glibc)
  import Glibc
#endif

/// Tencent Cloud credentials never reach a ticket, an output or the queue file, even when the
/// tencent stage fails and the item goes on to review with the failure in its trail.
@Suite("Credentials never stored in the queue or printed (tencent stage failing before review)", .serialized)
struct CredentialTests {
  static let secretID = "AKIDHeguiLeakCanary0123456789abcdef"
  static let secretKey = "HeguiLeakCanaryKey-9f8e7d6c5b4a39281706"

  static let pipeline = """
    version: 1
    stages:
      - type: rules
        rulesets: [rules]
        include_shipped: false
      - type: tencent
        max_attempts: 1
        connect_timeout_ms: 2000
        request_timeout_ms: 5000
      - type: review
    """

  @Test("moderate, review list/show/claim/decide/export: no secret in any output, the database files or the export")
  func credentialsNeverLeak() async throws {
    let folder = try TemporaryFolder()
    defer { folder.remove() }
    try FileManager.default.createDirectory(
      at: folder.url.appendingPathComponent("rules"), withIntermediateDirectories: true)
    try CommandLineTests.rules.write(
      to: folder.url.appendingPathComponent("rules/shop.yml"), atomically: true, encoding: .utf8)
    try Self.pipeline.write(to: folder.url.appendingPathComponent("pipeline.yml"), atomically: true, encoding: .utf8)
    let server = try LeakyServer(secrets: [Self.secretID, Self.secretKey])
    defer { server.stop() }

    var outputs: [HeguiProcess.Output] = []
    func hegui(_ arguments: [String], endpoint: String = "http://127.0.0.1:9") async throws -> HeguiProcess.Output {
      let output = try await HeguiProcess.run(
        arguments, in: folder.url,
        environment: [
          "TENCENTCLOUD_SECRET_ID": Self.secretID, "TENCENTCLOUD_SECRET_KEY": Self.secretKey,
          "HEGUI_TMS_ENDPOINT": endpoint,
          "HEGUI_REVIEWER": "审核员",
        ],
        removing: ["TENCENTCLOUD_"])
      outputs.append(output)
      return output
    }

    // Nothing listens on port 9: the stage fails to connect. Then a server that answers with an
    // error repeating the request's headers (the Authorization header carries the SecretId) and
    // both secrets, as a misbehaving proxy or API might.
    for (endpoint, text) in [("http://127.0.0.1:9", "连不上：这是本店最新款"), (server.endpoint, "被拒绝：这是本店最新款")] {
      for format in ["jsonl", "text"] {
        let run = try await hegui(
          ["moderate", "--text", text, "--pipeline", "pipeline.yml", "--db", "q.sqlite", "--format", format],
          endpoint: endpoint)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stdout.contains("tencent"), "\(run.stdout)")
      }
    }
    #expect(
      server.requests.withLock { $0 }.contains { $0.contains(Self.secretID) }, "the stage never sent its credentials")

    let queue = try ReviewQueue.open(path: folder.path("q.sqlite"), readOnly: true)
    let tickets = try await queue.tickets()
    try queue.close()
    #expect(tickets.count == 2)
    for ticket in tickets {
      let tencent = try #require(ticket.trail.first { $0.stage == "tencent" }, "no tencent record in #\(ticket.id)")
      // The stage catches its own failures and escalates with the reason.
      #expect(tencent.outcome.reason.contains("Tencent Cloud moderation failed"), "\(tencent.outcome.reason)")
    }
    #expect(
      tickets.contains { $0.trail.contains { $0.outcome.reason.contains("<redacted>") } },
      "the server's echo was not redacted")

    for format in ["text", "jsonl"] {
      _ = try await hegui(["review", "list", "--db", "q.sqlite", "--format", format])
      _ = try await hegui(["review", "show", "1", "--db", "q.sqlite", "--format", format])
      _ = try await hegui(["review", "show", "2", "--db", "q.sqlite", "--format", format])
    }
    _ = try await hegui(["review", "claim", "--db", "q.sqlite"])
    _ = try await hegui(["review", "decide", "1", "--db", "q.sqlite", "--verdict", "reject", "--note", "绝对化用语"])
    _ = try await hegui(["review", "decide", "2", "--db", "q.sqlite", "--verdict", "approve"])
    let export = try await hegui(["review", "export", "--db", "q.sqlite"])
    #expect(export.stderr.contains("exported 2 decisions"), "\(export.stderr)")
    _ = try await hegui(["review", "export", "--db", "q.sqlite", "--output", "audit.jsonl"])

    let secrets = [Self.secretID, Self.secretKey]
    for (index, output) in outputs.enumerated() {
      for secret in secrets {
        #expect(
          !output.stdout.contains(secret) && !output.stderr.contains(secret), "output \(index + 1) shows a secret")
      }
    }
    let files = try FileManager.default.contentsOfDirectory(atPath: folder.url.path).filter {
      $0.hasPrefix("q.sqlite") || $0 == "audit.jsonl"
    }
    #expect(files.contains("q.sqlite") && files.contains("audit.jsonl"))
    for name in files {
      let bytes = try #require(FileManager.default.contents(atPath: folder.path(name)))
      for secret in secrets {
        #expect(bytes.range(of: Data(secret.utf8)) == nil, "\(name) holds a secret")
      }
    }
  }
}

/// A stand-in for the Tencent Cloud endpoint that leaks: every request is answered (HTTP 200, as
/// Tencent does) with an error whose message repeats the request's headers and the secrets it
/// was given. A blocking socket on loopback, served from a thread of its own.
final class LeakyServer: Sendable {
  let port: UInt16
  /// Every request's head (request line and headers).
  let requests = Locked<[String]>([])
  private let listener: Int32

  var endpoint: String { "http://127.0.0.1:\(port)" }

  init(secrets: [String]) throws {
    #if canImport(Glibc)
      let stream = Int32(SOCK_STREAM.rawValue)
    #else
      let stream = SOCK_STREAM
    #endif
    let listener = socket(AF_INET, stream, 0)
    guard listener >= 0 else { throw POSIXError(.EIO) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = 0
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
      pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { address in
        bind(listener, address, length) == 0 && listen(listener, 16) == 0
          && getsockname(listener, address, &length) == 0
      }
    }
    guard bound else {
      close(listener)
      throw POSIXError(.EADDRNOTAVAIL)
    }
    self.listener = listener
    port = UInt16(bigEndian: address.sin_port)
    let requests = self.requests
    Thread {
      while true {
        let connection = accept(listener, nil, nil)
        if connection < 0 { return }
        let head = Self.serve(connection, secrets: secrets)
        requests.withLock { $0.append(head) }
      }
    }.start()
  }

  func stop() {
    shutdown(listener, Int32(SHUT_RDWR))
    close(listener)
  }

  private static func serve(_ connection: Int32, secrets: [String]) -> String {
    defer { close(connection) }
    var received = Data()
    var buffer = [UInt8](repeating: 0, count: 65_536)
    var expected: Int?
    while expected.map({ received.count < $0 }) ?? true {
      let count = read(connection, &buffer, buffer.count)
      if count <= 0 { break }
      received.append(contentsOf: buffer[0..<count])
      if expected == nil, let end = received.range(of: Data("\r\n\r\n".utf8)) {
        let head = String(decoding: received[..<end.lowerBound], as: UTF8.self)
        let length =
          head.split(separator: "\r\n").first { $0.lowercased().hasPrefix("content-length:") }
          .flatMap { Int($0.split(separator: ":")[1].trimmingCharacters(in: .whitespaces)) } ?? 0
        expected = end.upperBound + length
      }
    }
    let head = String(decoding: received.prefix { $0 != 0 }, as: UTF8.self).components(separatedBy: "\r\n\r\n")[0]
    let message = "SecretId \(secrets[0]) with SecretKey \(secrets[1]) was refused; you sent: \(head)"
    let body = try? JSONSerialization.data(withJSONObject: [
      "Response": [
        "Error": ["Code": "AuthFailure.SecretIdNotFound", "Message": message],
        "RequestId": "leaky-\(UUID().uuidString)",
      ]
    ])
    let payload = body ?? Data()
    var response = Data(
      "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(payload.count)\r\nConnection: close\r\n\r\n"
        .utf8)
    response.append(payload)
    _ = response.withUnsafeBytes { write(connection, $0.baseAddress, $0.count) }
    return head
  }
}
