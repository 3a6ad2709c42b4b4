import Foundation
import HeguiTencentCloud
import HeguiTencentCloudTestSupport
import Testing

@Suite("TextModerationClient over HTTP against the fake TMS server")
struct TextModerationClientTests {
  static let example = "加我好友 给你优惠券"

  @Test("the official example: Block, Ad, 优惠券 at [7, 10), over a request built as the service expects")
  func officialExample() async throws {
    try await withFakeTMS { server, client, _ in
      let result = try await client.moderate(
        Self.example, options: TextModerationOptions(bizType: "TencentCloudDefault"))
      #expect(result.suggestion == .block)
      #expect(result.labels == [.ad])
      #expect(result.responses.count == 1)
      #expect(result.responses[0].bizType == "TencentCloudDefault")
      #expect(result.requestIDs.count == 1)
      let hit = try #require(result.hits.first)
      #expect(result.hits.count == 1)
      #expect(hit.label == .ad)
      #expect(hit.suggestion == .block)
      #expect(hit.keyword == "优惠券")
      #expect(hit.scalarRange == 7..<10)

      let request = try #require(server.requests.first)
      #expect(server.requests.count == 1)
      #expect(request.answer == "OK")
      #expect(request.method == "POST")
      #expect(request.uri == "/")
      #expect(request.header("Content-Type") == "application/json; charset=utf-8")
      #expect(request.header("Host") == "127.0.0.1:\(server.port)")
      #expect(request.header("X-TC-Action") == "TextModeration")
      #expect(request.header("X-TC-Version") == "2020-12-29")
      #expect(request.header("X-TC-Region") == "ap-guangzhou")
      #expect(request.header("X-TC-Token") == nil)
      let authorization = try #require(request.header("Authorization"))
      #expect(authorization.hasPrefix("TC3-HMAC-SHA256 Credential=\(FakeTMSServer.secretID)/"))
      #expect(authorization.contains("/tms/tc3_request, SignedHeaders=content-type;host;x-tc-action, Signature="))
      #expect(request.decodedContent == Self.example)
      #expect(request.bodyString("Content") == "5Yqg5oiR5aW95Y+LIOe7meS9oOS8mOaDoOWIuA==")
      #expect(request.bodyKeys == ["BizType", "Content"])
      #expect(!String(decoding: request.body, as: UTF8.self).contains(#"\/"#))
    }
  }

  @Test("optional fields are sent only when set, with the API's field names")
  func optionalFields() async throws {
    try await withFakeTMS { server, client, _ in
      let options = TextModerationOptions(
        bizType: "ecommerce_live", dataID: "script-0001", sessionID: "room-42",
        user: TextModerationUser(userID: "u1", accountType: 7, level: 2, roomID: "r9"),
        device: TextModerationDevice(ip: "10.0.0.1", deviceID: "d-1"))
      let result = try await client.moderate("今天的优惠券限量", options: options)
      #expect(result.suggestion == .block)
      #expect(result.responses.first?.dataID == "script-0001")
      #expect(result.responses.first?.sessionID == "room-42")
      let request = try #require(server.requests.first)
      #expect(request.answer == "OK")
      #expect(request.bodyKeys == ["BizType", "Content", "DataId", "Device", "SessionId", "User"])
      let body = try #require(try JSONSerialization.jsonObject(with: Data(request.body)) as? [String: Any])
      let user = try #require(body["User"] as? [String: Any])
      #expect(Set(user.keys) == ["UserId", "AccountType", "Level", "RoomId"])
      #expect(user["AccountType"] as? Int == 7)
      let device = try #require(body["Device"] as? [String: Any])
      #expect(Set(device.keys) == ["IP", "DeviceId"])
    }
  }

  @Test("session tokens are sent as X-TC-Token")
  func sessionToken() async throws {
    var settings = ClientSettings()
    settings.sessionToken = "sts-token-1"
    try await withFakeTMS(settings: settings) { server, client, _ in
      server.addSessionToken("sts-token-1", for: FakeTMSServer.secretID)
      let result = try await client.moderate("你好")
      #expect(result.suggestion == .pass)
      #expect(server.requests.first?.header("X-TC-Token") == "sts-token-1")
    }
  }

  @Test("a clean text passes with no hits")
  func pass() async throws {
    try await withFakeTMS { _, client, _ in
      let result = try await client.moderate("这款面霜很滋润。")
      #expect(result.suggestion == .pass)
      #expect(result.hits.isEmpty)
      #expect(result.labels.isEmpty)
    }
  }

  // MARK: - Retries

