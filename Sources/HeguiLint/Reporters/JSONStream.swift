import Hegui

/// `--format json` written as files arrive, byte for byte what `JSONEncoder` writes for
/// ``LintReport/JSONEnvelope`` (pretty-printed, sorted keys, slashes unescaped).
///
/// The envelope is one document, but only the current file's findings are held, and as rendered
/// text rather than as values: encoding the whole envelope at the end took 3.4 GB and grew faster
/// than the input for a 32 MB script with a finding on every line.
struct JSONStream {
  private var started = false
  private var files = 0
  private var errors: [String] = []
  private var findings: [String] = []
  private var inFile = false

  /// Adds a piece of the current file (a new file starts after ``endFile()``).
  mutating func add(_ piece: LintedFile, write: (String) -> Void) {
    if !started {
      write("{\n  \"files\" : [\n")
      started = true
    }
    if !inFile {
      inFile = true
      errors.removeAll(keepingCapacity: true)
      findings.removeAll(keepingCapacity: true)
    }
    errors += piece.errors.map(\.description)
    for finding in piece.findings { findings.append(Self.item(LintReport.item(finding))) }
    pendingPath = piece.path
  }

  private var pendingPath = ""

  /// Writes the current file's object.
  mutating func endFile(write: (String) -> Void) {
    guard inFile else { return }
    inFile = false
    var out = files == 0 ? "" : ",\n"
    out += "    {\n      \"errors\" : "
    out += Self.array(errors.map { Self.string($0) }, indent: 6)
    out += ",\n      \"findings\" : "
    write(out)
    if findings.isEmpty {
      write("[\n\n      ]")
    } else {
      write("[\n")
      for (index, item) in findings.enumerated() {
        write(index == 0 ? item : ",\n" + item)
      }
      write("\n      ]")
    }
    write(",\n      \"path\" : \(Self.string(pendingPath))\n    }")
    files += 1
    findings.removeAll(keepingCapacity: false)
  }

  /// Writes the rest of the document: the summary, the tool and the version.
  mutating func finish(tally: Tally, toolVersion: String, write: (String) -> Void) {
    if !started { write("{\n  \"files\" : [\n") }
    write("\n  ],\n")
    let c = tally.counts
    let total = c.values.reduce(0, +)
    var out = "  \"summary\" : {\n"
    out += "    \"block\" : \(c[.block] ?? 0),\n    \"errors\" : \(tally.errors),\n    \"files\" : \(tally.files),\n"
    out += "    \"findings\" : \(total),\n    \"info\" : \(c[.info] ?? 0),\n    \"review\" : \(c[.review] ?? 0)\n  },\n"
    out += "  \"tool\" : {\n    \"name\" : \"hegui\",\n    \"version\" : \(Self.string(toolVersion))\n  },\n"
    out += "  \"version\" : 1\n}\n"
    write(out)
  }

  /// One finding, indented as an element of a file's `findings`.
  static func item(_ item: LintReport.JSONEnvelope.Item) -> String {
    let pad = "          "
    var fields: [String] = []
    fields.append("\"basis\" : " + array(item.basis.map { string($0) }, indent: 10))
    if let field = item.field { fields.append("\"field\" : " + string(field)) }
    if let fix = item.fix { fields.append("\"fix\" : " + string(fix)) }
    fields.append("\"kind\" : " + string(item.kind))
    fields.append("\"match\" : " + string(item.match))
    fields.append("\"message\" : " + string(item.message))
    if let note = item.note { fields.append("\"note\" : " + string(note)) }
    fields.append("\"policy\" : " + string(item.policy))
    if let record = item.record { fields.append("\"record\" : \(record)") }
    if let recordID = item.recordId { fields.append("\"recordId\" : " + string(recordID)) }
    fields.append("\"rule\" : " + string(item.rule))
    fields.append("\"severity\" : " + string(item.severity))
    let span = item.span
    var spanFields = [
      "\"column\" : \(span.column)", "\"endColumn\" : \(span.endColumn)", "\"endLine\" : \(span.endLine)",
      "\"line\" : \(span.line)",
    ]
    if let utf16 = span.utf16 { spanFields.append("\"utf16\" : " + array(utf16.map(String.init), indent: 12)) }
    if let utf8 = span.utf8 { spanFields.append("\"utf8\" : " + array(utf8.map(String.init), indent: 12)) }
    fields.append(
      "\"span\" : {\n" + spanFields.map { "            " + $0 }.joined(separator: ",\n") + "\n" + pad + "}")
    fields.append("\"suggestions\" : " + array(item.suggestions.map { string($0) }, indent: 10))
    return "        {\n" + fields.map { pad + $0 }.joined(separator: ",\n") + "\n        }"
  }

  /// A JSON array of already rendered `elements`, its closing bracket at `indent` spaces.
  static func array(_ elements: [String], indent: Int) -> String {
    let closing = String(repeating: " ", count: indent)
    if elements.isEmpty { return "[\n\n" + closing + "]" }
    let inner = String(repeating: " ", count: indent + 2)
    return "[\n" + elements.map { inner + $0 }.joined(separator: ",\n") + "\n" + closing + "]"
  }

  /// A JSON string as `JSONEncoder` writes it: `"` and `\` escaped, control characters as
  /// `\n`-style escapes or `\u00XX`, everything else (slashes included) as it is.
  static func string(_ value: String) -> String {
    var out = "\""
    out.reserveCapacity(value.utf8.count + 2)
    for scalar in value.unicodeScalars {
      switch scalar {
      case "\"": out += "\\\""
      case "\\": out += "\\\\"
      case "\n": out += "\\n"
      case "\r": out += "\\r"
      case "\t": out += "\\t"
      case "\u{08}": out += "\\b"
      case "\u{0C}": out += "\\f"
      case _ where scalar.value < 0x20:
        let hex = String(scalar.value, radix: 16)
        out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
      default: out.unicodeScalars.append(scalar)
      }
    }
    return out + "\""
  }
}
