import HeguiTencentCloud
import Testing

@Suite("Splitting texts under the 10,000-character limit")
struct TextSplitterTests {
  /// Checks the invariants every split must keep.
  func checkInvariants(_ parts: [TextSplitter.Part], of text: String, limit: Int) {
    #expect(parts.map(\.text).joined() == text, "the parts concatenate to the text")
    var offset = 0
    for part in parts {
      #expect(part.scalarOffset == offset)
      #expect(part.scalarCount == part.text.unicodeScalars.count)
      #expect(part.scalarCount <= limit)
      #expect(part.scalarCount > 0)
      offset += part.scalarCount
    }
    #expect(offset == text.unicodeScalars.count)
  }

  @Test("a text at the limit is one part")
  func atLimit() {
    let text = String(repeating: "好", count: 10_000)
    let parts = TextSplitter().split(text)
    #expect(parts.count == 1)
    #expect(parts[0].scalarCount == 10_000)
  }

  @Test("a long script is cut after sentence terminators, each part under the limit")
  func sentences() {
    let sentence = "这款面霜真的很好用，今天下单还送小样。"  // 19 scalars
    let text = String(repeating: sentence, count: 1_200)  // 22,800 scalars
    let parts = TextSplitter().split(text)
    checkInvariants(parts, of: text, limit: 10_000)
    #expect(parts.count == 3)
    for part in parts.dropLast() {
      #expect(part.text.hasSuffix("。"), "each part ends at a sentence end")
    }
  }

  @Test("closing quotes and spaces stay with their sentence")
  func closers() {
    let text = "他说：“今天全场五折！”  明天恢复原价。"
    let parts = TextSplitter(limit: 15).split(text)
    checkInvariants(parts, of: text, limit: 15)
    #expect(parts[0].text == "他说：“今天全场五折！”  ")
  }

  @Test("with no sentence end in reach, a clause boundary is used")
  func clauses() {
    let text = "第一项，第二项，第三项，第四项，第五项，第六项"
    let parts = TextSplitter(limit: 10).split(text)
    checkInvariants(parts, of: text, limit: 10)
    #expect(parts[0].text == "第一项，第二项，")
  }

  @Test("a text without any boundary is cut at the limit, never inside a combining sequence")
  func hardCut() {
    let plain = String(repeating: "字", count: 25)
    let plainParts = TextSplitter(limit: 10).split(plain)
    checkInvariants(plainParts, of: plain, limit: 10)
    #expect(plainParts.map(\.scalarCount) == [10, 10, 5])

    // "e" + combining acute accent at positions 9–10: the cut moves before the "e".
    let combining = String(repeating: "a", count: 9) + "e\u{301}" + String(repeating: "b", count: 9)
    let parts = TextSplitter(limit: 10).split(combining)
    checkInvariants(parts, of: combining, limit: 10)
    #expect(parts[0].scalarCount == 9)
    #expect(parts[1].text.hasPrefix("e\u{301}"))

    // A ZWJ family emoji straddling the limit stays whole.
    let family = "👨\u{200D}👩\u{200D}👧"
    let emoji = String(repeating: "a", count: 8) + family + "bbbb"
    let emojiParts = TextSplitter(limit: 10).split(emoji)
    checkInvariants(emojiParts, of: emoji, limit: 10)
    #expect(emojiParts.contains { $0.text.contains(family) })
  }

  @Test("lengths count Unicode scalars, not UTF-16 units or characters")
  func scalars() {
    let text = String(repeating: "😀", count: 12)  // 12 scalars, 24 UTF-16 units
    let parts = TextSplitter(limit: 10).split(text)
    checkInvariants(parts, of: text, limit: 10)
    #expect(parts.map(\.scalarCount) == [10, 2])
  }
}
