public import AsyncHTTPClient
internal import Foundation
internal import NIOCore

/// A client for Tencent Cloud TMS `TextModeration` (文本内容安全, API version 2020-12-29).
///
/// Requests are POSTed as JSON to the configured endpoint and signed with TC3-HMAC-SHA256 over
/// `content-type;host;x-tc-action`; the exact bytes sent are the bytes hashed. Tencent answers
/// HTTP 200 even for errors, so the client reads `Response.Error`. Rate limiting, internal
/// errors, HTTP statuses other than 200, timeouts and connection resets are retried with
/// full-jitter exponential backoff (``RetryPolicy``); authentication, parameter and quota errors
/// are not, and surface as ``TencentCloudError/Code/configuration``.
///
/// ```swift
/// let client = try TextModerationClient(credentials: .fromEnvironment())
/// let result = try await client.moderate("加我好友 给你优惠券")
/// try await client.shutdown()
/// ```
///
/// The client never puts the credentials in its description, its errors or anywhere else a
/// person or a log could see them.
public final class TextModerationClient: Sendable, CustomStringConvertible {
  /// The API action.
  package static let action = "TextModeration"
  /// The API version.
  package static let version = "2020-12-29"
  /// The signature scope's service. Fixed, not taken from the host: test servers are `127.0.0.1`.
  package static let service = "tms"
  /// The `Content-Type` sent and signed (exactly: some HTTP libraries append a charset).
  package static let contentType = "application/json; charset=utf-8"
  /// The headers signed.
  package static let signedHeaders = ["content-type", "host", "x-tc-action"]

  /// Time, sleeping and randomness, injectable for tests.
  package struct Hooks: Sendable {
    /// The current Unix time in seconds (`X-TC-Timestamp`).
    package var now: @Sendable () -> Int64
    /// Sleeps between attempts.
    package var sleep: @Sendable (Duration) async throws -> Void
    /// A random fraction in `0..<1` for the backoff jitter.
    package var random: @Sendable () -> Double

    /// The real clock, `Task.sleep` and the system random generator.
    package static let live = Hooks(
      now: { Int64(Date().timeIntervalSince1970) },
      sleep: { try await Task.sleep(for: $0) },
      random: { Double.random(in: 0..<1) })

    /// Creates hooks.
    package init(
      now: @escaping @Sendable () -> Int64, sleep: @escaping @Sendable (Duration) async throws -> Void,
      random: @escaping @Sendable () -> Double
    ) {
      self.now = now
      self.sleep = sleep
      self.random = random
    }
  }

  /// The endpoint, region, timeouts and retry policy.
  public let configuration: TencentCloudConfiguration
  private let credentials: TencentCloudCredentials
  private let signer: TC3Signer
  private let transport: any TencentCloudTransport
  private let ownedHTTPClient: HTTPClient?
  private let hooks: Hooks

  /// Creates a client with its own HTTP client, configured with the connect timeout.
  ///
  /// Call ``shutdown()`` when done; a client that is released without it shuts its HTTP client
  /// down in the background.
  ///
  /// - Parameters:
  ///   - configuration: Endpoint, region, timeouts and retries.
  ///   - credentials: The API key pair.
  /// - Throws: ``TencentCloudError`` (``TencentCloudError/Code/configuration``) when the
  ///   configuration is invalid.
  public convenience init(
    configuration: TencentCloudConfiguration = TencentCloudConfiguration(), credentials: TencentCloudCredentials
  ) throws(TencentCloudError) {
    try self.init(configuration: configuration, credentials: credentials, hooks: .live)
  }

  /// Creates a client that sends through an HTTP client you own (and shut down).
  ///
  /// The connect timeout is then the HTTP client's own; the request timeout still applies.
  ///
  /// - Parameters:
  ///   - configuration: Endpoint, region, timeouts and retries.
  ///   - credentials: The API key pair.
  ///   - httpClient: The HTTP client to use.
  /// - Throws: ``TencentCloudError`` (``TencentCloudError/Code/configuration``) when the
  ///   configuration is invalid.
  public convenience init(
    configuration: TencentCloudConfiguration = TencentCloudConfiguration(), credentials: TencentCloudCredentials,
    httpClient: HTTPClient
  ) throws(TencentCloudError) {
    try configuration.validate()
    self.init(
      configuration: configuration, credentials: credentials, transport: HTTPClientTransport(client: httpClient),
      ownedHTTPClient: nil, hooks: .live)
  }

