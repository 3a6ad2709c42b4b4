import Foundation
import HeguiCLITestSupport
import Testing

/// Every output path of `hegui lint` grows linearly with its input. A generous bound on small
/// sizes (a debug build, a loaded machine) still fails a quadratic path, which costs 8× more per
/// byte at 8× the size. The real figures, in release, are `Benchmarks/user-path.sh`'s.
@Suite("hegui lint grows linearly (end to end)", .serialized)
struct GrowthTests {
  static func script(bytes: Int) -> String {
    var out = ""
    var k = 0
    while out.utf8.count < bytes {
      out += "第\(k)件：这款锅具今天在直播间全网最低价，家人们冲\n"
      k += 1
    }
    return out
  }

  @Test(
    "time(8×) / (8 × time(1×)) stays small for every format, with a finding on every line",
    arguments: ["text", "line", "json", "sarif", "github", "jsonl"])
  func growth(format: String) async throws {
    let folder = try HeguiProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    try Data(Self.script(bytes: 128 << 10).utf8).write(to: folder.appending(path: "small.txt"))
    try Data(Self.script(bytes: 1 << 20).utf8).write(to: folder.appending(path: "large.txt"))
    func seconds(_ file: String) async throws -> Double {
      let start = ContinuousClock.now
      let result = try await HeguiProcess.run(["lint", "--format", format, "--output", "/dev/null", file], in: folder)
      #expect(result.status == 1, "\(result.stderr)")
      let elapsed = (ContinuousClock.now - start).components
      return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }
    _ = try await seconds("small.txt")  // warm the page cache and the dynamic loader
    let small = try await seconds("small.txt")
    let large = try await seconds("large.txt")
    let ratio = large / (8 * small)
    #expect(ratio < 2.5, "format \(format): \(small) s for 128 KB, \(large) s for 1 MB, ratio \(ratio)")
  }

  @Test("a line without breaks costs about what the same text with breaks costs (pattern exceptions near each hit)")
  func longLine() async throws {
    let folder = try HeguiProcess.temporaryDirectory()
    defer { try? FileManager.default.removeItem(at: folder) }
    var clauses: [String] = []
    var bytes = 0
    var k = 0
    while bytes < 512 << 10 {
      // Every clause has a hit whose rule has pattern exceptions, and one exception that covers it.
      let clause = k % 2 == 0 ? "第\(k)款泡脚包能治疗失眠" : "第\(k)款本品不能代替药物治疗失眠"
      clauses.append(clause)
      bytes += clause.utf8.count + 3
      k += 1
    }
    try Data((clauses.joined(separator: "\n") + "\n").utf8).write(to: folder.appending(path: "lines.txt"))
    try Data((clauses.joined(separator: "，") + "\n").utf8).write(to: folder.appending(path: "line.txt"))
    func seconds(_ file: String) async throws -> Double {
      let start = ContinuousClock.now
      let result = try await HeguiProcess.run(["lint", "--format", "line", "--output", "/dev/null", file], in: folder)
      #expect(result.status == 1, "\(result.stderr)")
      let elapsed = (ContinuousClock.now - start).components
      return Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18
    }
    _ = try await seconds("lines.txt")
    let lines = try await seconds("lines.txt")
    let line = try await seconds("line.txt")
    #expect(line / lines < 3, "\(lines) s with line breaks, \(line) s as one line")
  }
}
