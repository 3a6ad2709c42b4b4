import Foundation

/// Where each listing field's text lies in its file, so a fix can rewrite the field in place
/// without touching the rest of the record (its other fields, key order, spacing, quoting).
///
/// The records are found as ``ListingParser`` finds them: JSON Lines and CSV records by the line
/// they start on, JSON records by their position in the top-level array (or the array under a
/// wrapper key). A field is the column or key ``ListingColumns`` maps to it, the first one when
/// several do (header order in CSV, sorted keys in JSON, as the parser reads them).
struct ListingSource {
  /// A field's text and, for each UTF-8 byte of it, where that byte's character starts in the
  /// file (plus one entry for the end of the text).
  struct Field {
    var text: String
    var offsets: [Int]
    /// How the field is written: a JSON string, a quoted CSV field or a bare CSV field.
    var style: Style

    enum Style { case json, quotedCSV, bareCSV }

    /// The file's UTF-8 offsets of the text's `range` (offsets into ``text``).
    func sourceRange(of range: Range<Int>) -> Range<Int>? {
      guard range.lowerBound >= 0, range.upperBound < offsets.count else { return nil }
      return offsets[range.lowerBound]..<offsets[range.upperBound]
    }

    /// `replacement` written the way the field is, or `nil` when it cannot be written there
    /// safely (a bare CSV field would need quoting).
    func encoded(_ replacement: String) -> String? {
      switch style {
      case .json:
        // The inside of a JSON string, escaped as the JSON report writes strings.
        return String(JSONStream.string(replacement).dropFirst().dropLast())
      case .quotedCSV:
        return replacement.replacingOccurrences(of: "\"", with: "\"\"")
      case .bareCSV:
        return replacement.contains(where: { $0 == "," || $0 == "\"" || $0.isNewline }) ? nil : replacement
      }
    }
  }

  /// Which record: by the line it starts on (JSON Lines, CSV) or its 1-based position (JSON).
  enum RecordKey: Hashable {
    case line(Int)
    case index(Int)
  }

  /// The text fields (`title`, `description`) of every record.
  private(set) var fields: [RecordKey: [String: Field]] = [:]

  init(text: String, format: InputFormat, columns: ListingColumns) {
    let bytes = Array(text.utf8)
    switch format {
    case .csv: readCSV(bytes, columns: columns)
    case .xlsx: return  // a workbook's fields are not rewritten
    case .jsonl:
      var start = 0
      var line = 1
      while start <= bytes.count {
        let end = bytes[start...].firstIndex(of: 0x0A) ?? bytes.count
        var scanner = JSONScanner(bytes: bytes, position: start, end: end)
        if let value = scanner.value(), case let .object(members) = value {
          fields[.line(line)] = Self.textFields(members, columns: columns)
        }
        start = end + 1
        line += 1
      }
    case .json, .script, .srt:
      var scanner = JSONScanner(bytes: bytes, position: 0, end: bytes.count)
      guard let root = scanner.value() else { return }
      var records: [JSONScanner.Value] = []
      switch root {
      case let .array(items): records = items
      case let .object(members):
        if let key = ListingParser.wrapperKeys.first(where: { key in
          members.contains { $0.key == key && $0.value.isArray }
        }), case let .array(items)? = members.first(where: { $0.key == key })?.value {
          records = items
        } else {
          records = [root]
        }
      default: return
      }
      for (i, record) in records.enumerated() {
        if case let .object(members) = record { fields[.index(i + 1)] = Self.textFields(members, columns: columns) }
      }
    }
  }

  private static func textFields(_ members: [(key: String, value: JSONScanner.Value)], columns: ListingColumns)
    -> [String: Field]
  {
    var out: [String: Field] = [:]
    // Sorted keys, the first for a field wins: as ListingColumns.canonical reads a JSON record.
    for member in members.sorted(by: { $0.key < $1.key }) {
      guard let field = columns.field(for: member.key), ListingParser.textKeys.contains(field), out[field] == nil,
        case let .string(text, offsets) = member.value
      else { continue }
      out[field] = Field(text: text, offsets: offsets, style: .json)
    }
    return out
  }

