import Foundation
import Hegui
import Testing

@testable import HeguiLint

/// The XLSX reader on real workbooks from five writers (Tests/Fixtures/xlsx/SOURCES.md), and on
/// broken ones.
@Suite("Excel workbooks")
struct XLSXTests {
  static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .appending(path: "Fixtures/xlsx")

  static func data(_ name: String) throws -> Data { try Data(contentsOf: folder.appending(path: name)) }

  @Test(
    "real workbooks: headers, row numbers and cells as the writer stored them",
    arguments: [
      (
        "5g-phone-analysis_jd.xlsx", 451, ["index", "id", "name", "price", "category", "picture_addr"],
        "华为畅享 50z手机5000万高清AI三摄 5000mAh超能续航"
      ),
      ("pos-system_商品数据.xlsx", 21, ["条码", "名称", "分类", "单位", "规格", "进价", "售价"], "小绕珠"),
      ("mynahs_goods.xlsx", 154, ["ID", "条形码", "商品名", "价格", "规格", "生产厂家"], "上海精装药皂125克"),
      ("cmswing_商品列表.xlsx", 21, ["编号", "标题", "最后更新", "状态", "浏览"], "得力（deli）DL-888D 热敏不干胶打印机"),
    ])
  func realWorkbooks(file: String, rows count: Int, header: [String], sample: String) throws {
    let rows = try XLSXReader.rows(try Self.data(file), path: file)
    #expect(rows.count == count, "\(file): \(rows.count) rows")
    #expect(rows.first?.cells == header, "\(file): \(rows.first?.cells ?? [])")
    #expect(rows.first?.number == 1)
    #expect(rows.contains { row in row.cells.contains { $0.hasPrefix(sample) } }, "\(file)")
    #expect(zip(rows, rows.dropFirst()).allSatisfy { $0.number < $1.number }, "row numbers as in Excel, ascending")
  }

  @Test("genuine Excel: the header on row 2 is found, padded strings kept, formula and date cells read as stored")
  func excel() throws {
    let rows = try XLSXReader.rows(try Self.data("magicodes_产品导入模板.xlsx"), path: "a.xlsx")
    #expect(rows.first?.number == 2)
    #expect(rows.first?.cells.prefix(3) == ["产品条码", "产品名称", "产品代码"])
    #expect(rows.contains { $0.cells.contains(" 左侧空格测试") })
    #expect(rows.contains { $0.cells.contains("44628") })
  }

  @Test("a workbook is a listing export: titles checked at their Excel row, the category column read")
  func listings() throws {
    let parsed = ListingParser.parse(workbook: try Self.data("pos-system_商品数据.xlsx"), path: "a.xlsx")
    #expect(parsed.errors.isEmpty, "\(parsed.errors)")
    #expect(parsed.records.count == 20)
    #expect(parsed.records.first?.line == 2)
    #expect(parsed.records.first?.listing.title == "小绕珠")
    #expect(parsed.records.first?.listing.category == "默认分类")
    let jd = ListingParser.parse(workbook: try Self.data("5g-phone-analysis_jd.xlsx"), path: "jd.xlsx")
    #expect(jd.records.count == 450)
    #expect(jd.records.first?.listing.id == "100057537283")
  }

  @Test("broken workbooks are errors naming the file and what is wrong, never a crash")
  func broken() throws {
    let good = [UInt8](try Self.data("pos-system_商品数据.xlsx"))
    func message(_ bytes: [UInt8]) -> String? {
      do {
        _ = try XLSXReader.rows(Data(bytes), path: "b.xlsx")
        return nil
      } catch {
        #expect(error.description.hasPrefix("b.xlsx: not a readable Excel workbook (.xlsx): "), "\(error)")
        return error.description
      }
    }
    #expect(message(Array("商品标题,描述\n".utf8))?.contains("it is not a ZIP archive") == true)
    #expect(
      message([0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1] + Array(repeating: 0, count: 512))?.contains(
        "save it as .xlsx") == true)
    #expect(message(Array(good.prefix(good.count / 2)))?.contains("no ZIP central directory") == true)
    // The shared strings' declared size one byte short: the part inflates past it (a ZIP bomb's trick).
    var bomb = good
    let name = Array("xl/sharedStrings.xml".utf8)
    var p = 0
    while p + 46 < bomb.count {
      if bomb[p..<(p + 4)] == [0x50, 0x4B, 0x01, 0x02], bomb[(p + 46)..<(p + 46 + name.count)].elementsEqual(name) {
        break
      }
      p += 1
    }
    #expect(p + 46 < bomb.count)
    bomb[p + 24] &-= 1
    #expect(message(bomb)?.contains("inflates to more than") == true)
    // One flipped byte inside a compressed part: a checksum or inflate error, not garbage text.
    var flipped = good
    let local = XLSXReader.u32(good, p + 42)
    flipped[local + 30 + XLSXReader.u16(good, local + 26) + XLSXReader.u16(good, local + 28) + 10] ^= 0x55
    #expect(message(flipped) != nil)
    // Every truncation and many byte flips: an error or rows, never a crash or a hang.
    var generator = SystemRandomNumberGenerator()
    for cut in stride(from: 0, to: good.count, by: 97) { _ = message(Array(good.prefix(cut))) }
    for _ in 0..<300 {
      var bytes = good
      for _ in 0..<3 {
        bytes[Int.random(in: 0..<bytes.count, using: &generator)] = UInt8.random(in: 0...255, using: &generator)
      }
      _ = try? XLSXReader.rows(Data(bytes), path: "b.xlsx")
    }
  }

  @Test("XML: entities, character references, CDATA, namespace prefixes, _xHHHH_ escapes")
  func xml() {
    let source = Array(
      "<?xml version=\"1.0\"?><x:si a='1 &amp; 2'><x:t>A&lt;B&#x4E2D;&#25991;<![CDATA[<c>]]></x:t></x:si>".utf8)
    var events: [String] = []
    XML.scan(source) { event in
      switch event {
      case let .open(name, attributes, _): events.append("open \(name) \(attributes["a"] ?? "")")
      case let .close(name): events.append("close \(name)")
      case let .text(text): events.append("text \(text)")
      }
    }
    #expect(events == ["open si 1 & 2", "open t ", "text A<B中文", "text <c>", "close t", "close si"])
    #expect(XLSXReader.unescape("第一行_x000D_第二行_x005F_x") == "第一行\r第二行_x")
    #expect(XLSXReader.column("AB12") == 27)
  }

  @Test("a sheet of many rows with one cell far right is refused, not expanded into memory; many bare & stay linear")
  func hugeSheets() {
    var xml = "<worksheet><sheetData>"
    for row in 1...2_000 { xml += "<row r=\"\(row)\"><c r=\"XFD\(row)\" t=\"inlineStr\"><is><t>x</t></is></c></row>" }
    xml += "</sheetData></worksheet>"
    do {
      _ = try XLSXReader.cells(Array(xml.utf8), shared: []) { HeguiError(.invalidInput, $0) }
      Issue.record("2,000 rows of 16,384 cells must be refused")
    } catch {
      #expect(error.description.contains("more than 20000000 cells"), "\(error)")
    }
    let ampersands = String(repeating: "a & b ", count: 200_000)
    let clock = ContinuousClock()
    let elapsed = clock.measure { #expect(XML.decode(Array(ampersands.utf8)[...]) == ampersands) }
    #expect(elapsed < .seconds(5), "\(elapsed)")
  }
}
