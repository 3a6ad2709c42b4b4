public import Foundation
public import Hegui

/// A finding placed in a file: the rule's finding plus where it is in the file (for listings:
/// which record and field).
public struct LintFinding: Sendable, Hashable {
  /// The finding (its span is relative to the checked text: the whole script, or one field).
  public internal(set) var finding: Finding
  /// 1-based line in the file.
  public internal(set) var line: Int
  /// 1-based column in the file (characters); for listing fields, the column within the field.
  public internal(set) var column: Int
  /// 1-based end line.
  public internal(set) var endLine: Int
  /// 1-based column after the last character.
  public internal(set) var endColumn: Int
  /// UTF-16 column range within the line (for SARIF), when the text is the file itself.
  public internal(set) var utf16Columns: Range<Int>?
  /// The source line (scripts) or the field's text (listings), for showing the match in context.
  public internal(set) var sourceLine: String
  /// The match's column range within ``sourceLine`` (0-based, characters).
  public internal(set) var sourceColumns: Range<Int>?
  /// For listings: 1-based record number.
  public internal(set) var record: Int?
  /// For listings: the record's `id` field.
  public internal(set) var recordID: String?
  /// For listings: the field (`title`, `description`, `category`).
  public internal(set) var field: String?
  /// UTF-8 offsets of the match in the file, for scripts (a listing finding's offsets are its
  /// span's, in the field).
  public internal(set) var utf8: Range<Int>? = nil
  /// UTF-16 offsets of the match in the file, for scripts.
  public internal(set) var utf16: Range<Int>? = nil
}

/// The result of linting one file.
public struct LintedFile: Sendable {
  /// The path as shown to people.
  public internal(set) var path: String
  /// Findings in file order.
  public internal(set) var findings: [LintFinding]
  /// Input errors (unreadable file, invalid UTF-8, a broken record): the file, or part of it,
  /// was not checked.
  public internal(set) var errors: [HeguiError]

  /// Creates a result.
  public init(path: String, findings: [LintFinding], errors: [HeguiError]) {
    self.path = path
    self.findings = findings
    self.errors = errors
  }
}

/// Options for linting files.
public struct LintOptions: Sendable {
  /// What is a text and in which situation it is checked (contexts by glob, default facts).
  public var splitter = ItemSplitter()
  /// The encoding files are read in (`--encoding`); UTF-8 unless told.
  public var encoding = TextEncoding.utf8

  /// Default options.
  public init() {}
}

/// Lints script and listing files: reads them, checks each text in its own context, applies
/// inline suppressions and places findings in the file.
///
/// Scripts (`.txt`, `.md`, `.srt`, anything else that is text) are checked whole. Listings
/// (`.json`, `.jsonl`, `.csv`) are checked record by record with `Checker.check(listing:context:)`:
/// the title in the `title` context, the description in the `description` context, with the
/// record's category, shop subject and licences.
public struct Linter: Sendable {
  /// The checker.
  public let checker: Checker
  /// The options.
  public let options: LintOptions

  /// Creates a linter.
  public init(checker: Checker, options: LintOptions = LintOptions()) {
    self.checker = checker
    self.options = options
  }

  /// Lints a file from disk.
  public func lint(fileAt url: URL, displayPath: String) -> LintedFile {
    var whole = LintedFile(path: displayPath, findings: [], errors: [])
    lint(fileAt: url, displayPath: displayPath) { piece in
      whole.findings += piece.findings
      whole.errors += piece.errors
    }
    return whole
  }