  private mutating func readCSV(_ bytes: [UInt8], columns: ListingColumns) {
    // The same reading as CSVParser, keeping where each field's characters are.
    var rows: [(line: Int, fields: [Field])] = []
    var current: [Field] = []
    var text: [UInt8] = []
    var offsets: [Int] = []
    var quoted = false
    var inQuotes = false
    var line = 1
    var rowLine = 1
    var i = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
    func endField(at position: Int) {
      offsets.append(position)
      current.append(
        Field(text: String(decoding: text, as: UTF8.self), offsets: offsets, style: quoted ? .quotedCSV : .bareCSV))
      text = []
      offsets = []
      quoted = false
    }
    while i < bytes.count {
      let c = bytes[i]
      if inQuotes {
        if c == 0x22 {
          if i + 1 < bytes.count && bytes[i + 1] == 0x22 {
            text.append(0x22)
            offsets.append(i)
            i += 2
          } else {
            inQuotes = false
            endField(at: i)
            i += 1
            // What follows the closing quote up to the separator is not the field's.
            while i < bytes.count && bytes[i] != 0x2C && bytes[i] != 0x0A { i += 1 }
            if i < bytes.count && bytes[i] == 0x2C {
              i += 1
              if i >= bytes.count || bytes[i] == 0x0A { endField(at: i) }
            }
            if i >= bytes.count {
              rows.append((rowLine, current))
              current = []
            } else if bytes[i] == 0x0A {
              rows.append((rowLine, current))
              current = []
              line += 1
              rowLine = line
              i += 1
            }
          }
        } else {
          if c == 0x0A { line += 1 }
          text.append(c)
          offsets.append(i)
          i += 1
        }
        continue
      }
      switch c {
      case 0x22 where text.isEmpty:
        inQuotes = true
        quoted = true
        i += 1
      case 0x2C:
        endField(at: i)
        i += 1
      case 0x0A:
        let end = i > 0 && bytes[i - 1] == 0x0D ? i - 1 : i
        endField(at: end)
        rows.append((rowLine, current))
        current = []
        line += 1
        rowLine = line
        i += 1
      case 0x0D:
        i += 1
      default:
        text.append(c)
        offsets.append(i)
        i += 1
      }
    }
    if !text.isEmpty || !current.isEmpty {
      endField(at: bytes.count)
      rows.append((rowLine, current))
    }
    guard let header = rows.first else { return }
    let names = header.fields.map { columns.field(for: $0.text.trimmingCharacters(in: .whitespaces)) }
    for row in rows.dropFirst() where row.fields.count == names.count {
      var out: [String: Field] = [:]
      for (name, field) in zip(names, row.fields) {
        guard let name, ListingParser.textKeys.contains(name), out[name] == nil else { continue }
        out[name] = field
      }
      fields[.line(row.line)] = out
    }
  }
}

/// A JSON reader that keeps, for every string, where each of its characters is in the source.
struct JSONScanner {
  indirect enum Value {
    case object([(key: String, value: Value)])
    case array([Value])
    /// The decoded text and, per UTF-8 byte of it, the source offset of its character (plus the
    /// closing quote's offset).
    case string(String, [Int])
    case other

    var isArray: Bool {
      if case .array = self { return true }
      return false
    }
  }

  let bytes: [UInt8]
  var position: Int
  let end: Int
  /// How deep the value being read is nested; past ``maximumDepth`` the source is not read (a
  /// file of ten million `[` must not overflow the stack).
  private var depth = 0
  static let maximumDepth = 256

  init(bytes: [UInt8], position: Int, end: Int) {
    self.bytes = bytes
    self.position = position
    self.end = end
  }

