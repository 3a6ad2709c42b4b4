import AsyncHTTPClient
import Foundation
import HeguiTencentCloud
import HeguiTencentCloudTestSupport
import NIOCore
import NIOHTTP1
import Testing

/// The fake must check what the real service checks, or the client tests prove nothing. These
/// tests send hand-built requests, signed the ways the official SDKs sign, and tampered ones.
@Suite("The fake TMS server checks what the real service checks")
struct FakeTMSServerTests {
  struct Exchange {
    var status: Int
    var body: [String: Any]

    var errorCode: String? {
      ((body["Response"] as? [String: Any])?["Error"] as? [String: Any])?["Code"] as? String
    }
    var response: [String: Any]? { body["Response"] as? [String: Any] }
  }

  /// A request description that the tests tamper with.
  struct Draft {
    var method: HTTPMethod = .POST
    var path = "/"
    var headers: [(name: String, value: String)]
    var signedHeaders = ["content-type", "host", "x-tc-action"]
    var body: [UInt8]
    var timestamp = Int64(Date().timeIntervalSince1970)
    var secretID = FakeTMSServer.secretID
    var secretKey = FakeTMSServer.secretKey
    var service = "tms"
    /// Applied after signing: what an attacker or a buggy HTTP library changes.
    var afterSigning: (inout [(name: String, value: String)], inout [UInt8]) -> Void = { _, _ in }
    var authorization: String?

    init(port: Int, content: String = "加我好友 给你优惠券", extraBody: String = "") {
      let base64 = Data(content.utf8).base64EncodedString()
      body = Array(#"{"Content":"\#(base64)"\#(extraBody)}"#.utf8)
      headers = [
        ("Content-Type", "application/json; charset=utf-8"), ("Host", "127.0.0.1:\(port)"),
        ("X-TC-Action", "TextModeration"), ("X-TC-Version", "2020-12-29"), ("X-TC-Region", "ap-guangzhou"),
      ]
    }
  }

  func send(_ draft: Draft, to server: FakeTMSServer) async throws -> Exchange {
    var headers = draft.headers
    headers.append(("X-TC-Timestamp", String(draft.timestamp)))
    let signature = TC3Signer(secretID: draft.secretID, secretKey: draft.secretKey).sign(
      method: draft.method.rawValue, headers: headers, signedHeaders: draft.signedHeaders, payload: draft.body,
      timestamp: draft.timestamp, service: draft.service)
    headers.append(("Authorization", draft.authorization ?? signature.authorization))
    var body = draft.body
    draft.afterSigning(&headers, &body)
    var request = HTTPClientRequest(url: "http://127.0.0.1:\(server.port)\(draft.path)")
    request.method = draft.method
    for header in headers { request.headers.add(name: header.name, value: header.value) }
    if draft.method == .POST { request.body = .bytes(ByteBuffer(bytes: body)) }
    let response = try await HTTPClient.shared.execute(request, timeout: .seconds(5))
    let bytes = try await response.body.collect(upTo: 1 << 20)
    let object = try JSONSerialization.jsonObject(with: Data(bytes.readableBytesView)) as? [String: Any]
    return Exchange(status: Int(response.status.code), body: object ?? [:])
  }

  func withServer(_ body: (FakeTMSServer) async throws -> Void) async throws {
    let server = try await FakeTMSServer.start()
    do {
      try await body(server)
      try await server.stop()
    } catch {
      try? await server.stop()
      throw error
    }
  }