  /// Creates a client over any transport, with injectable time, sleep and randomness.
  package convenience init(
    configuration: TencentCloudConfiguration, credentials: TencentCloudCredentials,
    transport: any TencentCloudTransport, hooks: Hooks
  ) {
    self.init(
      configuration: configuration, credentials: credentials, transport: transport, ownedHTTPClient: nil, hooks: hooks)
  }

  /// Creates a client with its own HTTP client and injectable time, sleep and randomness.
  package convenience init(
    configuration: TencentCloudConfiguration, credentials: TencentCloudCredentials, hooks: Hooks
  ) throws(TencentCloudError) {
    try configuration.validate()
    var http = HTTPClient.Configuration()
    http.timeout = HTTPClient.Configuration.Timeout(connect: TimeAmount(configuration.connectTimeout))
    http.redirectConfiguration = .disallow
    let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: http)
    self.init(
      configuration: configuration, credentials: credentials, transport: HTTPClientTransport(client: client),
      ownedHTTPClient: client, hooks: hooks)
  }

  private init(
    configuration: TencentCloudConfiguration, credentials: TencentCloudCredentials,
    transport: any TencentCloudTransport, ownedHTTPClient: HTTPClient?, hooks: Hooks
  ) {
    self.configuration = configuration
    self.credentials = credentials
    self.signer = TC3Signer(secretID: credentials.secretID, secretKey: credentials.secretKey)
    self.transport = transport
    self.ownedHTTPClient = ownedHTTPClient
    self.hooks = hooks
  }

  deinit {
    // Shutting down twice reports `alreadyShutdown` to the callback, which is ignored.
    ownedHTTPClient?.shutdown { _ in }
  }

  /// Shuts down the HTTP client this client created (a no-op for one you passed in).
  ///
  /// - Throws: What the HTTP client's shutdown throws.
  public func shutdown() async throws {
    try await ownedHTTPClient?.shutdown()
  }

  /// `TextModerationClient(endpoint: …, region: …)`, without credentials.
  public var description: String {
    "TextModerationClient(endpoint: \(configuration.endpoint), region: \(configuration.region), credentials: <redacted>)"
  }

  // MARK: - Moderating texts

  /// Moderates a text of any length: splits it at sentence boundaries into parts under the
  /// 10,000-character limit, sends one request per part (in order), and maps every hit position
  /// back to the original text.
  ///
  /// - Parameters:
  ///   - text: The text. An empty text is not sent and passes.
  ///   - options: Strategy, ids, user and device sent with every part.
  /// - Returns: The merged result.
  /// - Throws: ``TencentCloudError`` when any part fails after the retry policy.
  public func moderate(
    _ text: String, options: TextModerationOptions = TextModerationOptions()
  ) async throws(TencentCloudError) -> TextModerationResult {
    if text.isEmpty {
      return TextModerationResult(text: text, suggestion: .pass, responses: [], hits: [])
    }
    let parts = TextSplitter(limit: min(options.maximumPartLength, TextSplitter.serviceLimit)).split(text)
    var responses: [TextModerationResponse] = []
    var hits: [TextModerationHit] = []
    for (index, part) in parts.enumerated() {
      let request = TextModerationRequest(
        content: part.text, bizType: options.bizType, dataID: options.dataID, sessionID: options.sessionID,
        user: options.user, device: options.device)
      let response = try await textModeration(request)
      responses.append(response)
      hits += HitCollector(part: part, partIndex: index, response: response).hits()
    }
    return TextModerationResult(
      text: text, suggestion: TextModerationResult.merge(responses.map(\.suggestion)), responses: responses,
      hits: hits)
  }

  /// Sends one `TextModeration` request, retrying transient failures.
  ///
  /// - Parameter request: The request; its content must be 1–10,000 Unicode scalars.
  /// - Returns: The decoded response.
  /// - Throws: ``TencentCloudError``.
  public func textModeration(_ request: TextModerationRequest) async throws(TencentCloudError) -> TextModerationResponse
  {
    let length = request.content.unicodeScalars.count
    if length == 0 {
      throw TencentCloudError(.invalidInput, "the text is empty")
    }
    if length > TextSplitter.serviceLimit {
      throw TencentCloudError(
        .invalidInput,
        "the text has \(length) characters; TextModeration accepts at most \(TextSplitter.serviceLimit) (use moderate(_:options:), which splits)"
      )
    }
    let body: [UInt8]
    do {
      body = try request.body()
    } catch {
      throw TencentCloudError(.invalidInput, "the request could not be encoded as JSON", underlying: error)
    }
    let policy = configuration.retry
    var attempt = 0
    while true {
      attempt += 1
      let failure: AttemptFailure
      do {
        return try await send(body: body)
      } catch let error as AttemptFailure {
        failure = error
      } catch {
        failure = AttemptFailure(
          TencentCloudError(.transport, "the request failed: \(error)", underlying: error), retryable: false)
      }
      var error = failure.error
      error.attempts = attempt
      guard failure.retryable, attempt < policy.maxAttempts else { throw error }
      do {
        try await hooks.sleep(policy.delay(beforeRetry: attempt, random: hooks.random()))
      } catch {
        throw TencentCloudError(.transport, "cancelled while waiting to retry after: \(error)", attempts: attempt)
      }
    }
  }

  /// A failed attempt, and whether the retry policy may try again.
  private struct AttemptFailure: Error {
    var error: TencentCloudError
    var retryable: Bool

    init(_ error: TencentCloudError, retryable: Bool) {
      self.error = error
      self.retryable = retryable
    }
  }

  /// One signed HTTP exchange. Throws ``AttemptFailure``.
  private func send(body: [UInt8]) async throws -> TextModerationResponse {
    let endpoint = configuration.endpoint
    let timestamp = hooks.now()
    var headers: [(name: String, value: String)] = [
      ("Content-Type", Self.contentType),
      ("Host", endpoint.hostHeader),
      ("X-TC-Action", Self.action),
      ("X-TC-Version", Self.version),
      ("X-TC-Timestamp", String(timestamp)),
      ("X-TC-Region", configuration.region),
    ]
    if let token = credentials.sessionToken {
      headers.append(("X-TC-Token", token))
    }
    let signature = signer.sign(
      headers: headers, signedHeaders: Self.signedHeaders, payload: body, timestamp: timestamp, service: Self.service)
    headers.insert(("Authorization", signature.authorization), at: 0)

    let response: TransportResponse
    do {
      response = try await transport.send(
        TransportRequest(url: endpoint.url, headers: headers, body: body), timeout: configuration.requestTimeout)
    } catch let failure as TransportFailure {
      switch failure.kind {
      case .timeout:
        throw AttemptFailure(
          TencentCloudError(
            .timeout, "no response from \(endpoint) within the timeout (\(failure))", underlying: failure.underlying),
          retryable: true)
      case .connectionReset:
        throw AttemptFailure(
          TencentCloudError(
            .transport, "the connection to \(endpoint) was reset (\(failure))", underlying: failure.underlying),
          retryable: true)
      case .other:
        throw AttemptFailure(
          TencentCloudError(.transport, "cannot reach \(endpoint): \(failure)", underlying: failure.underlying),
          retryable: false)
      }
    }
    return try Self.interpret(response, redacting: credentials)
  }

  /// Turns an HTTP response into a result or a classified failure.
  private static func interpret(
    _ response: TransportResponse, redacting credentials: TencentCloudCredentials
  ) throws -> TextModerationResponse {
    guard response.status == 200 else {
      throw AttemptFailure(
        TencentCloudError(
          .transport,
          "HTTP \(response.status) from a gateway or proxy (Tencent answers 200 when it processed a request)",
          httpStatus: response.status),
        retryable: true)
    }
    let envelope: ResponseEnvelope
    do {
      envelope = try JSONDecoder().decode(ResponseEnvelope.self, from: Data(response.body))
    } catch {
      throw AttemptFailure(
        TencentCloudError(
          .invalidResponse, "the response is not the documented {\"Response\": …} JSON (\(response.body.count) bytes)",
          underlying: error),
        retryable: false)
    }
    let body = envelope.response
    guard let serviceError = body.error else {
      return body.result
    }
    let code = serviceError.code ?? ""
    let message = credentials.redact(serviceError.message ?? "")
    let (kind, retryable) = classify(serviceCode: code)
    throw AttemptFailure(
      TencentCloudError(kind, explain(code, message), serviceCode: code, requestID: body.requestID),
      retryable: retryable)
  }

  /// Sorts a Tencent error code into retried (transient) and not retried.
  package static func classify(serviceCode code: String) -> (TencentCloudError.Code, retryable: Bool) {
    func family(_ name: String) -> Bool { code == name || code.hasPrefix(name + ".") }
    if family("RequestLimitExceeded") {
      return (.rateLimited, true)
    }
    if family("InternalError") || family("ServiceUnavailable") || family("ResourceUnavailable") {
      return (.serviceUnavailable, true)
    }
    let configurationFamilies = [
      "AuthFailure", "UnauthorizedOperation", "InvalidParameter", "InvalidParameterValue", "MissingParameter",
      "UnknownParameter", "NoSuchVersion", "InvalidAction", "UnsupportedRegion", "LimitExceeded", "NoSuchProduct",
      "ActionOffline", "IpInBlacklist", "IpNotInWhitelist", "UnsupportedProtocol", "RequestSizeLimitExceeded",
      "InvalidRequest",
    ]
    if configurationFamilies.contains(where: family) {
      return (.configuration, false)
    }
    return (.serviceError, false)
  }

  /// A message a person can act on, for the codes where Tencent's own is not enough.
  private static func explain(_ code: String, _ message: String) -> String {
    let hint: String? =
      switch code {
      case "AuthFailure.SignatureExpire":
        "this machine's clock differs from Tencent's by more than 5 minutes (clock skew): fix the clock (NTP)"
      case "AuthFailure.SecretIdNotFound", "AuthFailure.InvalidSecretId":
        "the SecretId is unknown: check \(TencentCloudCredentials.secretIDVariable)"
      case "AuthFailure.SignatureFailure":
        "the signature does not match: check \(TencentCloudCredentials.secretKeyVariable)"
      case "AuthFailure.TokenFailure":
        "the session token is invalid or expired: check \(TencentCloudCredentials.sessionTokenVariable)"
      case "UnauthorizedOperation.Unauthorized":
        "TMS is not activated for this account, has no valid package, or the account is in arrears"
      case "UnsupportedRegion":
        "TMS does not serve this region: set another (HEGUI_TMS_REGION or the pipeline's region)"
      case "InvalidParameterValue.InvalidBizType":
        "the BizType (strategy) is not valid for this account"
      default: nil
      }
    switch (hint, message.isEmpty) {
    case let (hint?, true): return hint
    case let (hint?, false): return "\(hint) (Tencent: \(message))"
    case (nil, true): return "Tencent Cloud rejected the request"
    case (nil, false): return message
    }
  }
}

