public import Foundation
public import Hegui

/// A listing as read from an export file: the `Listing` and where it is in the file.
///
/// Recognised fields: `id`, `title`, `description`, `category`, `shop_subject` (`individual` /
/// `enterprise`, or 个人 / 企业), `licences` (a list, or one string separated by `;` / `；` / `、`).
/// Columns and keys are also recognised by the names shop back-ends' exports give them (商品标题,
/// 商品描述, 类目, …) and by a mapping (``ListingColumns``). Other fields are ignored.
public struct ListingRecord: Sendable, Hashable {
  /// The listing.
  public let listing: Listing
  /// 1-based index of the record in its file.
  public let index: Int
  /// 1-based line where the record starts.
  public let line: Int
}

/// Which column or key of a listing export holds which field.
///
/// Besides the field names themselves (`title`, `description`, …), the header names that shop
/// back-ends' exports commonly use are recognised, in Chinese and English: 标题/商品标题/商品名称/
/// 宝贝标题, 描述/商品描述/详情/宝贝描述, 类目/商品类目/分类, 商品ID/商品编号/货号, … (the full list is
/// ``aliases``; matching ignores case, spaces, a leading `*` and a trailing 〔必填〕/(必填) mark).
/// Other names are mapped with ``init(mapping:)``: `--columns title=品名,description=文案` or
/// `columns:` in `.hegui.yml`. A file in which no column holds text is an input error that names
/// the headers it saw; it is never passed as clean.
public struct ListingColumns: Sendable, Hashable {
  /// The fields a listing record has.
  public static let fields = ["id", "title", "description", "category", "shop_subject", "licences"]

  /// The header names recognised without a mapping, by field.
  public static let aliases: [String: [String]] = [
    "id": [
      "id", "商品id", "商品编号", "商品编码", "宝贝id", "产品id", "商家编码", "货号", "item_id", "product_id", "goods_id", "sku_id",
      "spu_id",
    ],
    "title": [
      "title", "标题", "商品标题", "商品名称", "商品名", "品名", "商品全称", "宝贝标题", "宝贝名称", "产品名称", "产品标题", "名称", "name", "product_name",
      "product_title", "item_title", "goods_name", "item_name",
    ],
    "description": [
      "description", "描述", "商品描述", "详情", "商品详情", "宝贝描述", "产品描述", "产品详情", "商品简介", "简介", "商品卖点", "卖点", "文案",
      "desc", "detail", "details", "product_description", "item_description",
    ],
    "category": [
      "category", "类目", "商品类目", "类别", "商品类别", "分类", "商品分类", "类目名称", "末级类目", "叶子类目", "category_name",
    ],
    "shop_subject": ["shop_subject", "shopsubject", "主体类型", "店铺主体", "经营主体", "店铺类型"],
    "licences": ["licences", "licenses", "资质", "许可证", "证照", "资质证照"],
  ]

  /// Header name (normalised) → field, from the mapping given; built-in aliases come after.
  private let custom: [String: String]

  /// The built-in aliases only.
  public init() { custom = [:] }

  /// The built-in aliases plus `mapping` (field → the header name that holds it).
  ///
  /// - Throws: ``HeguiError`` (`invalidInput`) for a field that is not one of ``fields``.
  public init(mapping: [String: String]) throws(HeguiError) {
    var custom: [String: String] = [:]
    for (field, header) in mapping {
      guard Self.fields.contains(field) else {
        throw HeguiError(
          .invalidInput,
          "unknown listing field '\(field)' in a column mapping; fields: \(Self.fields.joined(separator: ", "))")
      }
      custom[Self.normalise(header)] = field
    }
    self.custom = custom
  }

  private static let aliasIndex: [String: String] = {
    var index: [String: String] = [:]
    for (field, names) in aliases { for name in names { index[normalise(name)] = field } }
    return index
  }()

  /// The field a header names, or nil.
  public func field(for header: String) -> String? {
    let key = Self.normalise(header)
    return custom[key] ?? Self.aliasIndex[key]
  }

  /// Lower case, no spaces, no leading `*`, no trailing 必填 mark: `* 商品标题（必填）` → `商品标题`.
  static func normalise(_ header: String) -> String {
    var s = header.trimmingCharacters(in: .whitespacesAndNewlines).lowercased()
    while s.hasPrefix("*") { s.removeFirst() }
    for mark in ["（必填）", "(必填)", "【必填】", "*"] where s.hasSuffix(mark) { s.removeLast(mark.count) }
    return s.filter { !$0.isWhitespace }
  }