  @Test("rate limiting is retried with full-jitter backoff, then succeeds")
  func rateLimitThenSuccess() async throws {
    try await withFakeTMS { server, client, recorder in
      server.inject(.rateLimit, times: 2)
      let result = try await client.moderate(Self.example)
      #expect(result.suggestion == .block)
      #expect(server.requests.map(\.answer) == ["RequestLimitExceeded", "RequestLimitExceeded", "OK"])
      // random() is 0.5: half of the caps 0.5 s and 1 s.
      #expect(await recorder.delays == [.milliseconds(250), .milliseconds(500)])
    }
  }

  @Test("rate limiting on every attempt stops at max attempts and reports rateLimited")
  func rateLimitExhausted() async throws {
    try await withFakeTMS { server, client, recorder in
      server.inject(.rateLimit, times: 10)
      let error = await tencentError { _ = try await client.moderate(Self.example) }
      #expect(error?.code == .rateLimited)
      #expect(error?.serviceCode == "RequestLimitExceeded")
      #expect(error?.attempts == 3)
      #expect(error?.requestID != nil)
      #expect(server.requests.count == 3)
      #expect(await recorder.delays.count == 2)
    }
  }

  @Test("max attempts is configurable: 1 means no retry")
  func singleAttempt() async throws {
    var settings = ClientSettings()
    settings.maxAttempts = 1
    try await withFakeTMS(settings: settings) { server, client, recorder in
      server.inject(.internalError)
      let error = await tencentError { _ = try await client.moderate(Self.example) }
      #expect(error?.code == .serviceUnavailable)
      #expect(server.requests.count == 1)
      #expect(await recorder.delays.isEmpty)
    }
  }

  @Test("internal errors are retried")
  func internalError() async throws {
    try await withFakeTMS { server, client, _ in
      server.inject(.internalError)
      let result = try await client.moderate(Self.example)
      #expect(result.suggestion == .block)
      #expect(server.requests.map(\.answer) == ["InternalError", "OK"])
    }
  }

  @Test("each attempt is signed afresh with the current timestamp")
  func resignedOnRetry() async throws {
    let clock = TestClock()
    var settings = ClientSettings()
    settings.now = { clock.now(step: 7) }
    try await withFakeTMS(settings: settings) { server, client, _ in
      server.inject(.rateLimit)
      _ = try await client.moderate(Self.example)
      let timestamps = server.requests.compactMap { $0.header("X-TC-Timestamp") }
      #expect(timestamps.count == 2)
      #expect(Set(timestamps).count == 2)
      #expect(server.requests.last?.answer == "OK")
    }
  }

  @Test("a response slower than the request timeout is retried; the next attempt answers")
  func delayPastTimeout() async throws {
    var settings = ClientSettings()
    // Long enough that the prompt answer of the second attempt arrives in time on a machine
    // busy with the rest of the suite (300 ms did not: a third attempt was made), far shorter
    // than the 10 s the first attempt is held.
    settings.requestTimeout = .seconds(2)
    try await withFakeTMS(settings: settings) { server, client, _ in
      server.inject(.delay(.seconds(10)))
      let start = ContinuousClock.now
      let result = try await client.moderate(Self.example)
      #expect(result.suggestion == .block)
      #expect(server.requests.count == 2)
      #expect(ContinuousClock.now - start < .seconds(8))
    }
  }

  @Test("timeouts on every attempt report timeout")
  func timeoutExhausted() async throws {
    var settings = ClientSettings()
    settings.requestTimeout = .seconds(1)
    settings.maxAttempts = 2
    try await withFakeTMS(settings: settings) { server, client, _ in
      server.inject(.delay(.seconds(10)), times: 2)
      let error = await tencentError { _ = try await client.moderate(Self.example) }
      #expect(error?.code == .timeout)
      #expect(error?.attempts == 2)
      // The server records a request once it has read it, which on a busy machine can come
      // after the client has given up on it: wait for the second (at most 5 s).
      for _ in 0..<50 where server.requests.count < 2 { try await Task.sleep(for: .milliseconds(100)) }
      #expect(server.requests.count == 2)
    }
  }

  @Test("HTTP 502 with an HTML body is retried; when it persists it is a transport error with the status")
  func badGateway() async throws {
    try await withFakeTMS { server, client, _ in
      server.inject(.badGateway)
      let result = try await client.moderate(Self.example)
      #expect(result.suggestion == .block)
      #expect(server.requests.map(\.answer) == ["HTTP 502", "OK"])

      server.inject(.badGateway, times: 3)
      let error = await tencentError { _ = try await client.moderate(Self.example) }
      #expect(error?.code == .transport)
      #expect(error?.httpStatus == 502)
      #expect(error?.attempts == 3)
      #expect(error?.description.contains("<html>") == false)
    }
  }