  @Test("the official example answers in the real shape: nulls, {} and positions [7, 10)")
  func officialShape() async throws {
    try await withServer { server in
      let exchange = try await send(
        Draft(port: server.port, extraBody: #","BizType":"TencentCloudDefault""#), to: server)
      #expect(exchange.status == 200)
      let response = try #require(exchange.response)
      #expect(response["Suggestion"] as? String == "Block")
      #expect(response["Label"] as? String == "Ad")
      #expect(response["BizType"] as? String == "TencentCloudDefault")
      #expect(response["RiskDetails"] is NSNull)
      #expect((response["SentimentAnalysis"] as? [String: Any])?.isEmpty == true)
      #expect(response["RequestId"] as? String != nil)
      let details = try #require(response["DetailResults"] as? [[String: Any]])
      #expect(details.count == 6)
      #expect(details.allSatisfy { $0["Tags"] is NSNull })
      let ad = try #require(details.first { $0["Label"] as? String == "Ad" })
      let hit = try #require((ad["HitInfos"] as? [[String: Any]])?.first)
      let position = try #require((hit["Positions"] as? [[String: Any]])?.first)
      #expect(position["Start"] as? Int == 7)
      #expect(position["End"] as? Int == 10)
    }
  }

  @Test("Go and Python SDK style (content-type;host, no charset) verifies")
  func sdkStyle() async throws {
    try await withServer { server in
      var draft = Draft(port: server.port)
      draft.headers[0].value = "application/json"
      draft.signedHeaders = ["content-type", "host"]
      let draftCode = try await send(draft, to: server).errorCode
      #expect(draftCode == nil)
    }
  }

  @Test("teco style (every x-tc header signed) verifies")
  func tecoStyle() async throws {
    try await withServer { server in
      var draft = Draft(port: server.port)
      draft.signedHeaders = ["content-type", "host", "x-tc-action", "x-tc-region", "x-tc-timestamp", "x-tc-version"]
      let draftCode = try await send(draft, to: server).errorCode
      #expect(draftCode == nil)
    }
  }

  @Test("UNSIGNED-PAYLOAD verifies")
  func unsignedPayload() async throws {
    try await withServer { server in
      var draft = Draft(port: server.port)
      draft.headers.append(("X-TC-Content-SHA256", "UNSIGNED-PAYLOAD"))
      // The signer hashes the payload it is given: give it the literal, send the real body.
      let realBody = draft.body
      draft.body = Array("UNSIGNED-PAYLOAD".utf8)
      draft.afterSigning = { _, body in body = realBody }
      let draftCode = try await send(draft, to: server).errorCode
      #expect(draftCode == nil)
    }
  }

  @Test("a body changed after signing fails the signature")
  func tamperedBody() async throws {
    try await withServer { server in
      var draft = Draft(port: server.port)
      draft.afterSigning = { _, body in
        body = Array(#"{"Content":"5L2g5aW9"}"#.utf8)
      }
      let draftCode = try await send(draft, to: server).errorCode
      #expect(draftCode == "AuthFailure.SignatureFailure")
    }
  }

  @Test("a Content-Type sent differently from the one signed fails the signature")
  func tamperedContentType() async throws {
    try await withServer { server in
      var draft = Draft(port: server.port)
      draft.afterSigning = { headers, _ in
        headers[0].value = "application/json"
      }
      let draftCode = try await send(draft, to: server).errorCode
      #expect(draftCode == "AuthFailure.SignatureFailure")
    }
  }

  @Test("a Host signed without the port fails the signature")
  func hostWithoutPort() async throws {
    try await withServer { server in
      var draft = Draft(port: server.port)
      draft.headers[1].value = "127.0.0.1"
      draft.afterSigning = { headers, _ in
        headers[1].value = "127.0.0.1:\(server.port)"
      }
      let draftCode = try await send(draft, to: server).errorCode
      #expect(draftCode == "AuthFailure.SignatureFailure")
    }
  }

  @Test("a wrong key, an unknown id, a wrong scope")
  func credentials() async throws {
    try await withServer { server in
      var wrongKey = Draft(port: server.port)
      wrongKey.secretKey = "wrong"
      let wrongKeyCode = try await send(wrongKey, to: server).errorCode
      #expect(wrongKeyCode == "AuthFailure.SignatureFailure")
      var unknown = Draft(port: server.port)
      unknown.secretID = "AKIDnobody"
      let unknownCode = try await send(unknown, to: server).errorCode
      #expect(unknownCode == "AuthFailure.SecretIdNotFound")
      var service = Draft(port: server.port)
      service.service = "cvm"
      let serviceCode = try await send(service, to: server).errorCode
      #expect(serviceCode == "AuthFailure.SignatureFailure")
    }
  }

  @Test("timestamp skew: 300 s is accepted, 301 s is SignatureExpire")
  func skew() async throws {
    try await withServer { server in
      let now: Int64 = 1_700_000_000
      server.setClock { now }
      var edge = Draft(port: server.port)
      edge.timestamp = now - 300
      let edgeCode = try await send(edge, to: server).errorCode
      #expect(edgeCode == nil)
      var late = Draft(port: server.port)
      late.timestamp = now + 301
      let lateCode = try await send(late, to: server).errorCode
      #expect(lateCode == "AuthFailure.SignatureExpire")
    }
  }

  @Test("malformed Authorization headers and signed-header lists")
  func authorizationFormat() async throws {
    try await withServer { server in
      var malformed = Draft(port: server.port)
      malformed.authorization = "TC3-HMAC-SHA256 Credential=x, Signature=abc"
      let malformedCode = try await send(malformed, to: server).errorCode
      #expect(malformedCode == "AuthFailure.InvalidAuthorization")
      var noHost = Draft(port: server.port)
      noHost.signedHeaders = ["content-type", "x-tc-action"]
      let noHostCode = try await send(noHost, to: server).errorCode
      #expect(noHostCode == "AuthFailure.InvalidAuthorization")
    }
  }

  @Test("method, action, version and region")
  func envelope() async throws {
    try await withServer { server in
      var get = Draft(port: server.port)
      get.method = .GET
      let getCode = try await send(get, to: server).errorCode
      #expect(getCode == "UnsupportedProtocol")
      var action = Draft(port: server.port)
      action.headers[2].value = "DescribeInstances"
      let actionCode = try await send(action, to: server).errorCode
      #expect(actionCode == "InvalidAction")
      var version = Draft(port: server.port)
      version.headers[3].value = "2017-03-12"
      let versionCode = try await send(version, to: server).errorCode
      #expect(versionCode == "NoSuchVersion")
      var missingRegion = Draft(port: server.port)
      missingRegion.headers.remove(at: 4)
      let missingRegionCode = try await send(missingRegion, to: server).errorCode
      #expect(missingRegionCode == "MissingParameter")
      var region = Draft(port: server.port)
      region.headers[4].value = "mars-1"
      let regionCode = try await send(region, to: server).errorCode
      #expect(regionCode == "UnsupportedRegion")
      var path = Draft(port: server.port)
      path.path = "/v2"
      let pathCode = try await send(path, to: server).errorCode
      #expect(pathCode == "InvalidRequest")
    }
  }

  static let bodyCases: [(String, String)] = [
    (#"{"Content":"5L2g5aW9","Unknown":1}"#, "UnknownParameter"),
    (#"{"BizType":"abc"}"#, "MissingParameter"),
    (#"{"Content":"not base64!"}"#, "InvalidParameterValue.ErrTextContentType"),
    (#"{"Content":"/w=="}"#, "InvalidParameterValue.ErrFileContent"),
    (#"{"Content":"5L2g5aW9","BizType":"a b"}"#, "InvalidParameterValue.InvalidBizType"),
    (#"{"Content":"5L2g5aW9","DataId":"has/slash"}"#, "InvalidParameter"),
    (#"{"Content":"5L2g5aW9","Type":"IMAGE"}"#, "InvalidParameterValue.ErrType"),
    (#"{"Content":"5L2g5aW9","SourceLanguage":"fr"}"#, "InvalidParameter"),
    (#"{"Content":"5L2g5aW9","User":{"UserID":"x"}}"#, "UnknownParameter"),
    (#"["Content"]"#, "InvalidParameter"),
  ]

  @Test("body rules", arguments: bodyCases)
  func bodyRules(body: String, code: String) async throws {
    try await withServer { server in
      var draft = Draft(port: server.port)
      draft.body = Array(body.utf8)
      let draftCode = try await send(draft, to: server).errorCode
      #expect(draftCode == code)
    }
  }

  @Test("content over 10,000 Unicode scalars is rejected; 10,000 is accepted")
  func contentLength() async throws {
    try await withServer { server in
      let atLimit = Draft(port: server.port, content: String(repeating: "字", count: 10_000))
      let atLimitCode = try await send(atLimit, to: server).errorCode
      #expect(atLimitCode == nil)
      let over = Draft(port: server.port, content: String(repeating: "字", count: 10_001))
      let overCode = try await send(over, to: server).errorCode
      #expect(overCode == "InvalidParameterValue.ErrTextContentLen")
    }
  }

  @Test("faults are used one per request, in order, and every request is recorded")
  func faultsInOrder() async throws {
    try await withServer { server in
      server.inject(.rateLimit, times: 2)
      server.inject(.internalError)
      var codes: [String?] = []
      for _ in 0..<4 {
        let code = try await send(Draft(port: server.port), to: server).errorCode
        codes.append(code)
      }
      #expect(codes == ["RequestLimitExceeded", "RequestLimitExceeded", "InternalError", nil])
      #expect(server.requests.map(\.answer) == ["RequestLimitExceeded", "RequestLimitExceeded", "InternalError", "OK"])
    }
  }
}
