internal import Crypto
internal import Foundation

/// A scripted keyword: when the text contains it, the fake answers as Tencent would for a
/// keyword-library hit.
public struct FakeTMSKeyword: Sendable, Hashable {
  /// The keyword (matched as Unicode scalars, every non-overlapping occurrence).
  public var keyword: String
  /// `Label`, e.g. `Ad`.
  public var label: String
  /// `SubLabel`, may be empty.
  public var subLabel: String
  /// `Suggestion`: `Block`, `Review` or `Pass`.
  public var suggestion: String
  /// `Score`, 0–100.
  public var score: Int
  /// `LibType`: 1 black/white list, 2 custom library.
  public var libType: Int
  /// `LibName`.
  public var libName: String

  /// Creates a keyword.
  public init(
    _ keyword: String, label: String, subLabel: String = "", suggestion: String, score: Int = 100, libType: Int = 2,
    libName: String = "default_1_0_hegui"
  ) {
    self.keyword = keyword
    self.label = label
    self.subLabel = subLabel
    self.suggestion = suggestion
    self.score = score
    self.libType = libType
    self.libName = libName
  }

  /// The official `examples.json` case: 加我好友 给你优惠券 → Ad / Block, 优惠券 at [7, 10).
  public static let officialExample = FakeTMSKeyword(
    "优惠券", label: "Ad", suggestion: "Block", score: 100, libType: 2, libName: "default_1_0_ad")
}

/// A fault the fake injects into one request.
public enum FakeTMSFault: Sendable, Hashable {
  /// `RequestLimitExceeded` (after the request validated).
  case rateLimit
  /// `InternalError` (after the request validated).
  case internalError
  /// `AuthFailure.SignatureFailure`, whatever the signature.
  case authFailure
  /// `UnauthorizedOperation.Unauthorized`: not activated, no package, in arrears.
  case unauthorized
  /// Any `Response.Error` (after the request validated).
  case serviceError(code: String, message: String)
  /// The normal answer, sent after a delay (to go past the client's timeout).
  case delay(Duration)
  /// HTTP 502 with an HTML body, as a gateway sends.
  case badGateway
  /// HTTP 200 with a truncated JSON body.
  case malformedJSON
  /// The connection is reset (TCP RST) without a response.
  case connectionReset
  /// HTTP 200 with exactly this body.
  case rawResponse(String)
}

/// A request as the fake received it.
public struct FakeTMSRecordedRequest: Sendable {
  /// The HTTP method.
  public var method: String
  /// The request target (`/`).
  public var uri: String
  /// The headers in the order received.
  public var headers: [(name: String, value: String)]
  /// The body bytes.
  public var body: [UInt8]
  /// What the fake answered: a `Response.Error.Code`, `OK`, `HTTP 502`, `malformed JSON`,
  /// `raw`, or `reset`.
  public var answer: String

  /// The first value of a header (case-insensitive name).
  public func header(_ name: String) -> String? {
    headers.first { $0.name.lowercased() == name.lowercased() }?.value
  }

  /// The body's top-level keys, when it is a JSON object.
  public var bodyKeys: [String]? {
    (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any]).map { Array($0.keys).sorted() }
  }

  /// A top-level string field of the body.
  public func bodyString(_ key: String) -> String? {
    (try? JSONSerialization.jsonObject(with: Data(body)) as? [String: Any])?[key] as? String
  }

  /// `Content`, base64-decoded as UTF-8.
  public var decodedContent: String? {
    guard let content = bodyString("Content"), let data = Data(base64Encoded: content) else { return nil }
    return String(data: data, encoding: .utf8)
  }
}

/// What the server does with one request.
enum FakeTMSReply: Sendable {
  case reset
  case http(status: Int, contentType: String, body: [UInt8], delay: Duration?, answer: String)
}

