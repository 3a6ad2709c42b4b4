import Foundation
public import Hegui

/// A listing as read from an export file: the `Listing` and where it is in the file.
///
/// Recognised fields: `id`, `title`, `description`, `category`, `shop_subject` (`individual` /
/// `enterprise`, or 个人 / 企业), `licences` (a list, or one string separated by `;` / `；` / `、`).
/// Other fields are ignored.
public struct ListingRecord: Sendable, Hashable {
  /// The listing.
  public let listing: Listing
  /// 1-based index of the record in its file.
  public let index: Int
  /// 1-based line where the record starts.
  public let line: Int
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

  /// Parses a listing file in `format` (`json`, `jsonl` or `csv`; a script format reads as JSON).
  public static func parse(_ text: String, path: String, format: InputFormat) -> Parsed {
    var (records, errors): ([ListingRecord], [HeguiError])
    switch format {
    case .jsonl: (records, errors) = parseJSONLines(text, path: path)
    case .csv: (records, errors) = parseCSV(text, path: path)
    case .json, .script, .srt: (records, errors) = parseJSON(text, path: path)
    }
    // A file whose records hold no text at all was not checked: say so, never pass it silently.
    if !records.isEmpty && !records.contains(where: { $0.listing.title != nil || $0.listing.description != nil }) {
      errors.append(
        HeguiError(
          .invalidInput,
          "no record has a title or description: nothing in this file was checked for wording "
            + "(text is read from the fields 'title' and 'description')",
          at: .init(path: path)))
    }
    return Parsed(records: records, errors: errors)
  }

  /// Keys of a JSON object under which a listing export holds its records.
  static let wrapperKeys = ["listings", "items", "data", "records", "products"]
  /// The fields that hold text to check.
  static let textKeys = ["title", "description"]

  static func parseJSONLines(_ text: String, path: String) -> ([ListingRecord], [HeguiError]) {
    var listings: [ListingRecord] = []
    var errors: [HeguiError] = []
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
        listings.append(try listing(record, index: listings.count + 1, line: lineNumber, path: path))
      } catch let error as HeguiError {
        errors.append(error)
      } catch {
        errors.append(
          HeguiError(.invalidInput, "invalid JSON: \(describe(error))", at: .init(path: path, line: lineNumber)))
      }
    }
    return (listings, errors)
  }

  static func parseJSON(_ text: String, path: String) -> ([ListingRecord], [HeguiError]) {
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: Data(text.utf8))
    } catch {
      return ([], [HeguiError(.invalidInput, "invalid JSON: \(describe(error))", at: .init(path: path, line: 1))])
    }
    var records: [[String: Any]] = []
    var wrapped = false
    if let array = object as? [Any] {
      for (i, item) in array.enumerated() {
        guard let record = item as? [String: Any] else {
          return (
            [], [HeguiError(.invalidInput, "item \(i + 1) of the JSON array is not an object", at: .init(path: path))]
          )
        }
        records.append(record)
      }
    } else if let dictionary = object as? [String: Any] {
      if let key = wrapperKeys.first(where: { dictionary[$0] is [Any] }), let items = dictionary[key] as? [Any] {
        for (i, item) in items.enumerated() {
          guard let record = item as? [String: Any] else {
            return (
              [], [HeguiError(.invalidInput, "item \(i + 1) of '\(key)' is not an object", at: .init(path: path))]
            )
          }
          records.append(record)
        }
        wrapped = true
      } else if !textKeys.contains(where: { dictionary[$0] != nil }),
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
          ]
        )
      } else {
        records = [dictionary]
      }
    } else {
      return (
        [], [HeguiError(.invalidInput, "a JSON listing file must hold an array of objects", at: .init(path: path))]
      )
    }
    // Lines of records: the line of each top-level object's opening brace, found by a scan that
    // respects strings.
    let starts = objectStartLines(text, depth: object is [Any] ? 1 : (wrapped ? 2 : 0))
    var listings: [ListingRecord] = []
    var errors: [HeguiError] = []
    for (i, record) in records.enumerated() {
      let line = i < starts.count ? starts[i] : 1
      do { listings.append(try listing(record, index: i + 1, line: line, path: path)) } catch { errors.append(error) }
    }
    return (listings, errors)
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

  static func parseCSV(_ text: String, path: String) -> ([ListingRecord], [HeguiError]) {
    let parsed = CSVParser.parse(text)
    var errors = parsed.errors.map { HeguiError(.invalidInput, $0.message, at: .init(path: path, line: $0.line)) }
    guard let header = parsed.rows.first else { return ([], errors) }
    let names = header.fields.map { $0.trimmingCharacters(in: .whitespaces).lowercased() }
    var listings: [ListingRecord] = []
    for row in parsed.rows.dropFirst() {
      if row.fields.count == 1 && row.fields[0].isEmpty { continue }
      if row.fields.count != names.count {
        errors.append(
          HeguiError(
            .invalidInput, "record has \(row.fields.count) fields, the header has \(names.count)",
            at: .init(path: path, line: row.line)))
        continue
      }
      var record: [String: Any] = [:]
      for (name, value) in zip(names, row.fields) { record[name] = value }
      do { listings.append(try listing(record, index: listings.count + 1, line: row.line, path: path)) } catch {
        errors.append(error)
      }
    }
    return (listings, errors)
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