  /// The value at the position, or `nil` when the source is not valid JSON there (or nests
  /// deeper than ``maximumDepth``).
  mutating func value() -> Value? {
    guard depth < JSONScanner.maximumDepth else { return nil }
    depth += 1
    defer { depth -= 1 }
    skipSpace()
    guard position < end else { return nil }
    switch bytes[position] {
    case 0x7B:  // {
      position += 1
      var members: [(key: String, value: Value)] = []
      skipSpace()
      if position < end && bytes[position] == 0x7D {
        position += 1
        return .object(members)
      }
      while true {
        skipSpace()
        guard case let .string(key, _)? = string() else { return nil }
        skipSpace()
        guard position < end, bytes[position] == 0x3A else { return nil }
        position += 1
        guard let item = value() else { return nil }
        members.append((key, item))
        skipSpace()
        guard position < end else { return nil }
        if bytes[position] == 0x2C {
          position += 1
          continue
        }
        guard bytes[position] == 0x7D else { return nil }
        position += 1
        return .object(members)
      }
    case 0x5B:  // [
      position += 1
      var items: [Value] = []
      skipSpace()
      if position < end && bytes[position] == 0x5D {
        position += 1
        return .array(items)
      }
      while true {
        guard let item = value() else { return nil }
        items.append(item)
        skipSpace()
        guard position < end else { return nil }
        if bytes[position] == 0x2C {
          position += 1
          continue
        }
        guard bytes[position] == 0x5D else { return nil }
        position += 1
        return .array(items)
      }
    case 0x22:
      return string()
    default:
      // Numbers, true, false, null: up to the next separator.
      let start = position
      while position < end, ![0x2C, 0x7D, 0x5D, 0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
      return position > start ? .other : nil
    }
  }

  private mutating func skipSpace() {
    while position < end, [0x20, 0x0A, 0x0D, 0x09].contains(bytes[position]) { position += 1 }
  }

  private mutating func string() -> Value? {
    guard position < end, bytes[position] == 0x22 else { return nil }
    position += 1
    var text: [UInt8] = []
    var offsets: [Int] = []
    func append(_ scalar: Unicode.Scalar, from start: Int) {
      let encoded = Array(String(scalar).utf8)
      text += encoded
      offsets += Array(repeating: start, count: encoded.count)
    }
    while position < end {
      let c = bytes[position]
      let start = position
      if c == 0x22 {
        offsets.append(position)
        position += 1
        return .string(String(decoding: text, as: UTF8.self), offsets)
      }
      if c == 0x5C {
        guard position + 1 < end else { return nil }
        let e = bytes[position + 1]
        position += 2
        switch e {
        case 0x22: append("\"", from: start)
        case 0x5C: append("\\", from: start)
        case 0x2F: append("/", from: start)
        case 0x62: append("\u{08}", from: start)
        case 0x66: append("\u{0C}", from: start)
        case 0x6E: append("\n", from: start)
        case 0x72: append("\r", from: start)
        case 0x74: append("\t", from: start)
        case 0x75:
          guard var unit = hex4() else { return nil }
          if (0xD800..<0xDC00).contains(unit), position + 1 < end, bytes[position] == 0x5C, bytes[position + 1] == 0x75
          {
            position += 2
            guard let low = hex4(), (0xDC00..<0xE000).contains(low) else { return nil }
            unit = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00)
          }
          guard let scalar = Unicode.Scalar(unit) else { return nil }
          append(scalar, from: start)
        default: return nil
        }
        continue
      }
      // A raw character: copy its UTF-8 bytes, all pointing at its first byte.
      let length = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4
      guard position + length <= end else { return nil }
      text += bytes[position..<(position + length)]
      offsets += Array(repeating: start, count: length)
      position += length
    }
    return nil
  }

  private mutating func hex4() -> UInt32? {
    guard position + 4 <= end,
      let value = UInt32(String(decoding: bytes[position..<(position + 4)], as: UTF8.self), radix: 16)
    else { return nil }
    position += 4
    return value
  }
}
