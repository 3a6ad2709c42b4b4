internal import Crypto
import Hegui

/// TC3-HMAC-SHA256 request signing (腾讯云 API 3.0 签名方法 v3).
///
/// The signer is generic over the service and the headers it signs, so that the official
/// known-answer vectors (which sign a CVM request) can be reproduced as they are. The client
/// signs `content-type;host;x-tc-action`: signing the action keeps a captured request from being
/// replayed against another action.
///
/// The secret key never leaves this type: ``description`` and reflection show the secret id's
/// length only.
package struct TC3Signer: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
  /// Every intermediate value of one signature, for tests and for diagnosing a mismatch.
  package struct Signature: Sendable, Hashable {
    /// `Method \n URI \n Query \n CanonicalHeaders \n SignedHeaders \n HashedPayload`.
    package var canonicalRequest: String
    /// Lower-case hex SHA-256 of ``canonicalRequest``.
    package var hashedCanonicalRequest: String
    /// `<date>/<service>/tc3_request`.
    package var credentialScope: String
    /// `TC3-HMAC-SHA256 \n timestamp \n scope \n hashedCanonicalRequest`.
    package var stringToSign: String
    /// Lower-case hex HMAC-SHA256 of ``stringToSign`` under the derived signing key.
    package var signature: String
    /// The `SignedHeaders` list, `;`-joined.
    package var signedHeaders: String
    /// The `Authorization` header value.
    package var authorization: String
  }

  /// The derived keys of the signature (raw 32-byte values).
  package struct DerivedKeys: Sendable, Hashable {
    /// `HMAC("TC3" + SecretKey, date)`.
    package var date: [UInt8]
    /// `HMAC(date key, service)`.
    package var service: [UInt8]
    /// `HMAC(service key, "tc3_request")`.
    package var signing: [UInt8]
  }

  /// The algorithm name, first word of the `Authorization` header and of the string to sign.
  package static let algorithm = "TC3-HMAC-SHA256"

  private let secretID: String
  private let secretKey: String

  /// Creates a signer for a key pair.
  package init(secretID: String, secretKey: String) {
    self.secretID = secretID
    self.secretKey = secretKey
  }

  /// Signs a request.
  ///
  /// - Parameters:
  ///   - method: The HTTP method (`POST`).
  ///   - uri: The canonical URI, always `/` for Tencent Cloud API 3.0.
  ///   - query: The canonical query string, empty for POST.
  ///   - headers: The headers that will be sent (any case); those named in `signedHeaders` must be
  ///     present with exactly the values sent.
  ///   - signedHeaders: The header names to sign (any case; sorted here).
  ///   - payload: The exact body bytes that will be sent.
  ///   - timestamp: `X-TC-Timestamp`, Unix seconds; the scope date is its UTC date.
  ///   - service: The scope's service (`tms`), which is not derived from the host because test
  ///     servers listen on `127.0.0.1`.
  /// - Returns: The signature and its intermediate values.
  package func sign(
    method: String = "POST", uri: String = "/", query: String = "", headers: [(name: String, value: String)],
    signedHeaders: [String], payload: [UInt8], timestamp: Int64, service: String
  ) -> Signature {
    let names = Set(signedHeaders.map { $0.lowercased() }).sorted()
    var canonicalHeaders = ""
    for name in names {
      let value = headers.first { $0.name.lowercased() == name }?.value ?? ""
      canonicalHeaders += "\(name):\(Self.canonicalValue(value))\n"
    }
    let signedList = names.joined(separator: ";")
    let canonicalRequest = [
      method, uri, query, canonicalHeaders, signedList, Hex.encode(SHA256.hash(data: payload)),
    ].joined(separator: "\n")
    let hashedCanonicalRequest = Hex.encode(SHA256.hash(data: Array(canonicalRequest.utf8)))
    let date = Self.utcDate(timestamp: timestamp)
    let scope = "\(date)/\(service)/tc3_request"
    let stringToSign = [Self.algorithm, String(timestamp), scope, hashedCanonicalRequest].joined(separator: "\n")
    let keys = derivedKeys(date: date, service: service)
    let signature = Hex.encode(Self.hmac(key: keys.signing, message: Array(stringToSign.utf8)))
    let authorization =
      "\(Self.algorithm) Credential=\(secretID)/\(scope), SignedHeaders=\(signedList), Signature=\(signature)"
    return Signature(
      canonicalRequest: canonicalRequest, hashedCanonicalRequest: hashedCanonicalRequest, credentialScope: scope,
      stringToSign: stringToSign, signature: signature, signedHeaders: signedList, authorization: authorization)
  }

  /// Derives the date, service and signing keys.
  package func derivedKeys(date: String, service: String) -> DerivedKeys {
    let dateKey = Self.hmac(key: Array("TC3\(secretKey)".utf8), message: Array(date.utf8))
    let serviceKey = Self.hmac(key: dateKey, message: Array(service.utf8))
    let signingKey = Self.hmac(key: serviceKey, message: Array("tc3_request".utf8))
    return DerivedKeys(date: dateKey, service: serviceKey, signing: signingKey)
  }

  /// A canonical header value: trimmed of spaces and tabs, lower-cased.
  package static func canonicalValue(_ value: String) -> String {
    var scalars = Substring(value)
    while let first = scalars.first, first == " " || first == "\t" { scalars.removeFirst() }
    while let last = scalars.last, last == " " || last == "\t" { scalars.removeLast() }
    return scalars.lowercased()
  }

  /// The UTC calendar date (`YYYY-MM-DD`) of a Unix timestamp.
  ///
  /// Computed arithmetically (proleptic Gregorian calendar), so it cannot pick up the local time
  /// zone: between 00:00 and 08:00 in UTC+8 the local date is one day ahead of the scope date.
  package static func utcDate(timestamp: Int64) -> String {
    let days = timestamp >= 0 ? timestamp / 86_400 : (timestamp - 86_399) / 86_400
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468
    let era = (z >= 0 ? z : z - 146_096) / 146_097
    let dayOfEra = z - era * 146_097
    let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
    let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
    let monthIndex = (5 * dayOfYear + 2) / 153
    let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
    let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
    let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
    return "\(pad(year, 4))-\(pad(month, 2))-\(pad(day, 2))"
  }

  private static func hmac(key: [UInt8], message: [UInt8]) -> [UInt8] {
    Array(HMAC<SHA256>.authenticationCode(for: message, using: SymmetricKey(data: key)))
  }

  private static func pad(_ value: Int64, _ width: Int) -> String {
    let digits = String(value)
    return String(repeating: "0", count: max(0, width - digits.count)) + digits
  }

  /// `TC3Signer(<redacted>)`: never the key.
  package var description: String { "TC3Signer(secretID: <redacted>, secretKey: <redacted>)" }
  /// Same as ``description``.
  package var debugDescription: String { description }
  /// A mirror without children, so that `dump` shows no secret.
  package var customMirror: Mirror { Mirror(self, children: [], displayStyle: .struct) }
}