  /// Lints a file from disk piece by piece: a script in blocks of whole lines (``ScriptBlocks``),
  /// so its size does not bound memory; a listing export whole. `body` receives the findings and
  /// errors of each piece in file order, and at least one piece per file.
  public func lint(fileAt url: URL, displayPath: String, blockSize: Int = 1 << 20, _ body: (LintedFile) -> Void) {
    let format = InputFormat(pathExtension: url.pathExtension)
    if format == .xlsx {
      do {
        body(lint(workbook: try TextInput.bytes(url, displayPath: displayPath), path: displayPath))
      } catch {
        body(LintedFile(path: displayPath, findings: [], errors: [error]))
      }
      return
    }
    // A file in another encoding is converted whole, then checked as UTF-8 text.
    if format.isListing || options.encoding != .utf8 {
      do {
        body(
          lint(
            text: try TextInput.read(url, displayPath: displayPath, encoding: options.encoding), path: displayPath,
            format: format))
      } catch {
        body(LintedFile(path: displayPath, findings: [], errors: [error]))
      }
      return
    }
    let handle: FileHandle
    do {
      handle = try FileHandle(forReadingFrom: url)
    } catch {
      body(
        LintedFile(
          path: displayPath, findings: [],
          errors: [
            HeguiError(.io, "cannot read: \((error as NSError).localizedDescription)", at: .init(path: displayPath))
          ]))
      return
    }
    defer { try? handle.close() }
    lint(handle, path: displayPath, format: format, blockSize: blockSize, body)
  }

  /// Lints a script read from `handle` (a file or standard input) block by block; `body` receives
  /// each block's findings and errors in order, and at least one piece.
  public func lint(
    _ handle: FileHandle, path: String, format: InputFormat, blockSize: Int = 1 << 20, _ body: (LintedFile) -> Void
  ) {
    var blocks = ScriptBlocks(handle: handle, path: path, size: blockSize)
    var any = false
    var own: (name: String, line: Int)?
    while true {
      do {
        guard let block = try blocks.next() else { break }
        // The script's own category, from its front matter, holds for all its blocks.
        if block.isFirst { own = Suppressions.frontMatterCategory(block.text) }
        body(lintScript(block: block, path: path, format: format, own: own))
        any = true
      } catch {
        body(LintedFile(path: path, findings: [], errors: [error]))
        return
      }
    }
    if !any { body(lintScript(text: "", path: path, format: format)) }
  }

  /// Lints text that came from `path`.
  public func lint(text: String, path: String, format: InputFormat) -> LintedFile {
    if format.isListing { return lintListings(text: text, path: path, format: format) }
    return lintScript(text: text, path: path, format: format)
  }

  private func lintScript(text: String, path: String, format: InputFormat) -> LintedFile {
    lintScript(
      block: ScriptBlocks.Block(text: text, offset: 0, utf16Offset: 0, line: 1), path: path, format: format,
      own: Suppressions.frontMatterCategory(text))
  }

  /// Lints one block of a script; lines, offsets and directives are placed in the file. Findings
  /// about the script's facts (its category) and problems with them are said with the first
  /// block only.
  private func lintScript(
    block: ScriptBlocks.Block, path: String, format: InputFormat, own: (name: String, line: Int)? = nil
  ) -> LintedFile {
    let text = block.text
    let situation = options.splitter.scriptSituation(path: path, format: format, own: own?.name)
    let result = checker.check(text, context: situation)
    var findings: [LintFinding] = []
    // A category the script names for itself, or a glob gives it, that the table does not know
    // is a finding on the script (said with its first block), not an input error.
    let ownCategory = own != nil || situation.category != options.splitter.category
    var errors: [HeguiError] = []
    for diagnostic in result.diagnostics where block.isFirst || diagnostic.code != .unknownCategory {
      if diagnostic.code == .unknownCategory, ownCategory, let name = situation.category {
        let line = own?.line ?? 1
        let shown =
          text.split(separator: "\n", omittingEmptySubsequences: false).dropFirst(line - 1).first.map(String.init) ?? ""
        findings.append(
          LintFinding(
            finding: unknownCategory(name), line: line, column: 1, endLine: line, endColumn: 1, utf16Columns: nil,
            sourceLine: shown, sourceColumns: nil, record: nil, recordID: nil, field: "category"))
        continue
      }
      errors.append(HeguiError(code(for: diagnostic), diagnostic.message, at: .init(path: path)))
    }
    var lineStarts = LineStarts(text: text)
    for finding in result.findings {
      guard let span = finding.span else {
        guard block.isFirst else { continue }
        findings.append(
          LintFinding(
            finding: finding, line: 1, column: 1, endLine: 1, endColumn: 1, utf16Columns: nil,
            sourceLine: SourceText.firstLine(of: text), sourceColumns: nil, record: nil, recordID: nil,
            field: finding.field))
        continue
      }
      let lineStartUTF16 = lineStarts.utf16Offset(ofLine: span.line)
      let excerpt = SourceText.excerpt(of: span.range, in: text)
      findings.append(
        LintFinding(
          finding: finding, line: span.line, column: span.column, endLine: span.endLine, endColumn: span.endColumn,
          utf16Columns: (span.utf16.lowerBound - lineStartUTF16)..<(span.utf16.upperBound - lineStartUTF16),
          sourceLine: excerpt.line, sourceColumns: excerpt.columns, record: nil, recordID: nil, field: nil,
          utf8: (span.utf8.lowerBound + block.offset)..<(span.utf8.upperBound + block.offset),
          utf16: (span.utf16.lowerBound + block.utf16Offset)..<(span.utf16.upperBound + block.utf16Offset)))
    }
    let suppressed = Suppressions.apply(
      to: findings, directives: SourceText.directiveLines(in: text), ruleset: checker.ruleset)
    let shift = block.line - 1
    errors += suppressed.errors.map {
      HeguiError(.invalidInput, $0.message, at: .init(path: path, line: $0.line + shift))
    }
    var placed = suppressed.findings
    if shift > 0 {
      for k in placed.indices where placed[k].finding.span != nil || placed[k].finding.kind == .meta {
        placed[k].line += shift
        placed[k].endLine += shift
      }
    }
    return LintedFile(path: path, findings: placed, errors: errors)
  }

