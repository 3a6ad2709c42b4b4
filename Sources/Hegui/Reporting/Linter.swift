public import Foundation

/// A finding placed in a file: the rule's finding plus where it is in the file (for listings:
/// which record and field).
public struct LintFinding: Sendable, Hashable {
  /// The finding (its span is relative to the checked text: the whole script, or one field).
  public var finding: Finding
  /// 1-based line in the file.
  public var line: Int
  /// 1-based column in the file (characters); for listing fields, the column within the field.
  public var column: Int
  /// 1-based end line.
  public var endLine: Int
  /// 1-based column after the last character.
  public var endColumn: Int
  /// UTF-16 column range within the line (for SARIF), when the text is the file itself.
  public var utf16Columns: Range<Int>?
  /// The source line (scripts) or the field's text (listings), for showing the match in context.
  public var sourceLine: String
  /// The match's column range within ``sourceLine`` (0-based, characters).
  public var sourceColumns: Range<Int>?
  /// For listings: 1-based record number.
  public var record: Int?
  /// For listings: the record's `id` field.
  public var recordID: String?
  /// For listings: the field (`title`, `description`, `category`).
  public var field: String?
}

/// The result of linting one file.
public struct LintedFile: Sendable {
  /// The path as shown to people.
  public var path: String
  /// Findings in file order.
  public var findings: [LintFinding]
  /// Input errors (unreadable file, invalid UTF-8, a broken record): the file, or part of it,
  /// was not checked.
  public var errors: [HeguiError]

  /// Creates a result.
  public init(path: String, findings: [LintFinding], errors: [HeguiError]) {
    self.path = path
    self.findings = findings
    self.errors = errors
  }
}

/// Options for linting files.
public struct LintOptions: Sendable {
  /// Context for scripts; `nil`: by glob from the configuration, else `.srt` → caption, else
  /// livestream. Listing fields always use their own context (title, description).
  public var context: TextContext?
  /// Contexts by glob (first match wins).
  public var contextsByGlob: [(Glob, TextContext)] = []
  /// Shop subject, when the files do not say.
  public var shopSubject: ShopSubject?
  /// Category, when the files do not say.
  public var category: String?
  /// Licences held, added to those a listing declares.
  public var licences: Set<String> = []

  /// Default options.
  public init() {}
}

