public import Foundation
public import Hegui

/// The one place that decides what in an input is a text to check and in which situation:
/// `hegui lint` (whole scripts, whole listings) and `hegui moderate` (one item per script line
/// and per listing field) both go through it.
///
/// - A script's context is the forced one, else the first matching glob's, else `caption` for
///   `.srt` files and `livestream` for the rest.
/// - A listing record's own category, shop subject and licences take precedence over the
///   defaults (its licences are added to them); its title is checked in the `title` context
///   and its description in `description`.
public struct ItemSplitter: Sendable {
  /// The context every script is checked in, overriding globs and extensions.
  public var context: TextContext?
  /// Contexts by glob (first match wins), matched against ``globPath(_:)``.
  public var contextsByGlob: [(Glob, TextContext)] = []
  /// The category every script is checked in unless it names its own (`--category`).
  public var category: String?
  /// Categories by glob (first match wins), below ``category``, matched against ``globPath(_:)``.
  public var categoriesByGlob: [(Glob, String)] = []
  /// The folder globs are relative to (the configuration file's), as an absolute path; `nil`:
  /// globs match the displayed path as it is.
  public var globRoot: String?
  /// The folder displayed relative paths start from (the working directory), as an absolute path.
  public var displayRoot: String?
  /// The shop subject, category and licences when the input does not say.
  public var defaults = CheckContext()
  /// Which columns of a listing export hold which field.
  public var columns = ListingColumns()

  /// A splitter with no forced context, no globs and no default facts.
  public init() {}

  /// The path globs are matched against: `path` (as displayed) relative to ``globRoot`` when both
  /// roots are set and the file lies below it; otherwise `path` itself.
  public func globPath(_ path: String) -> String {
    guard let globRoot, let displayRoot else { return path }
    let absolute =
      (path.hasPrefix("/") ? URL(fileURLWithPath: path) : URL(fileURLWithPath: displayRoot).appending(path: path))
      .standardizedFileURL.path
    let root = globRoot.hasSuffix("/") ? globRoot : globRoot + "/"
    return absolute.hasPrefix(root) ? String(absolute.dropFirst(root.count)) : path
  }

  /// The first matching glob's context for `path`, if any.
  func globContext(_ path: String) -> TextContext? {
    guard !contextsByGlob.isEmpty else { return nil }
    let relative = globPath(path)
    return contextsByGlob.first(where: { $0.0.matches(relative) })?.1
  }

  /// The first matching glob's category for `path`, if any.
  func globCategory(_ path: String) -> String? {
    guard !categoriesByGlob.isEmpty else { return nil }
    let relative = globPath(path)
    return categoriesByGlob.first(where: { $0.0.matches(relative) })?.1
  }

  /// The context a script at `path` is checked in.
  public func scriptContext(path: String, format: InputFormat) -> TextContext {
    if let context { return context }
    if let match = globContext(path) { return match }
    return format == .srt ? .caption : .livestream
  }

  /// The situation a script is checked in: its context and the default facts; its category is
  /// the one the script names (`#! hegui category: 化妆品`, passed as `own`), else `--category`,
  /// else the first matching glob's, else the configuration's.
  public func scriptSituation(path: String, format: InputFormat, own: String? = nil) -> CheckContext {
    var situation = defaults
    situation.context = scriptContext(path: path, format: format)
    situation.category =
      own ?? category ?? globCategory(path) ?? defaults.category
    return situation
  }

  /// The facts a listing file's records start from: the defaults, with `--category` or the first
  /// matching glob's category (a record's own category column still wins).
  public func listingDefaults(path: String) -> CheckContext {
    var facts = defaults
    facts.category = category ?? globCategory(path) ?? defaults.category
    return facts
  }

  /// The records of a listing export, with the errors of records that could not be read.
  public func listings(in text: String, path: String, format: InputFormat) -> ListingParser.Parsed {
    ListingParser.parse(text, path: path, format: format, columns: columns)
  }

  /// The records of an Excel workbook's first sheet (``XLSXReader``).
  public func listings(workbook data: Data, path: String) -> ListingParser.Parsed {
    ListingParser.parse(workbook: data, path: path, columns: columns)
  }

  /// The moderation items of an Excel workbook: every listing title and description.
  public func moderationItems(workbook data: Data, path: String) -> (items: [ModerationItem], errors: [HeguiError]) {
    listingItems(listings(workbook: data, path: path), path: path)
  }

  /// The moderation items of one input: every non-empty script line (SRT cue numbers and
  /// timings, and `#! hegui` directives, are not items) or every listing title and description.
  ///
  /// - Returns: The items in input order, and the input's errors (a record that cannot be read,
  ///   a record with no text).
  public func moderationItems(
    text: String, path: String, format: InputFormat
  ) -> (items: [ModerationItem], errors: [HeguiError]) {
    if format.isListing { return listingItems(listings(in: text, path: path, format: format), path: path) }
    let situation = scriptSituation(path: path, format: format)
    var items: [ModerationItem] = []
    var number = 0
    for line in TextLines.split(text) {
      number += 1
      let trimmed = line.trimmingCharacters(in: .whitespaces)
      if trimmed.isEmpty || Suppressions.isDirective(line[...]) && Suppressions.isWellFormed(line) { continue }
      if format == .srt && (trimmed.allSatisfy(\.isNumber) || trimmed.contains("-->")) { continue }
      items.append(ModerationItem(id: "\(path):\(number)", text: line, context: situation))
    }
    return (items, [])
  }

  private func listingItems(
    _ parsed: ListingParser.Parsed, path: String
  ) -> (items: [ModerationItem], errors: [HeguiError]) {
    var items: [ModerationItem] = []
    var errors = parsed.errors
    let defaults = listingDefaults(path: path)
    for record in parsed.records {
      var situation = defaults
      situation.shopSubject = record.listing.shopSubject ?? defaults.shopSubject
      situation.category = record.listing.category ?? defaults.category
      situation.licences = record.listing.licences.union(defaults.licences)
      let name = record.listing.id ?? "record-\(record.index)"
      var added = false
      for (field, value) in [(ListingField.title, record.listing.title), (.description, record.listing.description)] {
        guard let value, !value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else { continue }
        situation.context = field.context
        items.append(
          ModerationItem(id: "\(path):\(record.line)#\(name)/\(field.rawValue)", text: value, context: situation))
        added = true
      }
      if !added {
        errors.append(
          HeguiError(
            .invalidInput, "record \(record.index) has neither title nor description: nothing to moderate",
            at: .init(path: path, line: record.line)))
      }
    }
    return (items, errors)
  }
}

/// Splitting text into lines the way every part of Hegui counts them.
public enum TextLines {
  /// The lines of a text without their line breaks. Splits on `\n` and drops a `\r` before it
  /// (a CRLF pair is one `Character`, so splitting on characters would not split CRLF files).
  public static func split(_ text: String) -> [String] {
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
}
