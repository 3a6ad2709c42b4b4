/// Writing rules' safe replacements (``Finding/fix``) over the text they were found in.
///
/// A fix replaces exactly the original characters of its finding's span. Fixes are applied in
/// text order; one that overlaps a fix already taken is left for a person (and for the next
/// check), and so is one whose span holds a line break (a caption phrase joined across lines:
/// replacing it would join the lines).
public enum Fixes {
  /// One replacement in a text.
  public struct Edit: Sendable, Hashable {
    /// UTF-8 offsets of the replaced characters in the text.
    public let utf8: Range<Int>
    /// What replaces them.
    public let replacement: String
    /// The rule whose fix it is.
    public let ruleID: String

    /// An edit.
    public init(utf8: Range<Int>, replacement: String, ruleID: String) {
      self.utf8 = utf8
      self.replacement = replacement
      self.ruleID = ruleID
    }
  }

  /// The edits the findings' fixes make on `text` (the text they were found in), in text order,
  /// without overlaps.
  public static func edits(for findings: [Finding], in text: String) -> [Edit] {
    edits(for: findings.compactMap { f in f.span.map { (f, $0.utf8) } }, in: text)
  }

  /// The edits the findings' fixes make on `text`, each finding given with the UTF-8 offsets of
  /// its match in `text` (a finding made on part of a file, placed in the file).
  public static func edits(for findings: [(finding: Finding, utf8: Range<Int>)], in text: String) -> [Edit] {
    let bytes = text.utf8
    var candidates: [Edit] = []
    for (finding, range) in findings {
      guard let fix = finding.fix, range.lowerBound >= 0, range.upperBound <= bytes.count else { continue }
      let lower = bytes.index(bytes.startIndex, offsetBy: range.lowerBound)
      let upper = bytes.index(lower, offsetBy: range.count)
      let original = bytes[lower..<upper]
      if original.contains(0x0A) || original.contains(0x0D) || original.elementsEqual(fix.utf8) { continue }
      candidates.append(Edit(utf8: range, replacement: fix, ruleID: finding.ruleID))
    }
    candidates.sort { ($0.utf8.lowerBound, -$0.utf8.count) < ($1.utf8.lowerBound, -$1.utf8.count) }
    var edits: [Edit] = []
    for edit in candidates where edits.last.map({ $0.utf8.upperBound <= edit.utf8.lowerBound }) ?? true {
      edits.append(edit)
    }
    return edits
  }

  /// `text` with `edits` (in text order, without overlaps) applied.
  public static func apply(_ edits: [Edit], to text: String) -> String {
    guard !edits.isEmpty else { return text }
    let bytes = Array(text.utf8)
    var out: [UInt8] = []
    out.reserveCapacity(bytes.count)
    var position = 0
    for edit in edits {
      out += bytes[position..<edit.utf8.lowerBound]
      out += Array(edit.replacement.utf8)
      position = edit.utf8.upperBound
    }
    out += bytes[position...]
    return String(decoding: out, as: UTF8.self)
  }
}
