import Foundation
import HeguiTencentCloud
import HeguiTencentCloudTestSupport
import Testing

/// Records the backoff delays the client asked for, instead of sleeping.
actor DelayRecorder {
  private(set) var delays: [Duration] = []

  func record(_ delay: Duration) {
    delays.append(delay)
  }
}

/// A monotonically increasing fake clock (Unix seconds), shared by the client and the server.
final class TestClock: Sendable {
  private let start: Int64
  private let counter = Counter()

  init(start: Int64 = Int64(Date().timeIntervalSince1970)) {
    self.start = start
  }

  /// The current time, advancing by `step` seconds at every read.
  func now(step: Int64 = 0) -> Int64 {
    start + counter.next(step)
  }

  private final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Int64 = 0

    func next(_ step: Int64) -> Int64 {
      lock.withLock {
        defer { value += step }
        return value
      }
    }
  }
}

/// What a test can change about the client it gets.
struct ClientSettings {
  var maxAttempts = 3
  var requestTimeout: Duration = .seconds(5)
  var connectTimeout: Duration = .seconds(2)
  var region = "ap-guangzhou"
  var secretID = FakeTMSServer.secretID
  var secretKey = FakeTMSServer.secretKey
  var sessionToken: String?
  var now: @Sendable () -> Int64 = { Int64(Date().timeIntervalSince1970) }
  var endpoint: String?
}

/// Starts a fake TMS server and a client pointed at it, runs `body`, and shuts both down.
func withFakeTMS<T>(
  keywords: [FakeTMSKeyword] = [.officialExample], settings: ClientSettings = ClientSettings(),
  _ body: (FakeTMSServer, TextModerationClient, DelayRecorder) async throws -> T
) async throws -> T {
  let server = try await FakeTMSServer.start(keywords: keywords)
  let recorder = DelayRecorder()
  let client: TextModerationClient
  do {
    client = try makeClient(endpoint: settings.endpoint ?? server.endpoint, settings: settings, recorder: recorder)
  } catch {
    try? await server.stop()
    throw error
  }
  do {
    let result = try await body(server, client, recorder)
    try await client.shutdown()
    try await server.stop()
    return result
  } catch {
    try? await client.shutdown()
    try? await server.stop()
    throw error
  }
}

/// A client for the fake server, whose backoff sleeps are recorded (and skipped).
func makeClient(endpoint: String, settings: ClientSettings, recorder: DelayRecorder) throws -> TextModerationClient {
  let configuration = TencentCloudConfiguration(
    endpoint: try TencentCloudEndpoint(endpoint), region: settings.region, connectTimeout: settings.connectTimeout,
    requestTimeout: settings.requestTimeout, retry: RetryPolicy(maxAttempts: settings.maxAttempts))
  let credentials = try TencentCloudCredentials(
    secretID: settings.secretID, secretKey: settings.secretKey, sessionToken: settings.sessionToken)
  return try TextModerationClient(
    configuration: configuration, credentials: credentials,
    hooks: .init(now: settings.now, sleep: { await recorder.record($0) }, random: { 0.5 }))
}

/// Runs `body` and returns the ``TencentCloudError`` it throws (recording an issue otherwise).
func tencentError(
  sourceLocation: SourceLocation = #_sourceLocation, _ body: () async throws -> Void
) async -> TencentCloudError? {
  do {
    try await body()
    Issue.record("expected a TencentCloudError, got success", sourceLocation: sourceLocation)
    return nil
  } catch let error as TencentCloudError {
    return error
  } catch {
    Issue.record("expected a TencentCloudError, got \(error)", sourceLocation: sourceLocation)
    return nil
  }
}

extension String {
  /// The scalar ranges of every non-overlapping occurrence of `needle`.
  func scalarRanges(of needle: String) -> [Range<Int>] {
    let haystack = Array(unicodeScalars)
    let pattern = Array(needle.unicodeScalars)
    var ranges: [Range<Int>] = []
    var index = 0
    while index + pattern.count <= haystack.count {
      if Array(haystack[index..<(index + pattern.count)]) == pattern {
        ranges.append(index..<(index + pattern.count))
        index += pattern.count
      } else {
        index += 1
      }
    }
    return ranges
  }
}