/// What to send with every part of a text.
public struct TextModerationOptions: Sendable, Hashable {
  /// The moderation strategy (`BizType`), or `nil` for the account's default.
  public var bizType: String?
  /// Your id for the text (`DataId`), sent with every part.
  public var dataID: String?
  /// The conversation id (`SessionId`).
  public var sessionID: String?
  /// The author's account (`User`).
  public var user: TextModerationUser?
  /// The author's device (`Device`).
  public var device: TextModerationDevice?
  /// The longest part, in Unicode scalars; capped at the service's 10,000.
  public var maximumPartLength: Int

  /// Creates options.
  ///
  /// - Parameters:
  ///   - bizType: The strategy (`BizType`).
  ///   - dataID: Your id for the text (`DataId`).
  ///   - sessionID: The conversation id (`SessionId`).
  ///   - user: The author's account.
  ///   - device: The author's device.
  ///   - maximumPartLength: The longest part in scalars (default and maximum 10,000).
  public init(
    bizType: String? = nil, dataID: String? = nil, sessionID: String? = nil, user: TextModerationUser? = nil,
    device: TextModerationDevice? = nil, maximumPartLength: Int = 10_000
  ) {
    self.bizType = bizType
    self.dataID = dataID
    self.sessionID = sessionID
    self.user = user
    self.device = device
    self.maximumPartLength = maximumPartLength
  }
}
