import Foundation
import Hegui
import HeguiLint
import Testing

@Suite("Inputs: nothing is skipped silently")
struct InputsTests {
  static func temporaryFolder() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appending(path: "hegui-inputs-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  @Test("symbolic links inside the walked folder are followed once; links outside it are reported, not read")
  func symlinks() throws {
    let root = try Self.temporaryFolder()
    let outside = try Self.temporaryFolder()
    defer {
      try? FileManager.default.removeItem(at: root)
      try? FileManager.default.removeItem(at: outside)
    }
    let fm = FileManager.default
    try fm.createDirectory(at: root.appending(path: "scripts"), withIntermediateDirectories: true)
    try Data("全网最低价\n".utf8).write(to: root.appending(path: "scripts/a.txt"))
    try Data("secret\n".utf8).write(to: outside.appending(path: "secret.txt"))
    try fm.createSymbolicLink(atPath: root.appending(path: "inside.txt").path, withDestinationPath: "scripts/a.txt")
    try fm.createSymbolicLink(atPath: root.appending(path: "loop").path, withDestinationPath: ".")
    try fm.createSymbolicLink(
      atPath: root.appending(path: "away.txt").path, withDestinationPath: outside.appending(path: "secret.txt").path)
    try fm.createSymbolicLink(atPath: root.appending(path: "awaydir").path, withDestinationPath: outside.path)
    try fm.createSymbolicLink(atPath: root.appending(path: "broken.txt").path, withDestinationPath: "nowhere.txt")

    let walk = try FileWalker.walk(["."], excluding: [], relativeTo: root)
    #expect(walk.files.map(\.display) == ["inside.txt"])  // scripts/a.txt is the same file: read once
    #expect(!walk.files.contains { $0.url.path.hasPrefix(outside.path) })
    let refused = walk.errors.map { $0.location?.path ?? "" }.sorted()
    #expect(refused == ["away.txt", "awaydir", "broken.txt"])
    #expect(walk.errors.allSatisfy { $0.code == .io })
  }

  @Test("a FIFO with an input extension is reported, not read (reading it would hang)")
  func fifo() throws {
    let root = try Self.temporaryFolder()
    defer { try? FileManager.default.removeItem(at: root) }
    #expect(mkfifo(root.appending(path: "pipe.txt").path, 0o600) == 0)
    let walk = try FileWalker.walk(["."], excluding: [], relativeTo: root)
    #expect(walk.files.isEmpty)
    #expect(walk.errors.map(\.description) == ["pipe.txt: not a regular file (a FIFO, device or socket); not read"])
  }

  @Test("listing fields that are lists or objects are errors naming the record; the others are checked")
  func nonStringFields() {
    let jsonl = """
      {"title": ["全网最低价"]}
      {"title": "好物", "description": {"text": "第一"}}
      {"title": "全网最低价"}
      """
    let parsed = ListingParser.parse(jsonl, path: "l.jsonl", format: .jsonl)
    #expect(parsed.records.map(\.line) == [3])
    #expect(
      parsed.errors.map(\.description) == [
        "l.jsonl:1: 'title' is a list, not text; the record was not checked",
        "l.jsonl:2: 'description' is an object, not text; the record was not checked",
      ])
  }

  @Test("wrapped JSON: records under data/items/… are read with their lines; an unknown wrapper is an error")
  func wrappedJSON() {
    let wrapped = """
      {"data": [
        {"title": "全网最低价"},
        {"title": "第一"}
      ]}
      """
    let parsed = ListingParser.parse(wrapped, path: "w.json", format: .json)
    #expect(parsed.errors.isEmpty)
    #expect(parsed.records.map(\.listing.title) == ["全网最低价", "第一"])
    #expect(parsed.records.map(\.line) == [2, 3])
    let unknown = ListingParser.parse(#"{"goods": [{"title": "全网最低价"}]}"#, path: "u.json", format: .json)
    #expect(unknown.records.isEmpty)
    #expect(unknown.errors.first?.message.contains("'goods'") == true)
  }

  @Test("a listing file with no title or description anywhere is an error naming the columns it saw")
  func noText() throws {
    let csv = "编号,品目,价格\n1,全网最低价,9.9\n"
    let parsed = ListingParser.parse(csv, path: "c.csv", format: .csv)
    let error = try #require(parsed.errors.first { $0.message.hasPrefix("no record has a title or description") })
    #expect(error.message.contains("'编号', '品目', '价格'"))
    #expect(error.message.contains("--columns"))
  }

  @Test("shop back-ends' Chinese and English headers are read: CSV, JSON Lines and JSON")
  func chineseHeaders() throws {
    let csv = "商品ID,* 商品标题（必填）,商品描述,类目\n7,全网最低价面膜,能治疗痘痘,化妆品\n"
    let parsed = ListingParser.parse(csv, path: "c.csv", format: .csv)
    #expect(parsed.errors.isEmpty)
    let listing = try #require(parsed.records.first?.listing)
    #expect(listing.id == "7")
    #expect(listing.title == "全网最低价面膜")
    #expect(listing.description == "能治疗痘痘")
    #expect(listing.category == "化妆品")
    let jsonl = ListingParser.parse(#"{"宝贝标题": "第一品牌", "详情": "祛斑"}"# + "\n", path: "l.jsonl", format: .jsonl)
    #expect(jsonl.records.first?.listing.title == "第一品牌")
    #expect(jsonl.records.first?.listing.description == "祛斑")
    let json = ListingParser.parse(#"[{"Product_Name": "NO.1", "desc": "x"}]"#, path: "j.json", format: .json)
    #expect(json.records.first?.listing.title == "NO.1")
    #expect(json.records.first?.listing.description == "x")
  }

  @Test("other headers are mapped with a column mapping; an unknown field is an error")
  func mapping() throws {
    let csv = "编号,品目,文字\n1,全网最低价,能治疗痘痘\n"
    let columns = try ListingColumns(mapping: ["title": "品目", "description": "文字"])
    let parsed = ListingParser.parse(csv, path: "c.csv", format: .csv, columns: columns)
    #expect(parsed.errors.isEmpty)
    #expect(parsed.records.first?.listing.title == "全网最低价")
    #expect(parsed.records.first?.listing.description == "能治疗痘痘")
    #expect(throws: HeguiError.self) { try ListingColumns(mapping: ["titel": "品目"]) }
  }
}
