internal import Foundation

/// Where and how the client talks to Tencent Cloud TMS: endpoint, region, timeouts and retries.
///
/// The defaults suit an interactive lint: `https://tms.tencentcloudapi.com`, `ap-guangzhou`,
/// a 5-second connect timeout, a 10-second request timeout and at most 3 attempts. Values come
/// from code, from a pipeline file, and from the environment (``applyingEnvironment(_:)``), in
/// that order of increasing precedence.
public struct TencentCloudConfiguration: Sendable, Hashable {
  /// The environment variable that overrides the endpoint: a full URL such as
  /// `http://127.0.0.1:8080` (for test servers) or `https://tms.tencentcloudapi.com`.
  public static let endpointVariable = "HEGUI_TMS_ENDPOINT"
  /// The environment variable that overrides the region (`X-TC-Region`).
  public static let regionVariable = "HEGUI_TMS_REGION"
  /// The default region. TextModeration requires one; the SDKs' backup endpoint is in Guangzhou.
  public static let defaultRegion = "ap-guangzhou"

  /// The scheme, host and port requests go to.
  public var endpoint: TencentCloudEndpoint
  /// The region sent as `X-TC-Region`.
  public var region: String
  /// The longest time to wait for a TCP (and TLS) connection.
  public var connectTimeout: Duration
  /// The longest time one HTTP request may take, connection included. Each retry gets its own.
  public var requestTimeout: Duration
  /// When and how often to retry.
  public var retry: RetryPolicy

  /// Creates a configuration.
  ///
  /// - Parameters:
  ///   - endpoint: Where requests go (default `https://tms.tencentcloudapi.com`).
  ///   - region: `X-TC-Region` (default `ap-guangzhou`).
  ///   - connectTimeout: Connect timeout (default 5 s).
  ///   - requestTimeout: Timeout of one HTTP request (default 10 s).
  ///   - retry: The retry policy (default: 3 attempts, full-jitter exponential backoff).
  public init(
    endpoint: TencentCloudEndpoint = .default, region: String = defaultRegion, connectTimeout: Duration = .seconds(5),
    requestTimeout: Duration = .seconds(10), retry: RetryPolicy = RetryPolicy()
  ) {
    self.endpoint = endpoint
    self.region = region
    self.connectTimeout = connectTimeout
    self.requestTimeout = requestTimeout
    self.retry = retry
  }

  /// This configuration with `HEGUI_TMS_ENDPOINT` and `HEGUI_TMS_REGION` applied from the
  /// process environment, when they are set and not empty.
  ///
  /// - Throws: ``TencentCloudError`` (``TencentCloudError/Code/configuration``) when a
  ///   variable's value is invalid.
  public func applyingEnvironment() throws(TencentCloudError) -> Self {
    try applyingEnvironment(ProcessInfo.processInfo.environment)
  }

  /// This configuration with `HEGUI_TMS_ENDPOINT` and `HEGUI_TMS_REGION` applied from the given
  /// variables, when they are set and not empty.
  ///
  /// - Parameter environment: The variables to read.
  /// - Throws: ``TencentCloudError`` (``TencentCloudError/Code/configuration``) when a
  ///   variable's value is invalid; the message names the variable.
  public func applyingEnvironment(_ environment: [String: String]) throws(TencentCloudError) -> Self {
    var copy = self
    if let value = environment[Self.endpointVariable], !value.isEmpty {
      do {
        copy.endpoint = try TencentCloudEndpoint(value)
      } catch {
        throw TencentCloudError(.configuration, "\(Self.endpointVariable): \(error.message)")
      }
    }
    if let value = environment[Self.regionVariable], !value.isEmpty {
      copy.region = value
    }
    try copy.validate()
    return copy
  }

  /// Checks the values that can be wrong: an empty or malformed region, a non-positive
  /// timeout, fewer than one attempt.
  ///
  /// - Throws: ``TencentCloudError`` (``TencentCloudError/Code/configuration``).
  public func validate() throws(TencentCloudError) {
    if region.isEmpty || !region.unicodeScalars.allSatisfy({ $0.isASCIIRegionCharacter }) {
      throw TencentCloudError(.configuration, "invalid region '\(region)': expected e.g. ap-guangzhou")
    }
    if connectTimeout <= .zero || requestTimeout <= .zero {
      throw TencentCloudError(.configuration, "timeouts must be positive")
    }
    try retry.validate()
  }
}

extension Unicode.Scalar {
  fileprivate var isASCIIRegionCharacter: Bool {
    ("a"..."z").contains(self) || ("0"..."9").contains(self) || self == "-"
  }
}

/// Where requests go: scheme, host and port.
///
/// Plain `http` is accepted only for loopback hosts (`127.0.0.0/8`, `::1`, `localhost`), which is
/// what test servers need: elsewhere it would send the texts and replayable signed requests in
/// clear. The URL path must be empty or `/` (Tencent Cloud API 3.0 always posts to `/`).
public struct TencentCloudEndpoint: Sendable, Hashable, CustomStringConvertible {
  /// `https://tms.tencentcloudapi.com`.
  public static let `default` = TencentCloudEndpoint(secure: true, host: "tms.tencentcloudapi.com", port: nil)
  /// `https://tms.intl.tencentcloudapi.com`, the international site.
  public static let international = TencentCloudEndpoint(
    secure: true, host: "tms.intl.tencentcloudapi.com", port: nil)

