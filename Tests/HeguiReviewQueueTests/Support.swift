import Foundation
import GRDB
import Hegui
import HeguiReviewQueue

/// A temporary folder, removed by `remove()`.
struct TemporaryFolder {
  let url: URL

  init() throws {
    url = FileManager.default.temporaryDirectory.appendingPathComponent("hegui-queue-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
  }

  func path(_ name: String) -> String { url.appendingPathComponent(name).path }

  func remove() {
    chmod(url.path, 0o755)
    try? FileManager.default.removeItem(at: url)
  }
}

/// A clock tests move by hand.
final class TestClock: @unchecked Sendable {
  private let lock = NSLock()
  private var now = Date(timeIntervalSince1970: 1_800_000_000)

  var date: Date { lock.withLock { now } }

  func advance(by seconds: TimeInterval) {
    lock.withLock { now = now.addingTimeInterval(seconds) }
  }

  var source: @Sendable () -> Date { { self.date } }
}

/// A trail as the rule stage would leave it before review.
func ruleTrail(_ rule: String = "adlaw.absolute.best", match: String = "最好") -> [StageRecord] {
  [
    StageRecord(
      stage: "rules",
      outcome: .escalate(reason: "1 finding at review or above: \(rule) (\(match)); a person must judge"),
      findings: [
        FindingRecord(rule: rule, severity: .review, match: match, message: "需人工判断", utf8: 0..<6, line: 1, column: 1)
      ],
      milliseconds: 0.4)
  ]
}

func item(_ text: String, id: String = UUID().uuidString) -> ModerationItem {
  ModerationItem(id: id, text: text)
}

/// The bytes of a file and whether SQLite's side files exist, to prove a file was left untouched.
struct FileSnapshot: Equatable {
  let bytes: Data?
  let sideFiles: [String]

  init(_ path: String) {
    bytes = FileManager.default.contents(atPath: path)
    sideFiles = ["-wal", "-shm", "-journal"].filter { FileManager.default.fileExists(atPath: path + $0) }
  }
}