  @Test("malformed JSON is an invalid response and is not retried")
  func malformedJSON() async throws {
    try await withFakeTMS { server, client, _ in
      server.inject(.malformedJSON)
      let error = await tencentError { _ = try await client.moderate(Self.example) }
      #expect(error?.code == .invalidResponse)
      #expect(error?.attempts == 1)
      #expect(server.requests.count == 1)
    }
  }

  @Test("a connection reset is retried")
  func connectionReset() async throws {
    try await withFakeTMS { server, client, _ in
      server.inject(.connectionReset)
      let result = try await client.moderate(Self.example)
      #expect(result.suggestion == .block)
      #expect(server.requests.map(\.answer) == ["reset", "OK"])
    }
  }

  @Test("a refused connection is a transport error and is not retried")
  func connectionRefused() async throws {
    let closed = try await FakeTMSServer.start()
    let port = closed.port
    try await closed.stop()
    var settings = ClientSettings()
    settings.endpoint = "http://127.0.0.1:\(port)"
    try await withFakeTMS(settings: settings) { server, client, recorder in
      let error = await tencentError { _ = try await client.moderate(Self.example) }
      #expect(error?.code == .transport)
      #expect(error?.attempts == 1)
      #expect(await recorder.delays.isEmpty)
      #expect(server.requests.isEmpty)
    }
  }

  // MARK: - Errors that are not retried

  @Test("an authentication failure is a configuration error and is not retried")
  func authFailure() async throws {
    try await withFakeTMS { server, client, recorder in
      server.inject(.authFailure)
      let error = await tencentError { _ = try await client.moderate(Self.example) }
      #expect(error?.code == .configuration)
      #expect(error?.serviceCode == "AuthFailure.SignatureFailure")
      #expect(error?.attempts == 1)
      #expect(server.requests.count == 1)
      #expect(await recorder.delays.isEmpty)
    }
  }

  @Test("no package or arrears (UnauthorizedOperation.Unauthorized) is a configuration error")
  func unauthorized() async throws {
    try await withFakeTMS { server, client, _ in
      server.inject(.unauthorized)
      let error = await tencentError { _ = try await client.moderate(Self.example) }
      #expect(error?.code == .configuration)
      #expect(error?.serviceCode == "UnauthorizedOperation.Unauthorized")
      #expect(error?.message.contains("not activated") == true)
      #expect(server.requests.count == 1)
    }
  }

  @Test("a quota error (LimitExceeded) is a configuration error")
  func quota() async throws {
    try await withFakeTMS { server, client, _ in
      server.inject(.serviceError(code: "LimitExceeded", message: "quota exhausted"))
      let error = await tencentError { _ = try await client.moderate(Self.example) }
      #expect(error?.code == .configuration)
      #expect(server.requests.count == 1)
    }
  }

  @Test("a wrong secret key fails the fake's signature check: SignatureFailure, not retried")
  func wrongKey() async throws {
    var settings = ClientSettings()
    settings.secretKey = "not-the-right-key-0000000000000000"
    try await withFakeTMS(settings: settings) { server, client, _ in
      let error = await tencentError { _ = try await client.moderate(Self.example) }
      #expect(error?.code == .configuration)
      #expect(error?.serviceCode == "AuthFailure.SignatureFailure")
      #expect(error?.message.contains("TENCENTCLOUD_SECRET_KEY") == true)
      #expect(server.requests.count == 1)
      #expect(error?.description.contains("not-the-right-key") == false)
    }
  }

  @Test("an unknown secret id: SecretIdNotFound")
  func unknownID() async throws {
    var settings = ClientSettings()
    settings.secretID = "AKIDunknown000000000000000000000000"
    try await withFakeTMS(settings: settings) { server, client, _ in
      let error = await tencentError { _ = try await client.moderate(Self.example) }
      #expect(error?.code == .configuration)
      #expect(error?.serviceCode == "AuthFailure.SecretIdNotFound")
      #expect(error?.description.contains("AKIDunknown") == false)
    }
  }

  @Test("clock skew over 5 minutes is reported as clock skew; 299 s still verifies")
  func clockSkew() async throws {
    try await withFakeTMS { server, client, _ in
      server.setClock { Int64(Date().timeIntervalSince1970) + 301 }
      let error = await tencentError { _ = try await client.moderate(Self.example) }
      #expect(error?.code == .configuration)
      #expect(error?.serviceCode == "AuthFailure.SignatureExpire")
      #expect(error?.message.contains("clock") == true)
      #expect(server.requests.count == 1)

      server.setClock { Int64(Date().timeIntervalSince1970) - 298 }
      let result = try await client.moderate(Self.example)
      #expect(result.suggestion == .block)
    }
  }