  /// Whether requests use TLS.
  public let isSecure: Bool
  /// The host name or address (IPv6 without brackets).
  public let host: String
  /// The port, when it is not the scheme's default.
  public let port: Int?

  private init(secure isSecure: Bool, host: String, port: Int?) {
    self.isSecure = isSecure
    self.host = host
    self.port = port
  }

  /// Parses an endpoint URL such as `https://tms.tencentcloudapi.com` or `http://127.0.0.1:8080`.
  ///
  /// - Parameter string: The URL; a bare host name means `https`.
  /// - Throws: ``TencentCloudError`` (``TencentCloudError/Code/configuration``) for anything but
  ///   `http(s)://host[:port][/]`, or for `http` to a host that is not loopback.
  public init(_ string: String) throws(TencentCloudError) {
    let text = string.contains("://") ? string : "https://\(string)"
    guard let components = URLComponents(string: text), let scheme = components.scheme?.lowercased(),
      var host = components.host, !host.isEmpty
    else {
      throw TencentCloudError(
        .configuration, "invalid endpoint '\(string)': expected a URL such as https://tms.tencentcloudapi.com")
    }
    guard scheme == "https" || scheme == "http" else {
      throw TencentCloudError(
        .configuration, "invalid endpoint '\(string)': the scheme must be https (or http for a local test server)")
    }
    guard components.path.isEmpty || components.path == "/", components.query == nil, components.fragment == nil,
      components.user == nil, components.password == nil
    else {
      throw TencentCloudError(
        .configuration, "invalid endpoint '\(string)': give only scheme, host and port (requests always go to /)")
    }
    if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
    host = host.lowercased()
    let isSecure = scheme == "https"
    if !isSecure && !Self.isLoopback(host) {
      throw TencentCloudError(
        .configuration, "invalid endpoint '\(string)': plain http is allowed only to a loopback test server; use https")
    }
    var port = components.port
    if let value = port, !(1...65_535).contains(value) {
      throw TencentCloudError(.configuration, "invalid endpoint '\(string)': port out of range")
    }
    if port == (isSecure ? 443 : 80) { port = nil }
    self.init(secure: isSecure, host: host, port: port)
  }

  /// The `Host` header value: the host, with the port when it is not the default, and IPv6
  /// addresses in brackets (`127.0.0.1:54321`, `tms.tencentcloudapi.com`).
  public var hostHeader: String {
    let name = host.contains(":") ? "[\(host)]" : host
    if let port { return "\(name):\(port)" }
    return name
  }

  /// The URL requests are posted to, ending in `/`.
  public var url: String { "\(isSecure ? "https" : "http")://\(hostHeader)/" }

  /// Same as ``url``.
  public var description: String { url }

  private static func isLoopback(_ host: String) -> Bool {
    host == "localhost" || host == "::1" || host.hasPrefix("127.")
  }
}

/// When and how often a failed request is retried.
///
/// Only transient failures are retried: `RequestLimitExceeded*`, `InternalError*`,
/// `ServiceUnavailable`, `ResourceUnavailable`, HTTP statuses other than 200, timeouts and
/// connection resets. Authentication, parameter and quota errors are not. TextModeration has
/// no idempotency token, so a retry after a timeout may be billed twice: keep the cap low.
///
/// The delay before retry *n* (1-based) is full jitter: a uniformly random duration between
/// zero and `min(maximumDelay, baseDelay × 2^(n−1))`.
public struct RetryPolicy: Sendable, Hashable {
  /// The most HTTP requests for one text part, the first included (1 means never retry).
  public var maxAttempts: Int
  /// The cap of the first backoff.
  public var baseDelay: Duration
  /// The largest cap of any backoff.
  public var maximumDelay: Duration

  /// Creates a policy.
  ///
  /// - Parameters:
  ///   - maxAttempts: The most requests per part, first included (default 3).
  ///   - baseDelay: The cap of the first backoff (default 0.5 s).
  ///   - maximumDelay: The largest backoff cap (default 8 s).
  public init(maxAttempts: Int = 3, baseDelay: Duration = .milliseconds(500), maximumDelay: Duration = .seconds(8)) {
    self.maxAttempts = maxAttempts
    self.baseDelay = baseDelay
    self.maximumDelay = maximumDelay
  }

  /// The backoff cap before retry `retry` (1-based): `min(maximumDelay, baseDelay × 2^(retry−1))`.
  public func delayCap(beforeRetry retry: Int) -> Duration {
    var cap = baseDelay
    var step = 1
    while step < retry && cap < maximumDelay {
      cap *= 2
      step += 1
    }
    return min(cap, maximumDelay)
  }

  /// The backoff before retry `retry` for a random fraction in `0..<1` (full jitter).
  public func delay(beforeRetry retry: Int, random fraction: Double) -> Duration {
    delayCap(beforeRetry: retry) * min(max(fraction, 0), 1)
  }

  /// Checks that there is at least one attempt and that delays are not negative.
  ///
  /// - Throws: ``TencentCloudError`` (``TencentCloudError/Code/configuration``).
  public func validate() throws(TencentCloudError) {
    if maxAttempts < 1 {
      throw TencentCloudError(.configuration, "max attempts must be at least 1 (got \(maxAttempts))")
    }
    if baseDelay < .zero || maximumDelay < .zero {
      throw TencentCloudError(.configuration, "retry delays must not be negative")
    }
  }
}
