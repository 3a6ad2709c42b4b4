import Hegui
import HeguiTencentCloud
import Testing

/// The known-answer vectors of `reference/tencent-tms.md` §2, verbatim.
@Suite("TC3-HMAC-SHA256 signer")
struct TC3SignerTests {
  /// The CVM DescribeInstances example common to the official vectors: the payload's `\u…`
  /// escapes are literal backslash sequences (86 bytes).
  static let payload = Array(
    #"{"Limit": 1, "Filters": [{"Values": ["\u672a\u547d\u540d"], "Name": "instance-name"}]}"#.utf8)
  static let cvmHeaders: [(name: String, value: String)] = [
    ("Content-Type", "application/json; charset=utf-8"),
    ("Host", "cvm.tencentcloudapi.com"),
    ("X-TC-Action", "DescribeInstances"),
    ("X-TC-Version", "2017-03-12"),
    ("X-TC-Region", "ap-guangzhou"),
    ("X-TC-Timestamp", "1551113065"),
  ]
  static let maskedID = "AKID" + String(repeating: "*", count: 32)
  static let maskedKey = String(repeating: "*", count: 32)

  @Test("the common payload is 86 bytes and hashes as published")
  func payloadHash() {
    #expect(Self.payload.count == 86)
    let signature = TC3Signer(secretID: "x", secretKey: "y").sign(
      headers: Self.cvmHeaders, signedHeaders: ["content-type", "host"], payload: Self.payload,
      timestamp: 1_551_113_065, service: "cvm")
    #expect(signature.canonicalRequest.hasSuffix("\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064"))
  }

  @Test("vector A (current doc, signs x-tc-action) reproduces every intermediate value")
  func vectorA() {
    let signer = TC3Signer(secretID: Self.maskedID, secretKey: Self.maskedKey)
    let signature = signer.sign(
      headers: Self.cvmHeaders, signedHeaders: ["content-type", "host", "x-tc-action"], payload: Self.payload,
      timestamp: 1_551_113_065, service: "cvm")
    #expect(
      signature.canonicalRequest
        == "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n"
        + "x-tc-action:describeinstances\n\ncontent-type;host;x-tc-action\n"
        + "35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064")
    #expect(signature.hashedCanonicalRequest == "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84")
    #expect(
      signature.stringToSign
        == "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n"
        + "7019a55be8395899b900fb5564e4200d984910f34794a27cb3fb7d10ff6a1e84")
    let keys = signer.derivedKeys(date: "2019-02-25", service: "cvm")
    #expect(Hex.encode(keys.date) == "da98fb70dcf6b112dc21038d1eeeb3a95c74b4dcb12c1131f864f6066bd02be0")
    #expect(Hex.encode(keys.service) == "8d70cbefb03939f929db64d32dc2ba89b1095620119fe3e050e2b18c5bd2752f")
    #expect(Hex.encode(keys.signing) == "b596b923aad85185e2d1f6659d2a062e0a86731226e021e61bfe06f7ed05f5af")
    #expect(signature.signature == "10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f")
    #expect(
      signature.authorization
        == "TC3-HMAC-SHA256 Credential=AKID********************************/2019-02-25/cvm/tc3_request, "
        + "SignedHeaders=content-type;host;x-tc-action, "
        + "Signature=10b1a37a7301a02ca19a647ad722d5e43b4b3cff309d421d85b46093f6ab6c4f")
  }

  @Test("vector B (earlier doc, signs content-type;host) reproduces every intermediate value")
  func vectorB() {
    let signer = TC3Signer(
      secretID: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE", secretKey: "Gu5t9xGARNpq86cd98joQYCN3EXAMPLE")
    let signature = signer.sign(
      headers: Self.cvmHeaders, signedHeaders: ["content-type", "host"], payload: Self.payload,
      timestamp: 1_551_113_065, service: "cvm")
    #expect(
      signature.canonicalRequest
        == "POST\n/\n\ncontent-type:application/json; charset=utf-8\nhost:cvm.tencentcloudapi.com\n\n"
        + "content-type;host\n35e9c5b0e3ae67532d3c9f17ead6c90222632e5b1ff7f6e89887f1398934f064")
    #expect(signature.hashedCanonicalRequest == "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031")
    #expect(
      signature.stringToSign
        == "TC3-HMAC-SHA256\n1551113065\n2019-02-25/cvm/tc3_request\n"
        + "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031")
    let keys = signer.derivedKeys(date: "2019-02-25", service: "cvm")
    #expect(Hex.encode(keys.date) == "d1308c81fe71cfd4e06437bbc067b2b8a3d2d8c0e375d547f15c41d5214b395a")
    #expect(Hex.encode(keys.service) == "3c7cb7c7795393edc14fd2e0e6434a518564b4504b88e94f5d11bf59ba3e7050")
    #expect(Hex.encode(keys.signing) == "ac658d5dde49e9bfdd14e04e062f66b05d9f637d44b8a8d845327d4a77f666b1")
    #expect(signature.signature == "72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168")
    #expect(
      signature.authorization
        == "TC3-HMAC-SHA256 Credential=AKIDz8krbsJ5yKBZQpn74WFkmLPx3EXAMPLE/2019-02-25/cvm/tc3_request, "
        + "SignedHeaders=content-type;host, "
        + "Signature=72e494ea809ad7a8c8f7a4507b9bddcbaa8e581f516e8da2f66e2c5a96525168")
  }

  @Test("vector C (oldest doc) gives the published signature")
  func vectorC() {
    let signer = TC3Signer(
      secretID: "AKIDz8krbsJ5yKBZQpn74WFkmLPx3*******", secretKey: "Gu5t9xGARNpq86cd98joQYCN3*******")
    let signature = signer.sign(
      headers: Self.cvmHeaders, signedHeaders: ["host", "content-type"], payload: Self.payload,
      timestamp: 1_551_113_065, service: "cvm")
    #expect(signature.hashedCanonicalRequest == "5ffe6a04c0664d6b969fab9a13bdab201d63ee709638e2749d62a09ca18d7031")
    #expect(signature.signature == "2230eefd229f582d8b1b891af7107b91597240707d778ab3738f756258d7652c")
  }

  struct TMSVector: Sendable, CustomTestStringConvertible {
    var name: String
    var timestamp: Int64
    var body: String
    var payloadHash: String?
    var hashedCanonical: String?
    var scope: String
    var signature: String
    var testDescription: String { name }
  }

  static let tmsVectors = [
    TMSVector(
      name: "T1 你好", timestamp: 1_551_113_065, body: #"{"Content":"5L2g5aW9"}"#,
      payloadHash: "317022696900f1e6e458298282e794c8327f95b4fc22b12fd56d5f68575c90fd",
      hashedCanonical: "34ea2e6ceade1c68f9ab2cd1591a5178932c82568860268cb0c01486445ecb66", scope: "2019-02-25/tms",
      signature: "88598a55cbf80747c9cf8ab4aa3816b2fb1fb87229309842ba8e08bc12d7b086"),
    TMSVector(
      name: "T2 全网最低价 with BizType and DataId", timestamp: 1_551_113_065,
      body:
        #"{"Content":"5YWo572R5pyA5L2O5Lu377yM5LuK5aSp5LiL5Y2V56uL5YeP","BizType":"ecommerce_live","DataId":"script-0001"}"#,
      payloadHash: "85c5380553168032081fdde25696179bda943c14ca120efe1229c3f0c8f0400c",
      hashedCanonical: "9cc07c919b4eef1636437659ede9dc853aacdde9fd95322a59aa0421aba97c2e", scope: "2019-02-25/tms",
      signature: "13e9a6d763de3ddbf7753be6c7c8d7fb37eed2fb551527918180e38a5797ed97"),
    TMSVector(
      name: "T3 one second before UTC midnight", timestamp: 1_551_139_199, body: #"{"Content":"5L2g5aW9"}"#,
      payloadHash: nil, hashedCanonical: nil, scope: "2019-02-25/tms",
      signature: "24ef99d30d076a2c90a1c6177ebd0cc386b099b8643a37b3d89de23e4803b9e9"),
    TMSVector(
      name: "T4 UTC midnight", timestamp: 1_551_139_200, body: #"{"Content":"5L2g5aW9"}"#, payloadHash: nil,
      hashedCanonical: nil, scope: "2019-02-26/tms",
      signature: "f9e79b75590167480ee5d4a78e3de5433d704db2b5e43c8128645efbfdf39771"),
  ]

  @Test("derived TMS vectors (TextModeration, x-tc-action signed)", arguments: tmsVectors)
  func tmsVector(_ vector: TMSVector) {
    let signer = TC3Signer(secretID: Self.maskedID, secretKey: Self.maskedKey)
    let headers: [(name: String, value: String)] = [
      ("Content-Type", "application/json; charset=utf-8"), ("Host", "tms.tencentcloudapi.com"),
      ("X-TC-Action", "TextModeration"),
    ]
    let signature = signer.sign(
      headers: headers, signedHeaders: ["content-type", "host", "x-tc-action"], payload: Array(vector.body.utf8),
      timestamp: vector.timestamp, service: "tms")
    if let payloadHash = vector.payloadHash {
      #expect(signature.canonicalRequest.hasSuffix("\n" + payloadHash))
    }
    #expect(signature.canonicalRequest.contains("\nx-tc-action:textmoderation\n"))
    if let hashedCanonical = vector.hashedCanonical {
      #expect(signature.hashedCanonicalRequest == hashedCanonical)
    }
    #expect(signature.credentialScope == vector.scope + "/tc3_request")
    #expect(signature.signature == vector.signature)
  }

  @Test(
    "the scope date is the UTC date of the timestamp",
    arguments: [
      (Int64(0), "1970-01-01"), (1_551_113_065, "2019-02-25"), (1_551_139_199, "2019-02-25"),
      (1_551_139_200, "2019-02-26"), (951_782_400, "2000-02-29"), (4_102_444_799, "2099-12-31"), (-1, "1969-12-31"),
    ])
  func utcDate(timestamp: Int64, date: String) {
    #expect(TC3Signer.utcDate(timestamp: timestamp) == date)
  }

  @Test("header values are trimmed and lower-cased; names are sorted whatever order they are given in")
  func canonicalisation() {
    let signer = TC3Signer(secretID: "id", secretKey: "key")
    let signature = signer.sign(
      headers: [("HOST", "  Example.COM\t"), ("content-type", "Application/JSON")],
      signedHeaders: ["Host", "Content-Type"],
      payload: [], timestamp: 0, service: "tms")
    #expect(signature.signedHeaders == "content-type;host")
    #expect(signature.canonicalRequest.contains("content-type:application/json\nhost:example.com\n\n"))
  }

  @Test("the signer never shows its key")
  func redaction() {
    let signer = TC3Signer(secretID: "AKIDvisible", secretKey: "very-secret-key")
    for text in [String(describing: signer), String(reflecting: signer), "\(signer)"] {
      #expect(!text.contains("very-secret-key"))
      #expect(!text.contains("AKIDvisible"))
    }
    var dumped = ""
    dump(signer, to: &dumped)
    #expect(!dumped.contains("very-secret-key"))
  }
}
