import Foundation
public import Hegui

/// The language of the CLI's own words (summaries, progress, notes, labels, help where
/// argument-parser allows): Chinese when the locale is Chinese (`LC_ALL`, else `LC_MESSAGES`,
/// else `LANG`, as gettext reads them: `zh_CN.UTF-8`, `zh_TW`, `zh`), English otherwise.
///
/// Rule messages, suggestions and legal bases are Chinese whatever the locale (they are what a
/// merchant acts on); machine formats (JSON, SARIF, JSON Lines, line) never change; the reasons
/// in input and configuration errors, which come from the library with their `file:line:column`,
/// are English.
public enum Language: Sendable, Hashable {
  /// English.
  case english
  /// Simplified Chinese.
  case chinese

  /// The language the environment asks for.
  public static func from(environment: [String: String]) -> Language {
    for key in ["LC_ALL", "LC_MESSAGES", "LANG"] {
      guard let value = environment[key], !value.isEmpty else { continue }
      return value.lowercased().hasPrefix("zh") ? .chinese : .english
    }
    return .english
  }

  /// The language of this process's environment.
  public static let current = from(environment: ProcessInfo.processInfo.environment)

  /// `english` or `chinese`, by the language.
  public func pick(_ english: String, _ chinese: String) -> String {
    self == .chinese ? chinese : english
  }

  /// A severity's name: `block`, or 拦截 (block).
  public func name(_ severity: Severity) -> String {
    guard self == .chinese else { return severity.rawValue }
    switch severity {
    case .block: return "拦截"
    case .review: return "复核"
    case .info: return "提示"
    }
  }

  /// `n thing` / `n things` in English; `n 个thing` in Chinese (`unit` is the Chinese measure
  /// word and noun, e.g. `个文件`).
  public func count(_ n: Int, _ english: String, _ chinese: String) -> String {
    self == .chinese ? "\(n) \(chinese)" : "\(n) \(english)\(n == 1 ? "" : "s")"
  }

  /// The lint summary line.
  func summary(total: Int, counts: [Severity: Int], files: Int, errors: Int) -> String {
    let b = counts[.block] ?? 0
    let r = counts[.review] ?? 0
    let i = counts[.info] ?? 0
    if self == .chinese {
      var text = "共 \(total) 条问题（拦截 \(b)，复核 \(r)，提示 \(i)），检查了 \(files) 个文件"
      if errors > 0 { text += "；\(errors) 个输入错误" }
      return text
    }
    var text = "\(count(total, "finding", "")) (\(b) block, \(r) review, \(i) info) in \(count(files, "file", ""))"
    if errors > 0 { text += "; \(count(errors, "input error", ""))" }
    return text
  }
}

extension Language {
  /// An error as people read it: in English as it is; in Chinese with the reasons the lint path
  /// gives most often translated (its `file:line:column` unchanged). A reason the table does not
  /// know stays English.
  public func describe(_ error: HeguiError) -> String {
    guard self == .chinese else { return error.description }
    var text = error.description
    for (pattern, template) in Language.translations {
      let range = NSRange(text.startIndex..., in: text)
      text = pattern.stringByReplacingMatches(in: text, range: range, withTemplate: template)
    }
    return text
  }

  /// English reasons and their Chinese, applied in order.
  static let translations: [(NSRegularExpression, String)] = [
    (#"no such file or directory"#, "文件或目录不存在"),
    (#"cannot read this directory; its files were not checked"#, "无法读取此目录，其中的文件没有检查"),
    (#"cannot read the baseline: "#, "无法读取基线："),
    (#"cannot read: "#, "无法读取："),
    (
      #"not valid UTF-8: byte (0x[0-9A-F]{2}) at offset (\d+); convert the file to UTF-8, or name its encoding \(--encoding gbk, gb18030, utf-16\)"#,
      "不是有效的 UTF-8：偏移 $2 处的字节 $1；请把文件转换为 UTF-8，或用 --encoding 指明编码（gbk、gb18030、utf-16）"
    ),
    (
      #"binary file \(NUL byte at offset (\d+)\); only UTF-8 text can be checked"#,
      "二进制文件（偏移 $1 处有 NUL 字节），只能检查 UTF-8 文本"
    ),
    (
      #"this file is UTF-16 \(it starts with a UTF-16 byte-order mark\): read it with --encoding utf-16"#,
      "这是 UTF-16 文件（以 UTF-16 字节序标记开头）：请加 --encoding utf-16 读取"
    ),
    (
      #"not valid ([\w-]+) \(byte (0x[0-9A-F]{2}) at offset (\d+)\): (\w+); check --encoding"#,
      "不是有效的 $1 编码（偏移 $3 处的字节 $2）：$4；请检查 --encoding"
    ),
    (
      #"no UTF-16 byte-order mark at the start: name the byte order with --encoding utf-16le or utf-16be"#,
      "开头没有 UTF-16 字节序标记：请用 --encoding utf-16le 或 utf-16be 指明字节序"
    ),
    (
      #"no record has a title or description: nothing in this file was checked for wording"#,
      "没有任何记录含标题或描述：本文件的文案没有被检查"
    ),
    (#"; the columns seen: "#, "；看到的列："),
    (
      #"\. Name the columns with --columns title=…,description=… \(or 'columns:' in \.hegui\.yml\)"#,
      "。请用 --columns title=…,description=…（或 .hegui.yml 的 columns:）指明列"
    ),
    (#"not a readable Excel workbook \(\.xlsx\): "#, "无法读取的 Excel 工作簿（.xlsx）："),
    (
      #"it is an \.xls workbook from old Excel \(a binary format\): save it as \.xlsx"#,
      "这是旧版 Excel 的 .xls（二进制格式）：请另存为 .xlsx"
    ),
    (#"invalid JSON: "#, "JSON 无效："),
    (#"a JSON Lines record must be an object"#, "JSON Lines 的每条记录必须是对象"),
    (#"record has (\d+) fields, the header has (\d+)"#, "记录有 $1 个字段，表头有 $2 个"),
    (
      #"a quote inside an unquoted field \(quote the field and double the quote\)"#,
      "未加引号的字段里出现引号（请给字段加引号，并把其中的引号写两遍）"
    ),
    (#"text after a closing quote \(a broken quote\)"#, "闭合引号后还有文字（引号不完整）"),
    (#"unknown key '([^']*)' in the configuration"#, "配置中有未知的键 '$1'"),
    (#"unknown key '([^']*)' in "#, "未知的键 '$1'，位于 "),
    (#"; valid keys: "#, "；可用的键："),
    (#" \(did you mean '([^']*)'\?\)"#, "（是不是 '$1'？）"),
    (#"unknown rule id '([^']*)'"#, "未知的规则 id '$1'"),
    (#"unknown category '([^']*)'"#, "未知类目 '$1'"),
    (#"; known: "#, "；已知类目："),
    (#"a broken symbolic link; not read"#, "损坏的符号链接，未读取"),
    (
      #"a symbolic link to (.*), outside (.*), is not followed; name its target on the command line to check it"#,
      "指向 $2 之外的符号链接（$1）不会跟随；要检查请在命令行直接给出目标"
    ),
    (#"not a regular file \(a FIFO, device or socket\); not read"#, "不是普通文件（FIFO、设备或套接字），未读取"),
  ].compactMap { pair in (try? NSRegularExpression(pattern: pair.0)).map { ($0, pair.1) } }
}