  /// The record with its keys renamed to fields (the first key for a field wins; keys that name
  /// no field are kept as they are).
  func canonical(_ record: [String: Any], order: [String]? = nil) -> [String: Any] {
    var out: [String: Any] = [:]
    var taken = Set<String>()
    for key in order ?? record.keys.sorted() {
      guard let value = record[key] else { continue }
      if let field = field(for: key) {
        if taken.insert(field).inserted { out[field] = value }
      } else if out[key] == nil {
        out[key] = value
      }
    }
    return out
  }
}

/// Parsers for listing exports. Each error names the file, line and reason.
public enum ListingParser {
  /// What a listing file holds.
  public struct Parsed: Sendable {
    /// The records that could be read, in file order.
    public var records: [ListingRecord]
    /// The errors of records that could not be read: one bad line does not hide the rest.
    public var errors: [HeguiError]
  }

  /// Parses a listing file in `format` (`json`, `jsonl` or `csv`; a script format reads as JSON),
  /// its columns or keys named as `columns` says.
  public static func parse(
    _ text: String, path: String, format: InputFormat, columns: ListingColumns = ListingColumns()
  ) -> Parsed {
    var (records, errors, headers): ([ListingRecord], [HeguiError], [String])
    switch format {
    case .jsonl: (records, errors, headers) = parseJSONLines(text, path: path, columns: columns)
    case .csv: (records, errors, headers) = parseCSV(text, path: path, columns: columns)
    case .json, .script, .srt: (records, errors, headers) = parseJSON(text, path: path, columns: columns)
    case .xlsx:
      // A workbook is binary: ``parse(workbook:path:columns:)`` reads it.
      (records, errors, headers) = (
        [], [HeguiError(.invalidInput, "an Excel workbook is read from its bytes", at: .init(path: path))], []
      )
    }
    return checked(records: records, errors: errors, headers: headers, path: path)
  }

  /// Parses the first sheet of an Excel workbook (``XLSXReader``): a header row, then one record
  /// per row, each at its Excel row number.
  public static func parse(workbook data: Data, path: String, columns: ListingColumns = ListingColumns()) -> Parsed {
    let rows: [XLSXReader.Row]
    do {
      rows = try XLSXReader.rows(data, path: path)
    } catch {
      return Parsed(records: [], errors: [error])
    }
    let (records, errors, headers) = records(
      rows: rows.map { (line: $0.number, fields: $0.cells) }, path: path, columns: columns, padded: true)
    return checked(records: records, errors: errors, headers: headers, path: path)
  }

  /// The parse, with an error when records exist but none holds text.
  private static func checked(
    records: [ListingRecord], errors: [HeguiError], headers: [String], path: String
  ) -> Parsed {
    var errors = errors
    // A file whose records hold no text at all was not checked: say so, never pass it silently.
    if !records.isEmpty && !records.contains(where: { $0.listing.title != nil || $0.listing.description != nil }) {
      let seen = headers.isEmpty ? "" : "; the columns seen: " + headers.map { "'\($0)'" }.joined(separator: ", ")
      errors.append(
        HeguiError(
          .invalidInput,
          "no record has a title or description: nothing in this file was checked for wording"
            + seen + ". Name the columns with --columns title=…,description=… (or 'columns:' in .hegui.yml)",
          at: .init(path: path)))
    }
    return Parsed(records: records, errors: errors)
  }

  /// Keys of a JSON object under which a listing export holds its records.
  static let wrapperKeys = ["listings", "items", "data", "records", "products"]
  /// The fields that hold text to check.
  static let textKeys = ["title", "description"]

