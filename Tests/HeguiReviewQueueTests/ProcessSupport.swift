import Foundation
import HeguiCLITestSupport
import Testing

/// Starts several `hegui` processes at the same moment.
///
/// Each child is a shell that waits for a shared lock on a gate file (`flock -s`) and then
/// `exec`s hegui; the test holds the lock exclusively until every child waits for it
/// (`/proc/locks` lists the waiters), then releases it, and all of them start at once. A child
/// that arrives late finds the gate open and starts at once: nothing can hang.
final class StartGate: Sendable {
  let path: String
  private let descriptor: Int32

  init(in folder: URL) throws {
    path = folder.appendingPathComponent("gate-\(UUID().uuidString)").path
    descriptor = open(path, O_CREAT | O_RDWR, 0o644)
    guard descriptor >= 0, flock(descriptor, LOCK_EX) == 0 else { throw POSIXError(.EIO) }
  }

  deinit { close(descriptor) }

  static let shell = URL(fileURLWithPath: "/bin/sh")

  /// The arguments for ``shell`` that run `hegui arguments` once the gate opens.
  func arguments(_ arguments: [String], prefix: [String] = []) -> [String] {
    ["-c", #"flock -s "$0" true && exec "$@""#, path] + prefix + [HeguiProcess.binary.path] + arguments
  }

  /// Waits (at most 10 s) until `count` processes wait at the gate, then opens it.
  func release(whenWaiting count: Int) async throws {
    var status = stat()
    _ = stat(path, &status)
    let inode = ":\(status.st_ino) "
    let deadline = Date().addingTimeInterval(10)
    while Date() < deadline {
      let locks = (try? String(contentsOfFile: "/proc/locks", encoding: .utf8)) ?? ""
      let waiting = locks.split(separator: "\n").filter { $0.contains("->") && $0.contains(inode) }.count
      if waiting >= count { break }
      try await Task.sleep(for: .milliseconds(20))
    }
    flock(descriptor, LOCK_UN)
  }
}

/// Runs hegui as an unprivileged user, so that file permissions apply: the superuser (CI runs
/// tests as root) may write any file whatever its mode, so a read-only queue can only be tested
/// as someone else. As root, `setpriv` switches to `nobody` (65534) before hegui starts; as any
/// other user, hegui runs directly, as that user.
enum Unprivileged {
  static let uid: uid_t = 65534
  static var isRoot: Bool { getuid() == 0 }

  /// The program and the arguments that run `hegui arguments` unprivileged.
  static func command(_ arguments: [String]) -> (executable: URL?, arguments: [String]) {
    guard isRoot else { return (nil, arguments) }
    return (
      URL(fileURLWithPath: "/usr/bin/setpriv"),
      ["--reuid=\(uid)", "--regid=\(uid)", "--clear-groups", HeguiProcess.binary.path] + arguments
    )
  }

  static func run(_ arguments: [String], in folder: URL) async throws -> HeguiProcess.Output {
    let (executable, arguments) = command(arguments)
    return try await HeguiProcess.run(arguments, in: folder, executable: executable)
  }

  /// Gives a file or folder to the unprivileged user (a no-op when the tests are not root).
  static func give(_ path: String) {
    if isRoot { chown(path, uid, gid_t(uid)) }
  }
}

/// A process whose standard output is read line by line while it runs.
struct RunningProcess {
  /// What a run printed, and how it ended.
  struct Result {
    var lines: [String]
    var stderr: String
    var status: Int32
    var seconds: Double
    /// How many complete lines had been read when `action` ran.
    var linesBeforeAction: Int
  }

  /// Starts a program, waits for `afterLines` complete lines on its standard output, runs
  /// `action` while it keeps running, then reads everything to its end (at most `limit`).
  static func run(
    _ executable: URL, _ arguments: [String], in folder: URL, afterLines: Int, limit: TimeInterval = 60,
    action: @escaping @Sendable () -> Void
  ) async throws -> Result {
    let process = Process()
    process.executableURL = executable
    process.arguments = arguments
    process.currentDirectoryURL = folder
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    process.standardInput = FileHandle.nullDevice
    try process.run()
    let started = Date()
    let errData = Locked(Data())
    let errThread = Thread {
      let data = err.fileHandleForReading.readDataToEndOfFile()
      errData.withLock { $0 = data }
    }
    errThread.start()
    let (data, before): (Data, Int) = await withCheckedContinuation { continuation in
      Thread {
        let handle = out.fileHandleForReading
        var data = Data()
        var acted = false
        var before = 0
        let deadline = Date().addingTimeInterval(limit)
        while true {
          let chunk = handle.availableData
          if chunk.isEmpty { break }
          data.append(chunk)
          if !acted {
            let count = data.reduce(0) { $1 == 0x0A ? $0 + 1 : $0 }
            if count >= afterLines {
              before = count
              action()
              acted = true
            }
          }
          if Date() > deadline { kill(process.processIdentifier, SIGKILL) }
        }
        continuation.resume(returning: (data, before))
      }.start()
    }
    process.waitUntilExit()
    while errThread.isExecuting { try await Task.sleep(for: .milliseconds(5)) }
    let text = String(decoding: data, as: UTF8.self)
    return Result(
      lines: text.split(separator: "\n").map(String.init),
      stderr: String(decoding: errData.withLock { $0 }, as: UTF8.self),
      status: process.terminationStatus, seconds: Date().timeIntervalSince(started), linesBeforeAction: before)
  }
}

/// A value behind a lock.
final class Locked<Value>: @unchecked Sendable {
  // @unchecked: every access holds the lock.
  private let lock = NSLock()
  private var value: Value

  init(_ value: Value) {
    self.value = value
  }

  func withLock<T>(_ body: (inout Value) throws -> T) rethrows -> T {
    lock.lock()
    defer { lock.unlock() }
    return try body(&value)
  }
}

/// The JSON objects of `--format jsonl` output lines.
func jsonObjects(_ lines: [String]) throws -> [[String: Any]] {
  try lines.map { line in
    guard let object = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
      throw CocoaError(.coderReadCorrupt)
    }
    return object
  }
}

/// Whether a text shows SQLite's lock errors in any wording.
func mentionsLockError(_ text: String) -> Bool {
  let lower = text.lowercased()
  return [
    "database is locked", "database table is locked", "sqlite_busy", "sqlite_locked", "sqlite error 5",
    "sqlite error 6",
  ]
  .contains { lower.contains($0) }
}
