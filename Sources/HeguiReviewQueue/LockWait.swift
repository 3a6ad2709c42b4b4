import Foundation
package import GRDB
import Synchronization

/// How the queue waits for other processes that use the same file.
///
/// SQLite lets one connection write at a time. A second writer (another `hegui moderate`, a
/// reviewer's `hegui review decide`) is told SQLITE_BUSY, and so, rarely, is a reader. Two layers
/// turn that into waiting, both bounded by one timeout:
///
/// 1. **A busy handler** on every connection. While another connection holds the lock, SQLite
///    calls it and tries again: it sleeps 1, 2, 4, 8 ms, then 10 ms at a time, each ±50 % at
///    random, until the timeout has passed since the wait began. Short, jittered pauses matter:
///    SQLite's own busy timeout sleeps up to 100 ms between attempts, and a process that looks that
///    rarely keeps losing the lock to processes that commit back to back (a `moderate` run commits
///    every item).
/// 2. **Retries of the whole operation.** Some SQLITE_BUSY are returned without calling the
///    handler (a connection that must not wait, to avoid a deadlock; a WAL file being recovered).
///    The operation is one transaction, rolled back when it fails, so it is run again after a
///    jittered pause (5 ms doubling up to 100 ms), until the timeout has passed since it began.
///
/// Past the timeout the error is ``ReviewQueueError/Code/busy`` with a message of its own:
/// SQLite's "database is locked" never reaches the user.
package struct LockWait: Sendable {
  /// The longest one operation waits for other processes.
  package let timeout: Duration

  package init(timeout: Duration) {
    self.timeout = max(timeout, .zero)
  }

  /// The busy mode of every connection of the queue (GRDB calls the handler for SQLite).
  package var busyMode: Database.BusyMode {
    let timeout = self.timeout
    let starts = WaitStarts()
    return .callback { tries in
      let now = ContinuousClock.now
      let elapsed = now - starts.start(tries: tries, now: now)
      if elapsed >= timeout { return false }
      Self.sleep(min(Self.jittered(Self.handlerPause(tries)), timeout - elapsed))
      return true
    }
  }

  /// Runs `operation`, running it again while it fails with SQLITE_BUSY and time is left.
  package func run<T>(_ operation: () async throws -> T) async throws -> T {
    let deadline = ContinuousClock.now + timeout
    var attempt = 0
    while true {
      do {
        return try await operation()
      } catch {
        guard Self.isBusy(error) && ContinuousClock.now < deadline && !Task.isCancelled else { throw error }
        attempt += 1
        try? await Task.sleep(for: min(Self.jittered(Self.retryPause(attempt)), deadline - .now))
      }
    }
  }

  /// ``run(_:)`` for synchronous work (opening a queue), sleeping on the calling thread.
  package func runBlocking<T>(_ operation: () throws -> T) throws -> T {
    let deadline = ContinuousClock.now + timeout
    var attempt = 0
    while true {
      do {
        return try operation()
      } catch {
        guard Self.isBusy(error) && ContinuousClock.now < deadline else { throw error }
        attempt += 1
        Self.sleep(min(Self.jittered(Self.retryPause(attempt)), deadline - .now))
      }
    }
  }

  /// Whether an error says another connection held a lock (SQLITE_BUSY or SQLITE_LOCKED, with
  /// any extended code).
  static func isBusy(_ error: any Error) -> Bool {
    guard let error = error as? DatabaseError else { return false }
    return error.resultCode == .SQLITE_BUSY || error.resultCode == .SQLITE_LOCKED
  }

  /// The busy handler's pause before its next try: 1, 2, 4, 8, then 10 ms.
  static func handlerPause(_ tries: Int) -> Duration {
    .milliseconds(tries < 4 ? 1 << tries : 10)
  }

  /// The pause before an operation's next attempt: 5 ms, doubling up to 100 ms.
  static func retryPause(_ attempt: Int) -> Duration {
    .milliseconds(min(5 << min(attempt - 1, 5), 100))
  }

  /// A pause between half and one and a half times `pause`, so that waiting processes do not
  /// retry in step.
  static func jittered(_ pause: Duration) -> Duration {
    pause * Double.random(in: 0.5..<1.5)
  }

  static func sleep(_ pause: Duration) {
    guard pause > .zero else { return }
    let microseconds = pause.components.seconds * 1_000_000 + pause.components.attoseconds / 1_000_000_000_000
    usleep(UInt32(clamping: microseconds))
  }

  /// `10 s`, `250 ms`: a timeout as the messages show it.
  static func describe(_ duration: Duration) -> String {
    let milliseconds = duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000
    if milliseconds % 1000 == 0 { return "\(milliseconds / 1000) s" }
    return "\(milliseconds) ms"
  }
}

/// When the busy handler's current wait began, per thread.
///
/// SQLite calls the handler with the number of earlier calls in the same wait (0 for the first),
/// on the thread that waits; the handler of one configuration serves every connection of the
/// pool, so the start of each wait is kept per thread.
private final class WaitStarts: Sendable {
  private let starts = Mutex<[UInt: ContinuousClock.Instant]>([:])

  func start(tries: Int, now: ContinuousClock.Instant) -> ContinuousClock.Instant {
    #if canImport(Darwin)
      let thread = UInt(bitPattern: pthread_self())
    #else
      let thread = UInt(pthread_self())
    #endif
    return starts.withLock { starts in
      if tries == 0 || starts[thread] == nil { starts[thread] = now }
      return starts[thread] ?? now
    }
  }
}
