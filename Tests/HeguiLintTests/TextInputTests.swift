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
      #expect(error.description == "script.txt:2:3: not valid UTF-8: byte 0xFF at offset 16; convert the file to UTF-8")
    }
  }

  @Test("a binary file is refused")
  func binary() {
    #expect(throws: HeguiError.self) {
      try TextInput.decode(Data([0x89, 0x50, 0x4E, 0x47, 0x00, 0x01]), path: "a.png")
    }
  }
}