/// The checks and answers of the fake, without sockets: what the real service checks, in the
/// order `reference/tencent-tms.md` §6 lists, and answers in the real response shape.
struct FakeTMSService: Sendable {
  static let action = "TextModeration"
  static let version = "2020-12-29"
  static let service = "tms"
  static let detailLabels = ["Polity", "Porn", "Abuse", "Ad", "Illegal", "Terror"]
  static let bodyKeys: Set<String> = [
    "Content", "BizType", "DataId", "User", "Device", "SourceLanguage", "Type", "SessionId", "BizTag",
  ]
  static let userKeys: Set<String> = [
    "UserId", "Nickname", "AccountType", "Gender", "Age", "Level", "Phone", "HeadUrl", "Desc", "RoomId",
    "ReceiverId", "SendTime",
  ]
  static let deviceKeys: Set<String> = ["IP", "Mac", "TokenId", "DeviceId", "IMEI", "IDFA", "IDFV"]

  var keys: [String: String]
  var tokens: [String: Set<String>]
  var regions: Set<String>
  var keywords: [FakeTMSKeyword]
  var now: Int64

  struct Failure: Error {
    var code: String
    var message: String
  }

  func reply(to request: FakeTMSRecordedRequest, fault: FakeTMSFault?) -> FakeTMSReply {
    switch fault {
    case .connectionReset?:
      return .reset
    case .badGateway?:
      let html =
        "<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>"
      return .http(status: 502, contentType: "text/html", body: Array(html.utf8), delay: nil, answer: "HTTP 502")
    case .malformedJSON?:
      return .http(
        status: 200, contentType: "application/json", body: Array(#"{"Response":{"Suggestion":"Pass","Lab"#.utf8),
        delay: nil, answer: "malformed JSON")
    case let .rawResponse(body)?:
      return .http(status: 200, contentType: "application/json", body: Array(body.utf8), delay: nil, answer: "raw")
    case .authFailure?:
      return error("AuthFailure.SignatureFailure", "The provided credentials could not be validated.")
    default:
      break
    }
    let text: String
    let fields: [String: Any]
    do {
      (text, fields) = try validate(request)
    } catch {
      return self.error(error.code, error.message)
    }
    switch fault {
    case .rateLimit?:
      return self.error("RequestLimitExceeded", "Your current request times exceeds limit, please retry later.")
    case .internalError?:
      return self.error("InternalError", "An internal error has occurred. Retry your request.")
    case .unauthorized?:
      return self.error("UnauthorizedOperation.Unauthorized", "未开通权限/无有效套餐包/账号已欠费。")
    case let .serviceError(code, message)?:
      return self.error(code, message)
    case let .delay(duration)?:
      return success(text: text, fields: fields, delay: duration)
    default:
      return success(text: text, fields: fields, delay: nil)
    }
  }

  // MARK: - Checks

  private func validate(_ request: FakeTMSRecordedRequest) throws(Failure) -> (String, [String: Any]) {
    // 1. Method and path.
    guard request.method == "POST" else {
      throw Failure(code: "UnsupportedProtocol", message: "This API supports POST with a JSON body only.")
    }
    guard request.uri == "/" else {
      throw Failure(code: "InvalidRequest", message: "The request path must be /.")
    }
    // 2. Action, version, region.
    guard let action = request.header("X-TC-Action") else {
      throw Failure(code: "MissingParameter", message: "The request is missing X-TC-Action.")
    }
    guard action == Self.action else {
      throw Failure(code: "InvalidAction", message: "The action `\(action)` is not found.")
    }
    guard request.header("X-TC-Version") == Self.version else {
      throw Failure(code: "NoSuchVersion", message: "The API version does not exist.")
    }
    guard let region = request.header("X-TC-Region"), !region.isEmpty else {
      throw Failure(code: "MissingParameter", message: "The request is missing a required parameter `Region`.")
    }
    guard regions.contains(region) else {
      throw Failure(code: "UnsupportedRegion", message: "The region `\(region)` is not supported.")
    }
    // 3. Authorization format and key id.
    guard let authorization = request.header("Authorization"),
      let match = authorization.wholeMatch(
        of:
          #/TC3-HMAC-SHA256 Credential=([^/]+)/([0-9]{4}-[0-9]{2}-[0-9]{2})/([a-z0-9]+)/tc3_request, SignedHeaders=([a-z0-9;-]+), Signature=([0-9a-f]{64})/#
      )
    else {
      throw Failure(code: "AuthFailure.InvalidAuthorization", message: "Authorization is not in the TC3 format.")
    }
    let secretID = String(match.1)
    let date = String(match.2)
    let service = String(match.3)
    let signedHeaders = String(match.4)
    let signature = String(match.5)
    guard let secretKey = keys[secretID] else {
      throw Failure(code: "AuthFailure.SecretIdNotFound", message: "The SecretId is not found.")
    }
    // 4. Timestamp skew, scope.
    guard let timestampText = request.header("X-TC-Timestamp"), let timestamp = Int64(timestampText) else {
      throw Failure(code: "MissingParameter", message: "The request is missing X-TC-Timestamp.")
    }
    guard abs(now - timestamp) <= 300 else {
      throw Failure(
        code: "AuthFailure.SignatureExpire",
        message: "Signature expired. Timestamp \(timestamp) differs from the server time \(now) by more than 300 s.")
    }
    guard date == Self.utcDate(timestamp), service == Self.service else {
      throw Failure(code: "AuthFailure.SignatureFailure", message: "The credential scope does not match the request.")
    }
    if let token = request.header("X-TC-Token") {
      guard tokens[secretID]?.contains(token) == true else {
        throw Failure(code: "AuthFailure.TokenFailure", message: "The token is invalid.")
      }
    } else if tokens[secretID] != nil {
      throw Failure(code: "AuthFailure.TokenFailure", message: "Temporary credentials need X-TC-Token.")
    }
    // 5. Signed headers and signature.
    let names = signedHeaders.split(separator: ";").map(String.init)
    guard names.contains("content-type"), names.contains("host"), names == names.sorted(),
      Set(names).count == names.count
    else {
      throw Failure(
        code: "AuthFailure.InvalidAuthorization",
        message: "SignedHeaders must include content-type and host, lower-case and sorted.")
    }
    var canonicalHeaders = ""
    for name in names {
      guard let value = request.header(name) else {
        throw Failure(code: "AuthFailure.SignatureFailure", message: "The signed header \(name) is missing.")
      }
      canonicalHeaders += "\(name):\(value.trimmingCharacters(in: .whitespaces).lowercased())\n"
    }
    let payloadHash =
      request.header("X-TC-Content-SHA256") == "UNSIGNED-PAYLOAD"
      ? Self.hex(SHA256.hash(data: Array("UNSIGNED-PAYLOAD".utf8))) : Self.hex(SHA256.hash(data: request.body))
    let canonicalRequest = "POST\n/\n\n\(canonicalHeaders)\n\(signedHeaders)\n\(payloadHash)"
    let stringToSign =
      "TC3-HMAC-SHA256\n\(timestamp)\n\(date)/\(service)/tc3_request\n"
      + Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))
    var key = SymmetricKey(data: Array("TC3\(secretKey)".utf8))
    for part in [date, service, "tc3_request"] {
      key = SymmetricKey(data: Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: key)))
    }
    let expected = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: key))
    guard Self.constantTimeEqual(expected, signature) else {
      throw Failure(
        code: "AuthFailure.SignatureFailure",
        message: "The provided credentials could not be validated. Please check your signature is correct.")
    }
    // 6. Body.
    guard request.header("Content-Type")?.lowercased().hasPrefix("application/json") == true else {
      throw Failure(code: "InvalidParameter", message: "The body must be JSON (Content-Type: application/json).")
    }
    guard let object = try? JSONSerialization.jsonObject(with: Data(request.body)),
      let fields = object as? [String: Any]
    else {
      throw Failure(code: "InvalidParameter", message: "The body is not a JSON object.")
    }
    if let unknown = fields.keys.sorted().first(where: { !Self.bodyKeys.contains($0) }) {
      throw Failure(code: "UnknownParameter", message: "The parameter `\(unknown)` is not recognized.")
    }
    for (key, allowed) in [("User", Self.userKeys), ("Device", Self.deviceKeys)] {
      guard let value = fields[key] else { continue }
      guard let nested = value as? [String: Any] else {
        throw Failure(code: "InvalidParameter", message: "`\(key)` must be an object.")
      }
      if let unknown = nested.keys.sorted().first(where: { !allowed.contains($0) }) {
        throw Failure(code: "UnknownParameter", message: "The parameter `\(key).\(unknown)` is not recognized.")
      }
    }
    guard let content = fields["Content"] else {
      throw Failure(code: "MissingParameter", message: "The request is missing a required parameter `Content`.")
    }
    guard let base64 = content as? String, let data = Data(base64Encoded: base64) else {
      throw Failure(code: "InvalidParameterValue.ErrTextContentType", message: "Content must be base64.")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw Failure(code: "InvalidParameterValue.ErrFileContent", message: "Content is not UTF-8.")
    }
    guard text.unicodeScalars.count <= 10_000 else {
      throw Failure(
        code: "InvalidParameterValue.ErrTextContentLen", message: "Content is longer than 10000 characters.")
    }
    if let bizType = fields["BizType"] {
      guard let value = bizType as? String, value.wholeMatch(of: #/[A-Za-z0-9_]{3,32}/#) != nil else {
        throw Failure(code: "InvalidParameterValue.InvalidBizType", message: "BizType is invalid.")
      }
    }
    if let dataID = fields["DataId"] {
      guard let value = dataID as? String, value.wholeMatch(of: #/[A-Za-z0-9_\-@#]{1,64}/#) != nil else {
        throw Failure(code: "InvalidParameter", message: "DataId is invalid.")
      }
    }
    if let type = fields["Type"] {
      guard let value = type as? String, value == "TEXT" || value == "TEXT_AIGC" else {
        throw Failure(code: "InvalidParameterValue.ErrType", message: "Type must be TEXT or TEXT_AIGC.")
      }
    }
    if let language = fields["SourceLanguage"] {
      guard let value = language as? String, value == "zh" || value == "en" else {
        throw Failure(code: "InvalidParameter", message: "SourceLanguage must be zh or en.")
      }
    }
    if let sessionID = fields["SessionId"], !(sessionID is String) {
      throw Failure(code: "InvalidParameter", message: "SessionId must be a string.")
    }
    return (text, fields)
  }

  // MARK: - Answers

  private func success(text: String, fields: [String: Any], delay: Duration?) -> FakeTMSReply {
    let scalars = Array(text.unicodeScalars)
    struct Hit {
      var rule: FakeTMSKeyword
      var ranges: [Range<Int>]
    }
    let hits: [Hit] = keywords.compactMap { rule in
      let ranges = Self.occurrences(of: Array(rule.keyword.unicodeScalars), in: scalars)
      return ranges.isEmpty ? nil : Hit(rule: rule, ranges: ranges)
    }
    var labels = Self.detailLabels
    for rule in keywords where !labels.contains(rule.label) { labels.append(rule.label) }

    var details: [[String: Any]] = []
    var best: (label: String, subLabel: String, suggestion: String, score: Int)?
    for label in labels {
      let labelHits = hits.filter { $0.rule.label == label }
      guard let first = labelHits.first else {
        details.append([
          "Label": label, "Suggestion": "Pass", "Keywords": [String](), "Score": 0, "LibType": 0, "LibId": "",
          "LibName": "", "SubLabel": "", "Tags": NSNull(), "HitInfos": [Any](),
        ])
        continue
      }
      let suggestion = labelHits.map(\.rule.suggestion).max { Self.rank($0) < Self.rank($1) } ?? "Pass"
      let score = labelHits.map(\.rule.score).max() ?? 0
      details.append([
        "Label": label, "Suggestion": suggestion, "Keywords": labelHits.map(\.rule.keyword), "Score": score,
        "LibType": first.rule.libType, "LibId": "", "LibName": first.rule.libName, "SubLabel": first.rule.subLabel,
        "Tags": NSNull(),
        "HitInfos": labelHits.map { hit -> [String: Any] in
          [
            "Type": "Keyword", "Keyword": hit.rule.keyword, "LibName": hit.rule.libName,
            "Positions": hit.ranges.map { ["Start": $0.lowerBound, "End": $0.upperBound] },
          ]
        },
      ])
      if best == nil || Self.rank(suggestion) > Self.rank(best?.suggestion ?? "Pass")
        || (Self.rank(suggestion) == Self.rank(best?.suggestion ?? "Pass") && score > best?.score ?? 0)
      {
        best = (label, first.rule.subLabel, suggestion, score)
      }
    }
    let response: [String: Any] = [
      "BizType": fields["BizType"] as? String ?? "",
      "Label": best?.label ?? "Normal",
      "SubLabel": best?.subLabel ?? "",
      "Suggestion": best?.suggestion ?? "Pass",
      "Keywords": hits.map(\.rule.keyword),
      "Score": best?.score ?? 0,
      "DetailResults": details,
      "RiskDetails": NSNull(),
      "Extra": "",
      "DataId": fields["DataId"] as? String ?? "",
      "ContextText": "",
      "SentimentAnalysis": [String: Any](),
      "HitType": "",
      "SessionId": fields["SessionId"] as? String ?? "",
      "RequestId": UUID().uuidString.lowercased(),
    ]
    return .http(
      status: 200, contentType: "application/json", body: Self.json(["Response": response]), delay: delay,
      answer: "OK")
  }

  private func error(_ code: String, _ message: String) -> FakeTMSReply {
    let body: [String: Any] = [
      "Response": ["Error": ["Code": code, "Message": message], "RequestId": UUID().uuidString.lowercased()]
    ]
    return .http(status: 200, contentType: "application/json", body: Self.json(body), delay: nil, answer: code)
  }

  // MARK: - Helpers

  static func json(_ object: Any) -> [UInt8] {
    (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]))
      .map(Array.init) ?? Array(#"{"Response":{"Error":{"Code":"InternalError","Message":"fake"}}}"#.utf8)
  }

  static func rank(_ suggestion: String) -> Int {
    switch suggestion {
    case "Block": 2
    case "Review": 1
    default: 0
    }
  }

  static func occurrences(of needle: [Unicode.Scalar], in haystack: [Unicode.Scalar]) -> [Range<Int>] {
    guard !needle.isEmpty, needle.count <= haystack.count else { return [] }
    var ranges: [Range<Int>] = []
    var index = 0
    while index + needle.count <= haystack.count {
      if Array(haystack[index..<(index + needle.count)]) == needle {
        ranges.append(index..<(index + needle.count))
        index += needle.count
      } else {
        index += 1
      }
    }
    return ranges
  }

  /// The UTC date of a timestamp, through Foundation's calendar (independent of the client's
  /// arithmetic, so that a bug in one is caught by the other).
  static func utcDate(_ timestamp: Int64) -> String {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = TimeZone(identifier: "UTC") ?? calendar.timeZone
    let parts = calendar.dateComponents(
      [.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(timestamp)))
    return String(format: "%04d-%02d-%02d", parts.year ?? 0, parts.month ?? 0, parts.day ?? 0)
  }

  static func hex(_ bytes: some Sequence<UInt8>) -> String {
    bytes.map { String(format: "%02x", $0) }.joined()
  }

  static func constantTimeEqual(_ lhs: String, _ rhs: String) -> Bool {
    let a = Array(lhs.utf8)
    let b = Array(rhs.utf8)
    guard a.count == b.count else { return false }
    var difference: UInt8 = 0
    for index in a.indices { difference |= a[index] ^ b[index] }
    return difference == 0
  }
}
