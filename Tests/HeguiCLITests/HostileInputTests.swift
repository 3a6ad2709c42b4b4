import Foundation
import HeguiCLITestSupport
import Testing

/// Input text is shown, never obeyed; output never destroys what it writes to.
@Suite("hegui lint: hostile input and output destinations (end to end)")
struct HostileInputTests {
  static let escape = "\u{1B}"
  /// A script whose violating line carries a clear-screen, a title change, concealed text, a CR
  /// that would rewrite the line, a bidi override and a tab before the claim.
  static let script = "欢迎\n\u{1B}[2J\u{1B}]0;pwned\u{07}\u{1B}[8m藏\rok\u{202E}\t全网最低价\n"

  func folder(with files: [String: String]) throws -> URL {
    let folder = try HeguiProcess.temporaryDirectory()
    for (name, text) in files {
      let url = folder.appending(path: name)
      try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
      try Data(text.utf8).write(to: url)
    }
    return folder
  }

  @Test("text output: no control character reaches the terminal; the caret still sits under the match")
  func text() async throws {
    let folder = try folder(with: ["s.txt": Self.script])
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try await HeguiProcess.run(["lint", "--format", "text", "s.txt"], in: folder)
    #expect(result.status == 1)
    #expect(!result.stdout.unicodeScalars.contains { $0.value < 0x20 && $0 != "\n" || $0.value == 0x7F })
    #expect(!result.stdout.contains("\u{202E}"))
    #expect(result.stdout.contains("^[[2J^[]0;pwned^G^[[8m藏^Mok<U+202E> 全网最低价"))
    let lines = result.stdout.split(separator: "\n", omittingEmptySubsequences: false)
    guard let source = lines.firstIndex(where: { $0.contains("pwned") }), source + 1 < lines.count else {
      Issue.record("no source line in \(result.stdout)")
      return
    }
    // The caret line starts under 全 (display width: the escapes are ASCII, 藏 is two columns).
    let prefix = "    ^[[2J^[]0;pwned^G^[[8m藏^Mok<U+202E> "
    let caret = lines[source + 1]
    #expect(caret.hasPrefix(String(repeating: " ", count: prefix.count + 1) + "^"))
  }

  @Test("line output: exactly one line per finding, whatever the path, message or match holds")
  func lineOutput() async throws {
    let name = "a\nb\u{1B}[31m.txt"
    let folder = try folder(with: [name: "全网最低价\n第一\r\n全网最低价\u{0B}全网最低价\n"])
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try await HeguiProcess.run(["lint", "--format", "line", name], in: folder)
    let json = try await HeguiProcess.run(["lint", "--format", "json", name], in: folder)
    let count =
      (try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any])
      .flatMap { $0["summary"] as? [String: Any] }?["findings"] as? Int
    let lines = result.stdout.split(separator: "\n")
    #expect(count != nil && lines.count == count)
    #expect(lines.allSatisfy { $0.hasPrefix("a^Jb^[[31m.txt:") })
  }

  @Test("github output: a match with ::, %, CR or LF cannot start a workflow command")
  func github() async throws {
    let folder = try folder(with: ["g.txt": "全网最低价\r\n::set-output name=x::1 %0A 第一\n"])
    defer { try? FileManager.default.removeItem(at: folder) }
    let result = try await HeguiProcess.run(["lint", "--format", "github", "g.txt"], in: folder)
    for line in result.stdout.split(separator: "\n") {
      #expect(
        line.hasPrefix("::error ") || line.hasPrefix("::warning ") || line.hasPrefix("::notice ")
          || line.contains("finding"))
      #expect(!line.contains("\r"))
    }
    #expect(!result.stdout.contains("\n::set-output"))
  }

  @Test("--output into /dev/null, a FIFO and /dev/stdout writes into them; a regular file is replaced whole")
  func outputDestinations() async throws {
    let folder = try folder(with: ["s.txt": "全网最低价\n"])
    defer { try? FileManager.default.removeItem(at: folder) }
    var before = stat()
    #expect(stat("/dev/null", &before) == 0)
    let devNull = try await HeguiProcess.run(["lint", "--output", "/dev/null", "s.txt"], in: folder)
    #expect(devNull.status == 1)
    var after = stat()
    #expect(stat("/dev/null", &after) == 0)
    #expect(after.st_mode & S_IFMT == S_IFCHR, "/dev/null is no longer a device")
    #expect(after.st_rdev == before.st_rdev)

    let stdout = try await HeguiProcess.run(
      ["lint", "--format", "line", "--output", "/dev/stdout", "s.txt"], in: folder)
    #expect(stdout.stdout.contains("s.txt:1:1:block:adlaw.absolute.lowest-price"))

    let fifo = folder.appending(path: "report.fifo")
    #expect(mkfifo(fifo.path, 0o600) == 0)
    let reader = Task.detached { () -> String in
      let handle = try FileHandle(forReadingFrom: fifo)
      defer { try? handle.close() }
      return String(decoding: handle.readDataToEndOfFile(), as: UTF8.self)
    }
    let written = try await HeguiProcess.run(["lint", "--format", "line", "--output", fifo.path, "s.txt"], in: folder)
    #expect(written.status == 1)
    #expect(try await reader.value.contains("s.txt:1:1:block:adlaw.absolute.lowest-price"))
    var info = stat()
    #expect(stat(fifo.path, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)

    let regular = folder.appending(path: "report.txt")
    try Data("old report\n".utf8).write(to: regular)
    _ = try await HeguiProcess.run(["lint", "--format", "line", "--output", "report.txt", "s.txt"], in: folder)
    let report = try String(contentsOf: regular, encoding: .utf8)
    #expect(report.hasPrefix("s.txt:1:1:block:") && !report.contains("old report"))
  }
}

@Suite("hegui lint: unreadable folders (end to end, as an unprivileged user)")
struct UnreadableFolderTests {
  @Test("a folder that cannot be read is an input error (exit 2); the readable files are still checked")
  func unreadable() async throws {
    let folder = try HeguiProcess.temporaryDirectory()
    defer {
      chmod(folder.appending(path: "locked").path, 0o755)
      try? FileManager.default.removeItem(at: folder)
    }
    try FileManager.default.createDirectory(at: folder.appending(path: "locked"), withIntermediateDirectories: true)
    try Data("全网最低价\n".utf8).write(to: folder.appending(path: "locked/a.txt"))
    try Data("全网最低价\n".utf8).write(to: folder.appending(path: "open.txt"))
    #expect(chmod(folder.appending(path: "locked").path, 0o000) == 0)
    // Root reads every folder, so the walk runs as `nobody` (setpriv, util-linux).
    let result = try await HeguiProcess.run(
      ["--reuid=65534", "--regid=65534", "--clear-groups", HeguiProcess.binary.path, "lint", "--format", "line", "."],
      in: folder, executable: URL(fileURLWithPath: "/usr/bin/setpriv"))
    #expect(result.status == 2, "\(result.stdout)\(result.stderr)")
    #expect(result.stdout.contains("open.txt:1:1:block:adlaw.absolute.lowest-price"))
    #expect(result.stdout.contains("locked:error:hegui.input:cannot read this directory"))
  }
}
