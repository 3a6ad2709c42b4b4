import CZlib
public import Foundation
public import Hegui

/// Reads the first worksheet of an Excel workbook (`.xlsx`, Office Open XML), as shop back-ends
/// export listings: a documented minimal reader, not a spreadsheet library.
///
/// - The file is a ZIP archive: its central directory is read, and the parts needed are
///   inflated with zlib (stored and deflated entries; ZIP64, encrypted or multi-disk archives are
///   refused with a clear error). An entry may not inflate to more than 256 MB, nor to more than
///   it declares (a ZIP bomb is an error, not a hang).
/// - `xl/workbook.xml` and its relationships name the first sheet; `xl/sharedStrings.xml` holds
///   the shared strings (rich-text runs are joined; phonetic runs `<rPh>` are not text).
/// - A cell's text is its shared string (`t="s"`), inline string (`t="inlineStr"`), formula
///   string (`t="str"`) or its value as written (numbers as stored: `12.5`, dates as serial
///   numbers — listings' text columns are strings).
/// - Rows keep their Excel row numbers, so findings name the row a person sees in Excel.
public enum XLSXReader {
  /// The largest part inflated (bytes).
  public static let maximumPartSize = 256 * 1024 * 1024
  /// The most cells a sheet may hold, empty ones before each row's last cell included.
  public static let maximumCells = 20_000_000

  /// A row of the sheet: its Excel row number and its cells by column (A = 0), trailing empty
  /// cells dropped.
  public struct Row: Sendable, Hashable {
    /// 1-based row number as Excel shows it.
    public let number: Int
    /// Cell texts by column index.
    public let cells: [String]
  }

  /// The rows of the first worksheet, in order.
  ///
  /// - Throws: ``HeguiError`` (`invalidInput`) naming `path` and what is wrong: not a ZIP
  ///   archive, not a workbook, a part that cannot be inflated or parsed.
  public static func rows(_ data: Data, path: String) throws(HeguiError) -> [Row] {
    let bytes = [UInt8](data)
    func fail(_ message: String) -> HeguiError {
      HeguiError(.invalidInput, "not a readable Excel workbook (.xlsx): \(message)", at: .init(path: path))
    }
    let archive: [String: Entry]
    do { archive = try entries(bytes) } catch { throw fail(error.message) }
    func part(_ name: String) throws(HeguiError) -> [UInt8]? {
      guard let entry = archive[name] else { return nil }
      do { return try inflate(entry, in: bytes) } catch { throw fail("\(name): \(error.message)") }
    }
    guard let workbook = try part("xl/workbook.xml") else {
      throw fail("it has no xl/workbook.xml (an .xls file from old Excel is not read: save it as .xlsx)")
    }
    let sheets = XML.elements(workbook).filter { $0.name == "sheet" }
    guard let first = sheets.first else { throw fail("the workbook has no sheet") }
    var target = "xl/worksheets/sheet1.xml"
    if let id = first.attributes["r:id"] ?? first.attributes.first(where: { $0.key.hasSuffix(":id") })?.value,
      let rels = try part("xl/_rels/workbook.xml.rels"),
      let relation = XML.elements(rels).first(where: { $0.name == "Relationship" && $0.attributes["Id"] == id }),
      let relative = relation.attributes["Target"]
    {
      target = relative.hasPrefix("/") ? String(relative.dropFirst()) : "xl/" + relative
    }
    guard let sheet = try part(target) else { throw fail("its first sheet (\(target)) is missing") }
    let shared = try part("xl/sharedStrings.xml").map(sharedStrings) ?? []
    return try cells(sheet, shared: shared, fail: fail)
  }

  // MARK: ZIP

  struct Entry {
    var crc: UInt32
    var method: UInt16
    var flags: UInt16
    var compressedSize: Int
    var size: Int
    var localHeader: Int
  }

  struct Failure: Error {
    var message: String
  }