  /// The error code a diagnostic is reported with.
  private func code(for diagnostic: Diagnostic) -> HeguiError.Code {
    switch diagnostic.code {
    case .matchLimit, .patternFailure: .pcre2
    case .wordBoundaries: .icu
    case .unknownCategory: .unknownCategory
    default: .invalidInput
    }
  }

  /// Lints an Excel workbook's first sheet as a listing export (``XLSXReader``).
  public func lint(workbook data: Data, path: String) -> LintedFile {
    lintListings(options.splitter.listings(workbook: data, path: path), path: path)
  }

  private func lintListings(text: String, path: String, format: InputFormat) -> LintedFile {
    lintListings(options.splitter.listings(in: text, path: path, format: format), path: path)
  }

  private func lintListings(_ parsed: ListingParser.Parsed, path: String) -> LintedFile {
    var errors = parsed.errors
    var findings: [LintFinding] = []
    let defaults = options.splitter.listingDefaults(path: path)
    for record in parsed.records {
      let result = checker.check(listing: record.listing, context: defaults)
      // The listing's own problems (an unknown category) are said once, under the first field.
      let prefix =
        result.fields.first.map { "record \(record.index), \($0.field.rawValue): " } ?? "record \(record.index): "
      for diagnostic in result.diagnostics {
        // A record's category that the table does not know is a finding on that record (the
        // rest of the file, and of the run, is checked as usual), not an input error.
        if diagnostic.code == .unknownCategory, let name = record.listing.category {
          let finding = unknownCategory(name)
          findings.append(place(finding, record: record, field: "category", value: ""))
          continue
        }
        errors.append(
          HeguiError(code(for: diagnostic), prefix + diagnostic.message, at: .init(path: path, line: record.line)))
      }
      for finding in result.metadata {
        // A missing notice is about the description; every other metadata finding about the category.
        let field = finding.field == "description" ? "description" : "category"
        findings.append(place(finding, record: record, field: field, value: ""))
      }
      for field in result.fields {
        for diagnostic in field.result.diagnostics {
          errors.append(
            HeguiError(
              code(for: diagnostic), "record \(record.index), \(field.field.rawValue): \(diagnostic.message)",
              at: .init(path: path, line: record.line)))
        }
        for finding in field.result.findings {
          findings.append(place(finding, record: record, field: field.field.rawValue, value: field.text))
        }
      }
    }
    return LintedFile(path: path, findings: findings, errors: errors)
  }

  /// The meta rule id of a category the table does not know.
  static let unknownCategoryID = "hegui.category.unknown"