  @Test("an unsupported region is a configuration error")
  func unsupportedRegion() async throws {
    var settings = ClientSettings()
    settings.region = "xx-nowhere"
    try await withFakeTMS(settings: settings) { server, client, _ in
      let error = await tencentError { _ = try await client.moderate(Self.example) }
      #expect(error?.code == .configuration)
      #expect(error?.serviceCode == "UnsupportedRegion")
      #expect(server.requests.first?.header("X-TC-Region") == "xx-nowhere")
    }
  }

  @Test("credentials never appear in errors or descriptions, even when Tencent echoes them")
  func credentialsRedacted() async throws {
    try await withFakeTMS { server, client, _ in
      server.inject(
        .serviceError(
          code: "AuthFailure.SecretIdNotFound",
          message: "SecretId \(FakeTMSServer.secretID) with key \(FakeTMSServer.secretKey) is not found"))
      let error = await tencentError { _ = try await client.moderate(Self.example) }
      let texts = [
        error.map(String.init(describing:)) ?? "", error?.message ?? "", "\(client)", String(reflecting: client),
      ]
      for text in texts {
        #expect(!text.contains(FakeTMSServer.secretKey))
        #expect(!text.contains(FakeTMSServer.secretID))
      }
      #expect(error?.message.contains("<redacted>") == true)
    }
  }

  // MARK: - Texts over the limit

  @Test("a text over 10,000 characters is split at sentences; hits map back to the original text")
  func longText() async throws {
    try await withFakeTMS { server, client, _ in
      let filler = "这款面霜真的很好用，今天下单还送小样。"
      var text = "🎉" + String(repeating: filler, count: 300)
      text += "加我好友 给你优惠券。"
      text += String(repeating: filler, count: 400)
      text += "\n优惠券只剩最后十张！"
      text += String(repeating: filler, count: 500)
      text += "最后一张优惠券"
      #expect(text.unicodeScalars.count > 20_000)

      let result = try await client.moderate(text)
      #expect(result.suggestion == .block)
      #expect(server.requests.count == result.responses.count)
      #expect(server.requests.count == 3)
      let sent = server.requests.compactMap(\.decodedContent)
      #expect(sent.joined() == text)
      for part in sent {
        #expect(part.unicodeScalars.count <= 10_000)
      }
      for part in sent.dropLast() {
        #expect(part.hasSuffix("。") || part.hasSuffix("\n") || part.hasSuffix("！"))
      }
      let expected = text.scalarRanges(of: "优惠券")
      #expect(expected.count == 3)
      #expect(result.hits.compactMap(\.scalarRange) == expected)
      #expect(Set(result.hits.map(\.part)).count >= 2)
      let scalars = Array(text.unicodeScalars)
      for range in result.hits.compactMap(\.scalarRange) {
        var view = String.UnicodeScalarView()
        view.append(contentsOf: scalars[range])
        #expect(String(view) == "优惠券")
      }
    }
  }

  @Test("textModeration rejects empty and over-long content locally, without a request")
  func localLimits() async throws {
    try await withFakeTMS { server, client, _ in
      let long = await tencentError {
        _ = try await client.textModeration(TextModerationRequest(content: String(repeating: "字", count: 10_001)))
      }
      #expect(long?.code == .invalidInput)
      let empty = await tencentError { _ = try await client.textModeration(TextModerationRequest(content: "")) }
      #expect(empty?.code == .invalidInput)
      let nothing = try await client.moderate("")
      #expect(nothing.suggestion == .pass)
      #expect(server.requests.isEmpty)
    }
  }

  @Test("an unknown suggestion is kept; a missing one leaves the result without a suggestion")
  func unknownSuggestion() async throws {
    try await withFakeTMS { server, client, _ in
      server.inject(.rawResponse(#"{"Response":{"Suggestion":"Escalate","Label":"Moan","RequestId":"r-1"}}"#))
      let unknown = try await client.moderate(Self.example)
      #expect(unknown.suggestion?.rawValue == "Escalate")
      #expect(unknown.labels.map(\.rawValue) == ["Moan"])

      server.inject(.rawResponse(#"{"Response":{"Label":"Normal","RequestId":"r-2"}}"#))
      let missing = try await client.moderate(Self.example)
      #expect(missing.suggestion == nil)
    }
  }

  @Test("an error answer without a code is still an error, not a pass")
  func errorWithoutCode() async throws {
    try await withFakeTMS { server, client, _ in
      server.inject(.rawResponse(#"{"Response":{"Error":{},"RequestId":"r-3"}}"#))
      let error = await tencentError { _ = try await client.moderate(Self.example) }
      #expect(error?.code == .serviceError)
      #expect(error?.requestID == "r-3")
    }
  }
}