  static func parseJSONLines(
    _ text: String, path: String, columns: ListingColumns
  ) -> ([ListingRecord], [HeguiError], [String]) {
    var listings: [ListingRecord] = []
    var errors: [HeguiError] = []
    var headers: [String] = []
    var lineNumber = 0
    for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
      lineNumber += 1
      let trimmed = line.trimmingCharacters(in: .whitespacesAndNewlines)
      if trimmed.isEmpty { continue }
      do {
        let object = try JSONSerialization.jsonObject(with: Data(trimmed.utf8))
        guard let record = object as? [String: Any] else {
          errors.append(
            HeguiError(.invalidInput, "a JSON Lines record must be an object", at: .init(path: path, line: lineNumber)))
          continue
        }
        if headers.isEmpty { headers = record.keys.sorted() }
        listings.append(
          try listing(columns.canonical(record), index: listings.count + 1, line: lineNumber, path: path))
      } catch let error as HeguiError {
        errors.append(error)
      } catch {
        errors.append(
          HeguiError(.invalidInput, "invalid JSON: \(describe(error))", at: .init(path: path, line: lineNumber)))
      }
    }
    return (listings, errors, headers)
  }

  static func parseJSON(
    _ text: String, path: String, columns: ListingColumns
  ) -> ([ListingRecord], [HeguiError], [String]) {
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: Data(text.utf8))
    } catch {
      return ([], [HeguiError(.invalidInput, "invalid JSON: \(describe(error))", at: .init(path: path, line: 1))], [])
    }
    var records: [[String: Any]] = []
    var wrapped = false
    if let array = object as? [Any] {
      for (i, item) in array.enumerated() {
        guard let record = item as? [String: Any] else {
          return (
            [], [HeguiError(.invalidInput, "item \(i + 1) of the JSON array is not an object", at: .init(path: path))],
            []
          )
        }
        records.append(record)
      }
    } else if let dictionary = object as? [String: Any] {
      if let key = wrapperKeys.first(where: { dictionary[$0] is [Any] }), let items = dictionary[key] as? [Any] {
        for (i, item) in items.enumerated() {
          guard let record = item as? [String: Any] else {
            return (
              [], [HeguiError(.invalidInput, "item \(i + 1) of '\(key)' is not an object", at: .init(path: path))], []
            )
          }
          records.append(record)
        }
        wrapped = true
      } else if !dictionary.keys.contains(where: { columns.field(for: $0).map(textKeys.contains) ?? false }),
        let key = dictionary.keys.sorted().first(where: { dictionary[$0] is [Any] })
      {
        return (
          [],
          [
            HeguiError(
              .invalidInput,
              "a JSON object whose records are under '\(key)': records are read from a top-level array or from "
                + wrapperKeys.map { "'\($0)'" }.joined(separator: ", "),
              at: .init(path: path, line: 1))
          ],
          []
        )
      } else {
        records = [dictionary]
      }
    } else {
      return (
        [], [HeguiError(.invalidInput, "a JSON listing file must hold an array of objects", at: .init(path: path))], []
      )
    }
    // Lines of records: the line of each top-level object's opening brace, found by a scan that
    // respects strings.
    let starts = objectStartLines(text, depth: object is [Any] ? 1 : (wrapped ? 2 : 0))
    var listings: [ListingRecord] = []
    var errors: [HeguiError] = []
    for (i, record) in records.enumerated() {
      let line = i < starts.count ? starts[i] : 1
      do {
        listings.append(try listing(columns.canonical(record), index: i + 1, line: line, path: path))
      } catch { errors.append(error) }
    }
    return (listings, errors, records.first.map { $0.keys.sorted() } ?? [])
  }

  static func objectStartLines(_ text: String, depth target: Int) -> [Int] {
    var lines: [Int] = []
    var line = 1
    var depth = 0
    var inString = false
    var escaped = false
    for byte in text.utf8 {
      if byte == 0x0A { line += 1 }
      if inString {
        if escaped { escaped = false } else if byte == 0x5C { escaped = true } else if byte == 0x22 { inString = false }
        continue
      }
      switch byte {
      case 0x22: inString = true
      case 0x7B, 0x5B:
        if byte == 0x7B && depth == target { lines.append(line) }
        depth += 1
      case 0x7D, 0x5D: depth -= 1
      default: break
      }
    }
    return lines
  }

  static func parseCSV(
    _ text: String, path: String, columns: ListingColumns
  ) -> ([ListingRecord], [HeguiError], [String]) {
    let parsed = CSVParser.parse(text)
    let errors = parsed.errors.map { HeguiError(.invalidInput, $0.message, at: .init(path: path, line: $0.line)) }
    let (records, more, headers) = records(
      rows: parsed.rows.map { (line: $0.line, fields: $0.fields) }, path: path, columns: columns, padded: false)
    return (records, errors + more, headers)
  }

  /// Records from a table's rows: the first row is the header. With `padded` (a workbook, whose
  /// rows omit trailing empty cells), a short row is padded; a value beyond the header is an
  /// error either way.
  static func records(
    rows: [(line: Int, fields: [String])], path: String, columns: ListingColumns, padded: Bool
  ) -> ([ListingRecord], [HeguiError], [String]) {
    var errors: [HeguiError] = []
    guard let header = rows.first else { return ([], errors, []) }
    let headers = header.fields.map { $0.trimmingCharacters(in: .whitespaces) }
    // Each column's field, or its own name (lower-cased) when it names none.
    let names = headers.map { columns.field(for: $0) ?? $0.lowercased() }
    var listings: [ListingRecord] = []
    for var row in rows.dropFirst() {
      if row.fields.count == 1 && row.fields[0].isEmpty { continue }
      if padded && row.fields.count < names.count {
        row.fields += Array(repeating: "", count: names.count - row.fields.count)
      }
      if row.fields.count != names.count {
        errors.append(
          HeguiError(
            .invalidInput, "record has \(row.fields.count) fields, the header has \(names.count)",
            at: .init(path: path, line: row.line)))
        continue
      }
      var record: [String: Any] = [:]
      for (name, value) in zip(names, row.fields) where record[name] == nil { record[name] = value }
      do { listings.append(try listing(record, index: listings.count + 1, line: row.line, path: path)) } catch {
        errors.append(error)
      }
    }
    return (listings, errors, headers)
  }

  static func listing(_ record: [String: Any], index: Int, line: Int, path: String) throws(HeguiError) -> ListingRecord
  {
    var wrongType: String?
    func string(_ key: String) -> String? {
      switch record[key] {
      case let s as String: return s.isEmpty ? nil : s
      case let n as NSNumber: return n.stringValue
      case nil, is NSNull: return nil
      case is [Any]:
        if key != "licences" { wrongType = wrongType ?? "'\(key)' is a list, not text" }
        return nil
      default:
        wrongType = wrongType ?? "'\(key)' is an object, not text"
        return nil
      }
    }
    var subject: ShopSubject?
    if let raw = string("shop_subject") ?? string("shopSubject") {
      switch raw.lowercased() {
      case "individual", "个人", "个人主体", "个人店": subject = .individual
      case "enterprise", "企业", "企业主体", "企业店", "个体工商户": subject = .enterprise
      default:
        throw HeguiError(
          .invalidInput, "unknown shop_subject '\(raw)' (expected individual or enterprise)",
          at: .init(path: path, line: line))
      }
    }
    var licences: Set<String> = []
    if let list = record["licences"] as? [Any] {
      licences = Set(list.compactMap { $0 as? String }.filter { !$0.isEmpty })
    } else if let joined = string("licences") {
      licences = Set(
        joined.split(whereSeparator: { ";；、".contains($0) }).map { $0.trimmingCharacters(in: .whitespaces) }.filter {
          !$0.isEmpty
        })
    }
    let listing = Listing(
      id: string("id"), title: string("title"), description: string("description"), category: string("category"),
      shopSubject: subject, licences: licences)
    if let wrongType {
      throw HeguiError(.invalidInput, "\(wrongType); the record was not checked", at: .init(path: path, line: line))
    }
    return ListingRecord(listing: listing, index: index, line: line)
  }

  static func describe(_ error: any Error) -> String {
    let nsError = error as NSError
    if let detail = nsError.userInfo[NSDebugDescriptionErrorKey] as? String { return detail }
    return nsError.localizedDescription
  }
}