  /// A review finding for a category the table does not know, naming the nearest known ones.
  func unknownCategory(_ name: String) -> Finding {
    let nearest = Self.nearestCategories(to: name, in: checker.ruleset.categories)
    let hint =
      nearest.isEmpty
      ? "" : "相近的已知类目：" + nearest.map { "\($0.id)（\($0.names.joined(separator: "/"))）" }.joined(separator: "、") + "。"
    return Finding(
      ruleID: Self.unknownCategoryID, kind: .meta, severity: .review, match: "", span: nil, field: "category",
      message: "类目“\(name)”不在类目表中，这条商品的类目相关规则（许可证、个人店限制、类目专属宣称）没有运行。"
        + "\(hint)请改用已知类目的 id 或中文名（类目表见 Rulesets/categories.yml）。",
      suggestions: nearest.map(\.id), basis: [], policy: .platform, isSuppressible: false, note: nil)
  }

  /// Up to three categories whose id or a name is closest to `name` (edit distance over
  /// characters; a shared character counts for Chinese names, 美妆用品 → 化妆品).
  static func nearestCategories(to name: String, in categories: [CategoryEntry]) -> [CategoryEntry] {
    func distance(_ a: [Character], _ b: [Character]) -> Int {
      var previous = Array(0...b.count)
      for (i, x) in a.enumerated() {
        var current = [i + 1]
        for (j, y) in b.enumerated() {
          current.append(min(previous[j + 1] + 1, current[j] + 1, previous[j] + (x == y ? 0 : 1)))
        }
        previous = current
      }
      return previous[b.count]
    }
    let target = Array(name.lowercased())
    let scored = categories.map { entry -> (CategoryEntry, Int, Bool) in
      let candidates = [entry.id] + entry.names
      let best =
        candidates.map { candidate -> Int in
          let c = Array(candidate.lowercased())
          // One name inside the other (美妆 in 美妆用品) is the closest there is.
          if c.count >= 2 && target.count >= 2
            && (String(target).contains(String(c)) || String(c).contains(String(target)))
          {
            return 0
          }
          return distance(target, c)
        }.min() ?? .max
      let shares = candidates.contains { !Set($0).isDisjoint(with: target.filter { !$0.isASCII }) }
      return (entry, best, shares)
    }
    return
      scored
      .filter { $0.2 || $0.1 <= max(2, target.count / 2) }
      .sorted { ($0.1, $0.0.id) < ($1.1, $1.0.id) }
      .prefix(3).map(\.0)
  }

  private func place(_ finding: Finding, record: ListingRecord, field: String, value: String) -> LintFinding {
    let column = finding.span?.column ?? 1
    let endColumn = finding.span?.endColumn ?? 1
    let shown = finding.span == nil ? (record.listing.category ?? "") : value.replacing("\n", with: " ")
    return LintFinding(
      finding: finding, line: record.line, column: column, endLine: record.line, endColumn: endColumn,
      utf16Columns: nil, sourceLine: shown, sourceColumns: finding.span.map { _ in (column - 1)..<(endColumn - 1) },
      record: record.index, recordID: record.listing.id, field: field)
  }
}

/// The UTF-16 offset at which each line starts, found by one forward scan shared by all the
/// findings of a text (findings come in order), never by a scan from the start per finding.
struct LineStarts {
  private let text: String
  /// UTF-8 offset the scan has reached.
  private var offset = 0
  private var line = 1
  private var utf16 = 0

  init(text: String) {
    self.text = text
  }

  /// The UTF-16 offset of the first character of 1-based `target`; lines must be asked for in
  /// non-decreasing order (an earlier line restarts the scan). Counts over the UTF-8 bytes (a
  /// scalar is one UTF-16 unit, two above the BMP) rather than transcoding to UTF-16.
  mutating func utf16Offset(ofLine target: Int) -> Int {
    if target < line { self = LineStarts(text: text) }
    guard line < target else { return utf16 }
    var bytes = text
    let (offset, line, utf16) = bytes.withUTF8 { raw in
      var (offset, line, utf16) = (self.offset, self.line, self.utf16)
      while line < target, offset < raw.count {
        let byte = raw[offset]
        offset += 1
        if byte & 0xC0 != 0x80 { utf16 += byte >= 0xF0 ? 2 : 1 }
        if byte == 0x0A { line += 1 }
      }
      return (offset, line, utf16)
    }
    (self.offset, self.line, self.utf16) = (offset, line, utf16)
    return utf16
  }
}
