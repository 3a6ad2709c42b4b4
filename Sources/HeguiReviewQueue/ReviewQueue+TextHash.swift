import Crypto
import Foundation
@_spi(Internals) import Hegui

// The key of a ticket: the SHA-256 of its normalised text.

extension ReviewQueue {
  /// The key of a text: SHA-256 (hex) of its normalised form (Hegui's `Normalizer`, then
  /// trimmed), so that 全网最低价, 全網最低價 and 全-网-最-低-价 share one ticket.
  ///
  /// - Parameter text: The original text.
  public static func textHash(_ text: String) -> String {
    let normalized = Normalizer().normalize(text).string.trimmingCharacters(in: .whitespacesAndNewlines)
    return sha256Hex(normalized.utf8)
  }

  /// SHA-256 of some bytes as 64 lower-case hex digits: the form ticket hashes are stored in.
  package static func sha256Hex(_ bytes: some Sequence<UInt8>) -> String {
    Hex.encode(SHA256.hash(data: Array(bytes)))
  }
}