/// An RFC 4180 CSV reader that reports where a record breaks.
enum CSVParser {
  struct Row {
    var fields: [String]
    var line: Int
  }
  struct Failure {
    var message: String
    var line: Int
  }

  static func parse(_ text: String) -> (rows: [Row], errors: [Failure]) {
    var rows: [Row] = []
    var errors: [Failure] = []
    var fields: [String] = []
    var field = ""
    var inQuotes = false
    var quoteLine = 1
    var line = 1
    var rowLine = 1
    var afterQuote = false
    var iterator = Array(text.unicodeScalars)[...]
    if iterator.first == "\u{FEFF}" { iterator = iterator.dropFirst() }
    var i = iterator.startIndex
    while i < iterator.endIndex {
      let c = iterator[i]
      i += 1
      if inQuotes {
        if c == "\"" {
          if i < iterator.endIndex && iterator[i] == "\"" {
            field.unicodeScalars.append("\"")
            i += 1
          } else {
            inQuotes = false
            afterQuote = true
          }
        } else {
          if c == "\n" { line += 1 }
          field.unicodeScalars.append(c)
        }
        continue
      }
      switch c {
      case "\"":
        if field.isEmpty && !afterQuote {
          inQuotes = true
          quoteLine = line
        } else {
          errors.append(
            Failure(message: "a quote inside an unquoted field (quote the field and double the quote)", line: line))
          field.unicodeScalars.append(c)
        }
      case ",":
        fields.append(field)
        field = ""
        afterQuote = false
      case "\r":
        continue
      case "\n":
        fields.append(field)
        rows.append(Row(fields: fields, line: rowLine))
        fields = []
        field = ""
        afterQuote = false
        line += 1
        rowLine = line
      default:
        if afterQuote {
          errors.append(Failure(message: "text after a closing quote (a broken quote)", line: line))
          afterQuote = false
        }
        field.unicodeScalars.append(c)
      }
    }
    if inQuotes {
      errors.append(
        Failure(
          message: "a quote opened here is never closed (a broken quote); the rest of the file was not read",
          line: quoteLine))
      // Drop the unterminated record rather than check half of it.
      return (rows, errors)
    }
    if !field.isEmpty || !fields.isEmpty {
      fields.append(field)
      rows.append(Row(fields: fields, line: rowLine))
    }
    // Errors inside a record invalidate it.
    let badLines = Set(errors.map(\.line))
    rows.removeAll { row in row.line > 1 && badLines.contains(row.line) }
    return (rows, errors)
  }
}
