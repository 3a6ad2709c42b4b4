import Hegui
import Testing

@Suite("Word boundaries (ICU)")
struct WordBoundariesTests {
  @Test("ICU keeps 第一次, 最近, 最后 whole and splits 全网最低价")
  func icuSegmentation() throws {
    let boundaries = WordBoundaries()
    func words(_ text: String) throws -> [String] {
      let offsets = try boundaries.boundaries(in: text)
      let bytes = Array(text.utf8)
      return zip(offsets, offsets.dropFirst()).map { String(decoding: bytes[$0..<$1], as: UTF8.self) }
    }
    #expect(try words("第一次").contains("第一次"))
    #expect(try words("最近很忙").contains("最近"))
    #expect(try words("最后一件").contains("最后"))
    #expect(try words("全网最低价").count > 1)
    #expect(try boundaries.boundaries(in: "") == [0])
  }

  @Test("rejects hits that start or end inside a word", arguments: ["第一次来直播间", "最近很忙", "最后一件", "最初的梦想"])
  func rejects(_ text: String) {
    #expect(Fixtures.findings(text, rule: "sample.first").isEmpty)
  }

  @Test("ICU splits 第一时间 as 第一|时间: boundaries alone cannot reject it (rules use an exception)")
  func firstTime() {
    #expect(Fixtures.findings("第一时间发货", rule: "sample.first").count == 1)
  }

  @Test("rejects 美白 inside 唯美白发")
  func rejectsInsideWord() {
    #expect(Fixtures.findings("唯美白发造型", rule: "sample.whitening", context: CheckContext(category: "cosmetics")).isEmpty)
    #expect(
      Fixtures.findings("美白精华", rule: "sample.whitening", context: CheckContext(category: "cosmetics")).count == 1)
  }

  @Test("accepts aligned hits", arguments: [("行业第一品牌", "第一"), ("销量第一", "第一")])
  func accepts(_ text: String, _ match: String) {
    #expect(Fixtures.findings(text, rule: "sample.first").map(\.match) == [match])
  }

  @Test("全网最低价 is found whole (the rule has no boundary requirement)")
  func lowestPrice() {
    #expect(Fixtures.findings("今天全网最低价", rule: "sample.lowest-price").map(\.match) == ["全网最低价"])
  }

  @Test("one WordBoundaries serves concurrent checks")
  func concurrent() async {
    await withTaskGroup(of: Int.self) { group in
      for _ in 0..<8 {
        group.addTask {
          var count = 0
          for _ in 0..<50 { count += Fixtures.findings("行业第一品牌，第一次来", rule: "sample.first").count }
          return count
        }
      }
      for await count in group { #expect(count == 50) }
    }
  }
}
