/// An error from Tencent Cloud text moderation: what went wrong, what Tencent said, and what
/// caused it.
///
/// Switch on ``code`` to react; show ``description`` to people. Neither the description nor any
/// field ever contains the secret id, secret key or session token: messages that Tencent sends
/// back are redacted before they are stored here.
///
/// ``Code/configuration`` errors (authentication, parameters, account state, quota, a bad
/// endpoint) are never retried: a retry cannot fix them and may be billed. The others are
/// reported after the client's retry policy gave up, or immediately when they are not transient.
public struct TencentCloudError: Error, CustomStringConvertible, Sendable {
  /// The kind of failure. New codes may be added; switch with a `default`.
  public struct Code: Hashable, Sendable, CustomStringConvertible {
    fileprivate enum Value: String, Sendable {
      case configuration, rateLimited, serviceUnavailable, serviceError, transport, timeout, invalidResponse
      case invalidInput
    }
    fileprivate let value: Value

    /// Something a person must fix: missing or wrong credentials, clock skew, an unsupported
    /// region, an invalid `BizType`, a parameter Tencent rejects, TMS not activated or the
    /// account in arrears, a quota (`LimitExceeded`), an invalid endpoint.
    public static let configuration = Code(value: .configuration)
    /// Tencent throttled every attempt (`RequestLimitExceeded*`).
    public static let rateLimited = Code(value: .rateLimited)
    /// Tencent reported a transient failure on every attempt (`InternalError*`,
    /// `ServiceUnavailable`, `ResourceUnavailable`).
    public static let serviceUnavailable = Code(value: .serviceUnavailable)
    /// Tencent returned an error code that is neither transient nor a known configuration
    /// problem (for example `FailedOperation`). Not retried.
    public static let serviceError = Code(value: .serviceError)
    /// The HTTP exchange failed: connection refused or reset, or an HTTP status other than 200
    /// (Tencent answers 200 whenever it processed a request, so another status means a gateway
    /// or network problem).
    public static let transport = Code(value: .transport)
    /// No complete response within the connect or request timeout.
    public static let timeout = Code(value: .timeout)
    /// A response with HTTP 200 that is not the documented JSON shape.
    public static let invalidResponse = Code(value: .invalidResponse)
    /// The request cannot be sent as it is (empty content, content over the service limit).
    public static let invalidInput = Code(value: .invalidInput)

    /// The code's name (`configuration`, `rateLimited`, …).
    public var description: String { value.rawValue }
  }

  /// What kind of failure this is.
  public var code: Code
  /// A message a person can act on.
  public var message: String
  /// Tencent's error code (`Response.Error.Code`, e.g. `AuthFailure.SignatureFailure`), when
  /// Tencent answered with one.
  public var serviceCode: String?
  /// Tencent's `RequestId`, when there is one: quote it to Tencent support.
  public var requestID: String?
  /// The HTTP status, when the failure is an HTTP status other than 200.
  public var httpStatus: Int?
  /// How many HTTP requests were made before giving up (0 when none was sent).
  public var attempts: Int
  /// The error that caused this one, if any (a transport or decoding error).
  public var underlying: (any Error & Sendable)?

  /// Creates an error.
  ///
  /// - Parameters:
  ///   - code: The kind of failure.
  ///   - message: A message a person can act on; it must not contain credentials.
  ///   - serviceCode: Tencent's error code, if any.
  ///   - requestID: Tencent's request id, if any.
  ///   - httpStatus: The HTTP status, if it was not 200.
  ///   - attempts: How many requests were sent.
  ///   - underlying: The cause.
  public init(
    _ code: Code, _ message: String, serviceCode: String? = nil, requestID: String? = nil, httpStatus: Int? = nil,
    attempts: Int = 0, underlying: (any Error & Sendable)? = nil
  ) {
    self.code = code
    self.message = message
    self.serviceCode = serviceCode
    self.requestID = requestID
    self.httpStatus = httpStatus
    self.attempts = attempts
    self.underlying = underlying
  }

  /// `Tencent Cloud TMS <code>: [<service code>: ]<message> (RequestId …, N attempts)`.
  public var description: String {
    var text = "Tencent Cloud TMS \(code): "
    if let serviceCode { text += "\(serviceCode): " }
    text += message
    var notes: [String] = []
    if let requestID { notes.append("RequestId \(requestID)") }
    if attempts > 1 { notes.append("\(attempts) attempts") }
    if !notes.isEmpty { text += " (\(notes.joined(separator: ", ")))" }
    return text
  }
}
