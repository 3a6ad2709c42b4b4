/// What kind of input a file is, from its extension.
public enum InputFormat: String, Sendable, Hashable, CaseIterable {
  /// A script: plain text or Markdown, checked whole in the `livestream` context by default.
  case script
  /// SubRip subtitles: a script in the `caption` context; cue numbers and timings are not text.
  case srt
  /// A JSON listing export: an array of records, or an object holding one (`listings`, `items`).
  case json
  /// A JSON Lines listing export: one record per line.
  case jsonl
  /// A CSV listing export with a header row.
  case csv
  /// An Excel workbook (`.xlsx`) listing export: the first sheet, with a header row
  /// (``XLSXReader``).
  case xlsx

  /// The format of a file with this extension (case-insensitive, without the dot); anything
  /// that is not a known listing or subtitle extension is a script.
  public init(pathExtension: String) {
    switch pathExtension.lowercased() {
    case "srt": self = .srt
    case "json": self = .json
    case "jsonl", "ndjson": self = .jsonl
    case "csv": self = .csv
    // An old binary .xls is read as a workbook too, so that it is refused with a reason (save
    // it as .xlsx) rather than read as text or left out of a walk.
    case "xlsx", "xls": self = .xlsx
    default: self = .script
    }
  }

  /// Whether records of product listings (title, description, category …) are in it.
  public var isListing: Bool {
    switch self {
    case .json, .jsonl, .csv, .xlsx: true
    case .script, .srt: false
    }
  }

  /// Extensions read as listing exports when walking directories.
  public static let listingExtensions: Set<String> = ["json", "jsonl", "ndjson", "csv", "xlsx", "xls"]
  /// Extensions read as scripts when walking directories.
  public static let scriptExtensions: Set<String> = ["txt", "md", "srt", "text", "markdown"]
}
