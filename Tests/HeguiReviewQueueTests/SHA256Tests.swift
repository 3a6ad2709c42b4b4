import Crypto
import HeguiReviewQueue
import Testing

/// The digest behind ticket hashes: swift-crypto's SHA-256, through the queue's hex helper.
@Suite("SHA-256")
struct SHA256Tests {
  @Test(
    "FIPS 180-4 test vectors",
    arguments: [
      ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
      ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
      (
        "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
        "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
      ),
      (
        "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
        "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
      ),
      ("全网最低价", "eb083ad78db85c86ac0bffb1290882b5871fbca1ad881ad6de315d392a28fe8a"),  // sha256sum of the UTF-8 bytes
    ])
  func vectors(input: String, expected: String) {
    #expect(ReviewQueue.sha256Hex(input.utf8) == expected)
  }

  @Test("one million 'a' (a multi-block message fed in pieces)")
  func millionA() {
    var hasher = SHA256()
    let chunk = [UInt8](repeating: 0x61, count: 1000)
    for _ in 0..<1000 { hasher.update(data: chunk) }
    let digest = hasher.finalize()
      .map { String($0, radix: 16).count == 1 ? "0" + String($0, radix: 16) : String($0, radix: 16) }.joined()
    #expect(digest == "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
  }

  @Test("messages of every length around the padding boundary hash consistently in one piece and byte by byte")
  func paddingBoundaries() {
    for length in 50...130 {
      let bytes = (0..<length).map { UInt8(truncatingIfNeeded: $0 &* 7) }
      var hasher = SHA256()
      for byte in bytes { hasher.update(data: [byte]) }
      #expect(hasher.finalize() == SHA256.hash(data: bytes), "length \(length)")
    }
  }
}