/// Lints script and listing files: reads them, checks each text in its own context, applies
/// inline suppressions and places findings in the file.
///
/// Scripts (`.txt`, `.md`, `.srt`, anything else that is text) are checked whole. Listings
/// (`.json`, `.jsonl`, `.csv`) are checked record by record: the title in the `title` context,
/// the description in the `description` context, with the record's category, shop subject and
/// licences.
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

  /// File extensions read as listing exports.
  public static let listingExtensions: Set<String> = ["json", "jsonl", "ndjson", "csv"]
  /// File extensions read as scripts when walking directories.
  public static let scriptExtensions: Set<String> = ["txt", "md", "srt", "text", "markdown"]

  /// Lints a file from disk.
  public func lint(fileAt url: URL, displayPath: String) -> LintedFile {
    let text: String
    do {
      text = try TextInput.read(url, displayPath: displayPath)
    } catch {
      return LintedFile(path: displayPath, findings: [], errors: [error])
    }
    return lint(text: text, path: displayPath, format: url.pathExtension.lowercased())
  }

  /// Lints text that came from `path` (`format` is its extension: `json`, `jsonl`, `csv`, or
  /// anything else for a script).
  public func lint(text: String, path: String, format: String) -> LintedFile {
    if Linter.listingExtensions.contains(format) { return lintListings(text: text, path: path, format: format) }
    return lintScript(text: text, path: path, format: format)
  }

  private func scriptContext(path: String, format: String) -> TextContext {
    if let context = options.context { return context }
    if let match = options.contextsByGlob.first(where: { $0.0.matches(path) }) { return match.1 }
    return format == "srt" ? .caption : .livestream
  }

  private func lintScript(text: String, path: String, format: String) -> LintedFile {
    let context = CheckContext(
      scriptContext(path: path, format: format), shopSubject: options.shopSubject, category: options.category,
      licences: options.licences)
    let result = checker.check(text, context: context)
    var errors = result.diagnostics.map { HeguiError(.invalidInput, $0, at: .init(path: path)) }
    let lines = Linter.lines(of: text)
    var findings: [LintFinding] = []
    for finding in result.findings {
      guard let span = finding.span else {
        findings.append(
          LintFinding(
            finding: finding, line: 1, column: 1, endLine: 1, endColumn: 1, utf16Columns: nil, sourceLine: lines.first ?? "",
            sourceColumns: nil, record: nil, recordID: nil, field: finding.field))
        continue
      }
      let sourceLine = span.line <= lines.count ? lines[span.line - 1] : ""
      let lineStartUTF16 = utf16LineStart(text, line: span.line)
      let endColumnOnLine = span.endLine == span.line ? span.endColumn : sourceLine.unicodeScalars.count + 1
      findings.append(
        LintFinding(
          finding: finding, line: span.line, column: span.column, endLine: span.endLine, endColumn: span.endColumn,
          utf16Columns: (span.utf16.lowerBound - lineStartUTF16)..<(span.utf16.upperBound - lineStartUTF16),
          sourceLine: sourceLine, sourceColumns: (span.column - 1)..<(endColumnOnLine - 1), record: nil, recordID: nil,
          field: nil))
    }
    let suppressed = Suppressions.apply(to: findings, lines: lines, ruleset: checker.ruleset)
    errors += suppressed.errors.map { HeguiError(.invalidInput, $0.message, at: .init(path: path, line: $0.line)) }
    return LintedFile(path: path, findings: suppressed.findings, errors: errors)
  }

  /// The lines of a text without their line breaks. Splits on `\n` (a CRLF pair is one
  /// `Character`, so splitting on characters would not split CRLF files).
  package static func lines(of text: String) -> [String] {
    var lines: [String] = []
    var current = String.UnicodeScalarView()
    for scalar in text.unicodeScalars {
      if scalar == "\n" {
        if current.last == "\r" { current.removeLast() }
        lines.append(String(current))
        current = String.UnicodeScalarView()
      } else {
        current.append(scalar)
      }
    }
    if current.last == "\r" { current.removeLast() }
    lines.append(String(current))
    return lines
  }

  private func utf16LineStart(_ text: String, line: Int) -> Int {
    if line <= 1 { return 0 }
    var current = 1
    var offset = 0
    for unit in text.utf16 {
      offset += 1
      if unit == 0x0A {
        current += 1
        if current == line { return offset }
      }
    }
    return offset
  }

  private func lintListings(text: String, path: String, format: String) -> LintedFile {
    let parsed = ListingParser.parse(text, path: path, format: format)
    var errors = parsed.errors
    var findings: [LintFinding] = []
    for listing in parsed.listings {
      let context = CheckContext(
        .title, shopSubject: listing.shopSubject ?? options.shopSubject, category: listing.category ?? options.category,
        licences: listing.licences.union(options.licences))
      var metadataDone = false
      var reported = Set<String>()
      for (field, value, textContext) in [("title", listing.title, TextContext.title), ("description", listing.description, .description)] {
        guard let value else { continue }
        var fieldContext = context
        fieldContext.context = textContext
        let result = checker.check(value, context: fieldContext)
        for diagnostic in result.diagnostics where !reported.contains(diagnostic) {
          // Metadata problems (an unknown category) concern the record, not each field: say them once.
          if diagnostic.hasPrefix("unknown category") { reported.insert(diagnostic) }
          errors.append(HeguiError(.invalidInput, "record \(listing.index), \(field): \(diagnostic)", at: .init(path: path, line: listing.line)))
        }
        for finding in result.findings {
          if finding.span == nil {
            if metadataDone { continue }
          }
          findings.append(place(finding, listing: listing, field: finding.span == nil ? "category" : field, value: value))
        }
        metadataDone = true
      }
      if !metadataDone {
        // Neither title nor description: still check the metadata.
        let result = checker.check("", context: context)
        for finding in result.findings { findings.append(place(finding, listing: listing, field: "category", value: "")) }
        for diagnostic in result.diagnostics {
          errors.append(HeguiError(.invalidInput, "record \(listing.index): \(diagnostic)", at: .init(path: path, line: listing.line)))
        }
      }
    }
    return LintedFile(path: path, findings: findings, errors: errors)
  }

  private func place(_ finding: Finding, listing: Listing, field: String, value: String) -> LintFinding {
    let column = finding.span?.column ?? 1
    let endColumn = finding.span?.endColumn ?? 1
    let shown = finding.span == nil ? (listing.category ?? "") : value.replacingOccurrences(of: "\n", with: " ")
    return LintFinding(
      finding: finding, line: listing.line, column: column, endLine: listing.line, endColumn: endColumn, utf16Columns: nil,
      sourceLine: shown, sourceColumns: finding.span.map { _ in (column - 1)..<(endColumn - 1) }, record: listing.index,
      recordID: listing.id, field: field)
  }

  /// Expands paths into the files to lint: files as given, directories walked (script and
  /// listing extensions only, hidden entries skipped), minus excluded globs.
  ///
  /// - Throws: ``HeguiError`` (`io`) for a path that does not exist.
  public static func files(for paths: [String], excluding: [Glob], relativeTo base: URL) throws(HeguiError) -> [(url: URL, display: String)] {
    var result: [(URL, String)] = []
    var seen = Set<String>()
    for path in paths {
      let url = path.hasPrefix("/") ? URL(fileURLWithPath: path) : base.appending(path: path)
      var isDirectory: ObjCBool = false
      guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
        throw HeguiError(.io, "no such file or directory", at: .init(path: path))
      }
      if !isDirectory.boolValue {
        if seen.insert(url.standardizedFileURL.path).inserted { result.append((url, path)) }
        continue
      }
      guard let enumerator = FileManager.default.enumerator(
        at: url, includingPropertiesForKeys: [.isRegularFileKey], options: [.skipsHiddenFiles])
      else { continue }
      var found: [(URL, String)] = []
      let root = url.standardizedFileURL.path
      for case let file as URL in enumerator {
        let ext = file.pathExtension.lowercased()
        guard scriptExtensions.contains(ext) || listingExtensions.contains(ext) else { continue }
        guard (try? file.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true else { continue }
        var relative = file.standardizedFileURL.path
        if relative.hasPrefix(root + "/") { relative.removeFirst(root.count + 1) }
        let display = path == "." ? relative : (path.hasSuffix("/") ? path + relative : path + "/" + relative)
        if file.lastPathComponent.hasSuffix(".expect.json") { continue }
        found.append((file, display))
      }
      for entry in found.sorted(by: { $0.1 < $1.1 }) where seen.insert(entry.0.standardizedFileURL.path).inserted {
        result.append(entry)
      }
    }
    return result.filter { entry in !excluding.contains { $0.matches(entry.1) } }
  }
}
