internal import Foundation

/// A Tencent Cloud API key pair (SecretId / SecretKey), with a session token for temporary
/// credentials.
///
/// The values are readable only inside this module: ``description``, `debugDescription`,
/// `dump` and string interpolation show `<redacted>`, so credentials cannot reach logs, errors
/// or output by accident.
public struct TencentCloudCredentials: Sendable, Hashable, CustomStringConvertible, CustomDebugStringConvertible,
  CustomReflectable
{
  /// The environment variable holding the SecretId.
  public static let secretIDVariable = "TENCENTCLOUD_SECRET_ID"
  /// The environment variable holding the SecretKey.
  public static let secretKeyVariable = "TENCENTCLOUD_SECRET_KEY"
  /// The environment variable holding the optional session token (STS temporary credentials).
  public static let sessionTokenVariable = "TENCENTCLOUD_SESSION_TOKEN"

  let secretID: String
  let secretKey: String
  let sessionToken: String?

  /// Creates credentials from values passed in code.
  ///
  /// - Parameters:
  ///   - secretID: The SecretId (`AKID…`).
  ///   - secretKey: The SecretKey.
  ///   - sessionToken: The token of temporary credentials, sent as `X-TC-Token`.
  /// - Throws: ``TencentCloudError`` with code ``TencentCloudError/Code/configuration`` when the
  ///   id or key is empty or contains whitespace.
  public init(secretID: String, secretKey: String, sessionToken: String? = nil) throws(TencentCloudError) {
    func check(_ value: String, _ name: String) throws(TencentCloudError) {
      if value.isEmpty {
        throw TencentCloudError(.configuration, "the \(name) is empty")
      }
      if value.unicodeScalars.contains(where: { $0.properties.isWhitespace || $0.value < 0x20 }) {
        throw TencentCloudError(.configuration, "the \(name) contains whitespace or control characters")
      }
    }
    try check(secretID, "SecretId")
    try check(secretKey, "SecretKey")
    if let sessionToken { try check(sessionToken, "session token") }
    self.secretID = secretID
    self.secretKey = secretKey
    self.sessionToken = sessionToken
  }

  /// Reads credentials from the process environment: `TENCENTCLOUD_SECRET_ID`,
  /// `TENCENTCLOUD_SECRET_KEY` and the optional `TENCENTCLOUD_SESSION_TOKEN`.
  ///
  /// - Throws: ``TencentCloudError`` with code ``TencentCloudError/Code/configuration`` naming
  ///   the variable that is missing or invalid (never its value).
  public static func fromEnvironment() throws(TencentCloudError) -> Self {
    try fromEnvironment(ProcessInfo.processInfo.environment)
  }

  /// Reads credentials from `TENCENTCLOUD_SECRET_ID`, `TENCENTCLOUD_SECRET_KEY` and the optional
  /// `TENCENTCLOUD_SESSION_TOKEN` in the given variables.
  ///
  /// - Parameter environment: The variables to read (the process environment by default).
  /// - Throws: ``TencentCloudError`` with code ``TencentCloudError/Code/configuration`` naming
  ///   the variable that is missing or invalid (never its value).
  public static func fromEnvironment(_ environment: [String: String]) throws(TencentCloudError) -> Self {
    func value(_ name: String) -> String? {
      guard let value = environment[name], !value.isEmpty else { return nil }
      return value
    }
    guard let id = value(secretIDVariable), let key = value(secretKeyVariable) else {
      let missing = [secretIDVariable, secretKeyVariable].filter { value($0) == nil }
      throw TencentCloudError(
        .configuration,
        "Tencent Cloud credentials are missing: set \(missing.joined(separator: " and ")) "
          + "(and \(sessionTokenVariable) for temporary credentials)")
    }
    do {
      return try Self(secretID: id, secretKey: key, sessionToken: value(sessionTokenVariable))
    } catch {
      throw TencentCloudError(
        .configuration,
        "\(error.message) (from \(secretIDVariable), \(secretKeyVariable) or \(sessionTokenVariable))")
    }
  }

  /// Replaces every occurrence of the credentials in a text (a message Tencent sent back) by
  /// `<redacted>`.
  func redact(_ text: String) -> String {
    var text = text
    for secret in [secretKey, sessionToken, secretID].compactMap({ $0 }) where !secret.isEmpty {
      text = text.replacing(secret, with: "<redacted>")
    }
    return text
  }

  /// `TencentCloudCredentials(<redacted>)`.
  public var description: String {
    "TencentCloudCredentials(secretID: <redacted>, secretKey: <redacted>\(sessionToken == nil ? "" : ", sessionToken: <redacted>"))"
  }

  /// Same as ``description``.
  public var debugDescription: String { description }

  /// A mirror without children, so that `dump` shows no secret.
  public var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
