import Foundation
import Hegui
import HeguiLint
import Testing

@Suite("Text input")
struct TextInputTests {
  @Test("invalid UTF-8 is an error naming the file, byte offset, line and column")
  func invalidUTF8() {
    var data = Data("第一行\n全网".utf8)
    data.append(0xFF)
    data.append(contentsOf: Array("最低价".utf8))
    do {
      _ = try TextInput.decode(data, path: "script.txt")
      Issue.record("expected an error")
    } catch {
      #expect(error.code == .invalidInput)
      #expect(
        error.description
          == "script.txt:2:3: not valid UTF-8: byte 0xFF at offset 16; convert the file to UTF-8, or name its encoding (--encoding gbk, gb18030, utf-16)"
      )
    }
  }

  @Test("a binary file is refused")
  func binary() {
    #expect(throws: HeguiError.self) {
      try TextInput.decode(Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0x01]), path: "a.png")
    }
  }

  static func bytes(_ hex: String) -> Data {
    var data = Data()
    var index = hex.startIndex
    while index < hex.endIndex {
      let next = hex.index(index, offsetBy: 2)
      data.append(UInt8(hex[index..<next], radix: 16) ?? 0)
      index = next
    }
    return data
  }

  @Test("a named encoding is converted strictly: GBK, GB 18030 (four-byte sequences), UTF-16 with and without a mark")
  func encodings() throws {
    // 今天全网最低价 in GBK (the same bytes in GB 18030), then 𠀀 (U+20000), four bytes in GB 18030 only.
    let gbk = Self.bytes("bdf1ccecc8abcdf8d7eeb5cdbcdb0a")
    #expect(try TextInput.decode(gbk, path: "a.txt", encoding: .gbk) == "今天全网最低价\n")
    #expect(try TextInput.decode(gbk + Self.bytes("95328236"), path: "a.txt", encoding: .gb18030) == "今天全网最低价\n𠀀")
    #expect(throws: HeguiError.self) { try TextInput.decode(Self.bytes("95328236"), path: "a.txt", encoding: .gbk) }
    do {
      _ = try TextInput.decode(gbk, path: "a.txt")
      Issue.record("GBK read as UTF-8 must be refused, never repaired")
    } catch {
      #expect(error.description.contains("name its encoding (--encoding gbk"))
    }
    let utf16 = Data([0xFF, 0xFE]) + "全网最低价".data(using: .utf16LittleEndian)!
    #expect(try TextInput.decode(utf16, path: "a.txt", encoding: .utf16) == "全网最低价")
    #expect(try TextInput.decode(utf16.dropFirst(2), path: "a.txt", encoding: .utf16le) == "全网最低价")
    do {
      _ = try TextInput.decode(utf16.dropFirst(2), path: "a.txt", encoding: .utf16)
      Issue.record("UTF-16 without a byte-order mark is not guessed")
    } catch {
      #expect(error.description.contains("no UTF-16 byte-order mark"))
    }
    do {
      _ = try TextInput.decode(utf16, path: "a.txt")
      Issue.record("UTF-16 read as UTF-8 must be refused")
    } catch {
      #expect(error.description.contains("this file is UTF-16"))
    }
    do {
      _ = try TextInput.decode(Self.bytes("c8ab81ff"), path: "b.txt", encoding: .gbk)
      Issue.record("an invalid GBK sequence is an error")
    } catch {
      #expect(error.description.hasPrefix("b.txt: not valid gbk (byte 0x81 at offset 2)"), "\(error)")
    }
    #expect(TextEncoding(name: "GB2312") == .gbk)
    #expect(TextEncoding(name: "big5") == nil)
  }

  @Test("errors read in Chinese under a Chinese locale: reasons translated, places and names kept")
  func chineseErrors() {
    var data = Data("第一行\n全网".utf8)
    data.append(0xFF)
    do {
      _ = try TextInput.decode(data, path: "a.txt")
    } catch {
      #expect(
        Language.chinese.describe(error)
          == "a.txt:2:3: 不是有效的 UTF-8：偏移 16 处的字节 0xFF；请把文件转换为 UTF-8，或用 --encoding 指明编码（gbk、gb18030、utf-16）")
      #expect(Language.english.describe(error) == error.description)
    }
    let unknown = HeguiError(.invalidInput, "something no table knows", at: .init(path: "b.txt"))
    #expect(Language.chinese.describe(unknown) == "b.txt: something no table knows")
    #expect(Language.from(environment: ["LANG": "zh_CN.UTF-8"]) == .chinese)
    #expect(Language.from(environment: ["LC_ALL": "C", "LANG": "zh_CN.UTF-8"]) == .english)
    #expect(Language.from(environment: ["LC_MESSAGES": "zh_TW.UTF-8"]) == .chinese)
    #expect(Language.from(environment: [:]) == .english)
  }
}