  static func u16(_ b: [UInt8], _ i: Int) -> Int { Int(b[i]) | Int(b[i + 1]) << 8 }
  static func u32(_ b: [UInt8], _ i: Int) -> Int { u16(b, i) | u16(b, i + 2) << 16 }

  /// The archive's entries by name, from its central directory.
  static func entries(_ b: [UInt8]) throws(Failure) -> [String: Entry] {
    if b.starts(with: [0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
      throw Failure(message: "it is an .xls workbook from old Excel (a binary format): save it as .xlsx")
    }
    guard b.count >= 22, b.starts(with: [0x50, 0x4B]) else { throw Failure(message: "it is not a ZIP archive") }
    // The end-of-central-directory record: within the last 64 KB + 22 bytes.
    var end = -1
    var i = b.count - 22
    while i >= max(0, b.count - 65_557) {
      if b[i] == 0x50 && b[i + 1] == 0x4B && b[i + 2] == 0x05 && b[i + 3] == 0x06 {
        end = i
        break
      }
      i -= 1
    }
    guard end >= 0 else { throw Failure(message: "no ZIP central directory (a truncated file?)") }
    let count = u16(b, end + 10)
    let size = u32(b, end + 12)
    let offset = u32(b, end + 16)
    if u16(b, end + 4) != 0 || u16(b, end + 6) != 0 { throw Failure(message: "a multi-disk ZIP archive") }
    if count == 0xFFFF || offset == 0xFFFF_FFFF {
      throw Failure(message: "a ZIP64 archive (over 4 GB or 65,535 parts)")
    }
    guard offset + size <= end else { throw Failure(message: "the ZIP central directory lies outside the file") }
    var result: [String: Entry] = [:]
    var p = offset
    for _ in 0..<count {
      guard p + 46 <= b.count, u32(b, p) == 0x0201_4B50 else {
        throw Failure(message: "a broken ZIP central directory")
      }
      let nameLength = u16(b, p + 28)
      let extra = u16(b, p + 30)
      let comment = u16(b, p + 32)
      guard p + 46 + nameLength <= b.count else { throw Failure(message: "a broken ZIP central directory") }
      let name = String(decoding: b[(p + 46)..<(p + 46 + nameLength)], as: UTF8.self)
      result[name] = Entry(
        crc: UInt32(u32(b, p + 16)), method: UInt16(u16(b, p + 10)), flags: UInt16(u16(b, p + 8)),
        compressedSize: u32(b, p + 20),
        size: u32(b, p + 24), localHeader: u32(b, p + 42))
      p += 46 + nameLength + extra + comment
    }
    return result
  }

  /// An entry's bytes.
  static func inflate(_ entry: Entry, in b: [UInt8]) throws(Failure) -> [UInt8] {
    if entry.flags & 1 != 0 { throw Failure(message: "it is encrypted") }
    let h = entry.localHeader
    guard h + 30 <= b.count, u32(b, h) == 0x0403_4B50 else { throw Failure(message: "a broken ZIP entry header") }
    let start = h + 30 + u16(b, h + 26) + u16(b, h + 28)
    guard start + entry.compressedSize <= b.count else {
      throw Failure(message: "the entry runs past the end of the file")
    }
    guard entry.size <= maximumPartSize else {
      throw Failure(message: "it would inflate to \(entry.size) bytes, over the limit of \(maximumPartSize)")
    }
    let input = Array(b[start..<(start + entry.compressedSize)])
    let output: [UInt8]
    switch entry.method {
    case 0:
      guard input.count == entry.size else { throw Failure(message: "a stored part whose size does not match") }
      output = input
    case 8:
      var inflated = [UInt8](repeating: 0, count: entry.size + 1)
      var stream = z_stream()
      var status = inflateInit2_(&stream, -MAX_WBITS, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
      guard status == Z_OK else { throw Failure(message: "zlib could not start (\(status))") }
      defer { inflateEnd(&stream) }
      var produced = 0
      input.withUnsafeBufferPointer { source in
        inflated.withUnsafeMutableBufferPointer { target in
          stream.next_in = UnsafeMutablePointer(mutating: source.baseAddress)
          stream.avail_in = uInt(source.count)
          stream.next_out = target.baseAddress
          stream.avail_out = uInt(target.count)
          status = CZlib.inflate(&stream, Z_FINISH)
          produced = target.count - Int(stream.avail_out)
        }
      }
      // One byte of room more than declared: a part that inflates past its size is refused.
      guard status == Z_STREAM_END, produced == entry.size else {
        throw Failure(
          message: produced > entry.size
            ? "it inflates to more than the \(entry.size) bytes it declares" : "its compressed data is broken")
      }
      inflated.removeLast()
      output = inflated
    default:
      throw Failure(message: "compression method \(entry.method) (only stored and deflated parts are read)")
    }
    let crc = output.withUnsafeBufferPointer { UInt32(crc32(0, $0.baseAddress, uInt($0.count))) }
    guard crc == entry.crc else { throw Failure(message: "its data is corrupt (checksum mismatch)") }
    return output
  }

  // MARK: Sheet

  static func sharedStrings(_ xml: [UInt8]) -> [String] {
    var strings: [String] = []
    var current = ""
    var inItem = false
    var phonetic = 0
    var inText = false
    XML.scan(xml) { event in
      switch event {
      case let .open(name, _, selfClosing):
        if name == "si" {
          inItem = true
          current = ""
          if selfClosing {
            strings.append("")
            inItem = false
          }
        } else if name == "rPh" && !selfClosing {
          phonetic += 1
        } else if name == "t" && !selfClosing {
          inText = true
        }
      case let .close(name):
        if name == "si" {
          strings.append(unescape(current))
          inItem = false
        } else if name == "rPh" {
          phonetic -= 1
        } else if name == "t" {
          inText = false
        }
      case let .text(text):
        if inItem && inText && phonetic == 0 { current += text }
      }
    }
    return strings
  }

  static func cells(_ xml: [UInt8], shared: [String], fail: (String) -> HeguiError) throws(HeguiError) -> [Row] {
    var rows: [Row] = []
    var rowNumber = 0
    var cells: [Int: String] = [:]
    var cellColumn = 0
    var cellType = "n"
    var value = ""
    var inValue = false
    var inInline = false
    var phonetic = 0
    var failure: String?
    // Rows become arrays up to their last cell: a sheet of many rows, each with one cell far to
    // the right, must be refused rather than fill memory with empty cells.
    var cellBudget = maximumCells
    func endRow() {
      guard let last = cells.keys.max() else { return }
      cellBudget -= last + 1
      guard cellBudget >= 0 else {
        failure =
          "the sheet has more than \(maximumCells) cells (counting the empty ones before each row's last); split it"
        return
      }
      var row = [String](repeating: "", count: last + 1)
      for (column, text) in cells { row[column] = text }
      while row.last?.isEmpty == true { row.removeLast() }
      if !row.isEmpty { rows.append(Row(number: rowNumber, cells: row)) }
    }
    XML.scan(xml) { event in
      guard failure == nil else { return }
      switch event {
      case let .open(name, attributes, selfClosing):
        switch name {
        case "row":
          cells = [:]
          rowNumber = Int(attributes["r"] ?? "") ?? rowNumber + 1
          cellColumn = -1
        case "c":
          cellColumn = attributes["r"].flatMap(column) ?? cellColumn + 1
          cellType = attributes["t"] ?? "n"
          value = ""
        case "v" where !selfClosing: inValue = true
        case "is" where !selfClosing: inInline = true
        case "rPh" where !selfClosing: phonetic += 1
        default: break
        }
      case let .close(name):
        switch name {
        case "row": endRow()
        case "v": inValue = false
        case "is": inInline = false
        case "rPh": phonetic -= 1
        case "c":
          var text = value
          if cellType == "s" && !value.isEmpty {
            guard let index = Int(value.trimmingCharacters(in: .whitespaces)), shared.indices.contains(index) else {
              failure = "row \(rowNumber): a shared-string index '\(value)' that the workbook does not have"
              return
            }
            text = shared[index]
          } else if cellType == "b" {
            text = value == "1" ? "TRUE" : "FALSE"
          }
          text = unescape(text)
          if !text.isEmpty { cells[cellColumn] = text }
        default: break
        }
      case let .text(text):
        if (inValue || inInline) && phonetic == 0 { value += text }
      }
    }
    if let failure { throw fail(failure) }
    return rows
  }

  /// Office Open XML writes characters XML cannot hold as `_xHHHH_` (`_x000D_` for a carriage
  /// return); `_x005F_` escapes a literal underscore.
  static func unescape(_ text: String) -> String {
    guard text.contains("_x") else { return text }
    var out = ""
    var scalars = Array(text.unicodeScalars)[...]
    while let first = scalars.first {
      if first == "_", scalars.count >= 7, scalars[scalars.startIndex + 1] == "x",
        scalars[scalars.startIndex + 6] == "_",
        let value = UInt32(
          String(String.UnicodeScalarView(scalars[(scalars.startIndex + 2)..<(scalars.startIndex + 6)])), radix: 16),
        let scalar = Unicode.Scalar(value)
      {
        out.unicodeScalars.append(scalar)
        scalars = scalars.dropFirst(7)
      } else {
        out.unicodeScalars.append(first)
        scalars = scalars.dropFirst()
      }
    }
    return out
  }

  /// The 0-based column of a cell reference such as `AB12`.
  static func column(_ reference: String) -> Int? {
    var n = 0
    var any = false
    for c in reference.unicodeScalars {
      guard ("A"..."Z").contains(c) else { break }
      n = n * 26 + Int(c.value - 64)
      any = true
    }
    return any && n <= 16_384 ? n - 1 : nil
  }
}

/// Just enough XML for a workbook's parts: elements with attributes, text with the five named
/// entities and character references, CDATA; comments, processing instructions and the
/// declaration skipped. Namespace prefixes are dropped from element names (attribute names keep
/// theirs).
enum XML {
  enum Event {
    case open(String, [String: String], selfClosing: Bool)
    case close(String)
    case text(String)
  }

  struct Element {
    var name: String
    var attributes: [String: String]
  }

  /// Every element's start tag, in order.
  static func elements(_ xml: [UInt8]) -> [Element] {
    var out: [Element] = []
    scan(xml) { event in
      if case let .open(name, attributes, _) = event { out.append(Element(name: name, attributes: attributes)) }
    }
    return out
  }

  private static let cdata = Array("<![CDATA[".utf8)
  private static let comment = Array("<!--".utf8)

  static func scan(_ b: [UInt8], _ handle: (Event) -> Void) {
    var i = 0
    let n = b.count
    func local(_ name: String) -> String {
      name.firstIndex(of: ":").map { String(name[name.index(after: $0)...]) } ?? name
    }
    while i < n {
      if b[i] != 0x3C {  // text up to the next '<'
        let start = i
        while i < n && b[i] != 0x3C { i += 1 }
        handle(.text(decode(b[start..<i])))
        continue
      }
      if b[i...].starts(with: cdata) {
        let start = i + 9
        var j = start
        while j + 2 < n && !(b[j] == 0x5D && b[j + 1] == 0x5D && b[j + 2] == 0x3E) { j += 1 }
        handle(.text(String(decoding: b[start..<min(j, n)], as: UTF8.self)))
        i = j + 3
        continue
      }
      if b[i...].starts(with: comment) {
        var j = i + 4
        while j + 2 < n && !(b[j] == 0x2D && b[j + 1] == 0x2D && b[j + 2] == 0x3E) { j += 1 }
        i = j + 3
        continue
      }
      if i + 1 < n && (b[i + 1] == 0x3F || b[i + 1] == 0x21) {  // <? … ?> and <! … >
        while i < n && b[i] != 0x3E { i += 1 }
        i += 1
        continue
      }
      // A tag: find its end, respecting quoted attribute values.
      var j = i + 1
      var quote: UInt8 = 0
      while j < n {
        if quote != 0 {
          if b[j] == quote { quote = 0 }
        } else if b[j] == 0x22 || b[j] == 0x27 {
          quote = b[j]
        } else if b[j] == 0x3E {
          break
        }
        j += 1
      }
      guard j < n else { return }
      let tag = Array(b[(i + 1)..<j])
      i = j + 1
      if tag.first == 0x2F {
        handle(.close(local(String(decoding: tag.dropFirst(), as: UTF8.self).trimmingCharacters(in: .whitespaces))))
        continue
      }
      let selfClosing = tag.last == 0x2F
      let body = selfClosing ? tag.dropLast() : tag[...]
      var k = body.startIndex
      while k < body.endIndex && !isSpace(body[k]) { k += 1 }
      let name = local(String(decoding: body[body.startIndex..<k], as: UTF8.self))
      var attributes: [String: String] = [:]
      while k < body.endIndex {
        while k < body.endIndex && isSpace(body[k]) { k += 1 }
        let keyStart = k
        while k < body.endIndex && body[k] != 0x3D && !isSpace(body[k]) { k += 1 }
        let key = String(decoding: body[keyStart..<k], as: UTF8.self)
        while k < body.endIndex && (isSpace(body[k]) || body[k] == 0x3D) { k += 1 }
        guard k < body.endIndex, body[k] == 0x22 || body[k] == 0x27 else { break }
        let q = body[k]
        k += 1
        let valueStart = k
        while k < body.endIndex && body[k] != q { k += 1 }
        if !key.isEmpty { attributes[key] = decode(body[valueStart..<min(k, body.endIndex)]) }
        k += 1
      }
      handle(.open(name, attributes, selfClosing: selfClosing))
      if selfClosing { handle(.close(name)) }
    }
  }

  static func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }

  /// Text with entities and character references resolved (an unknown one is kept as written).
  static func decode(_ bytes: ArraySlice<UInt8>) -> String {
    let text = String(decoding: bytes, as: UTF8.self)
    guard text.contains("&") else { return text }
    var out = ""
    var rest = text[...]
    while let amp = rest.firstIndex(of: "&") {
      out += rest[..<amp]
      // An entity is short: look for its `;` within a few characters, not to the end of the text
      // (a text of many bare `&` must not be scanned once per `&`).
      guard let semicolon = rest[amp...].prefix(12).firstIndex(of: ";") else {
        out += "&"
        rest = rest[rest.index(after: amp)...]
        continue
      }
      let entity = rest[rest.index(after: amp)..<semicolon]
      var replacement: String?
      switch entity {
      case "amp": replacement = "&"
      case "lt": replacement = "<"
      case "gt": replacement = ">"
      case "quot": replacement = "\""
      case "apos": replacement = "'"
      default:
        if entity.hasPrefix("#x") || entity.hasPrefix("#X"), let v = UInt32(entity.dropFirst(2), radix: 16) {
          replacement = Unicode.Scalar(v).map { String($0) }
        } else if entity.hasPrefix("#"), let v = UInt32(entity.dropFirst()) {
          replacement = Unicode.Scalar(v).map { String($0) }
        }
      }
      if let replacement {
        out += replacement
        rest = rest[rest.index(after: semicolon)...]
      } else {
        out += "&"
        rest = rest[rest.index(after: amp)...]
      }
    }
    out += rest
    return out
  }
}
