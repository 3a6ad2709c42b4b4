import Hegui
import Synchronization

/// Lints many files at once and hands their results on in file order, as soon as they can be:
/// the file at the head of the order streams piece by piece while it is checked; files checked
/// ahead of it wait, in memory, only as findings (never as text). So a 200 MB script with a
/// finding on every line is reported while it is read, and a folder of 1,000 files keeps both
/// cores busy.
public enum LintRun {
  /// What a run hands on.
  public enum Event: Sendable {
    /// Findings and errors of the current file (a whole file, or one block of a script).
    case piece(LintedFile)
    /// The current file is done; the next event belongs to the next file.
    case fileEnd
  }

  /// Lints `entries` with up to `jobs` files in flight.
  ///
  /// - Parameters:
  ///   - entries: The files, in report order.
  ///   - linter: The linter.
  ///   - jobs: Files checked at the same time (at least 1).
  ///   - blockSize: The size of a script block (``ScriptBlocks``).
  ///   - emit: Receives every piece of every file in file order, then `.fileEnd` after each file's
  ///     last piece, one call at a time.
  public static func lint(
    _ entries: [FileWalker.Entry], with linter: Linter, jobs: Int, blockSize: Int = 1 << 20,
    emit: @escaping @Sendable (Event) -> Void
  ) async {
    await lint(entries.map { ($0, linter) }, jobs: jobs, blockSize: blockSize, emit: emit)
  }

  /// Lints files each with its own linter (the one its folder's configuration makes), with up to
  /// `jobs` files in flight; otherwise as ``lint(_:with:jobs:blockSize:emit:)``.
  public static func lint(
    _ entries: [(FileWalker.Entry, Linter)], jobs: Int, blockSize: Int = 1 << 20,
    emit: @escaping @Sendable (Event) -> Void
  ) async {
    let order = Order(count: entries.count, emit: emit)
    await withTaskGroup(of: Void.self) { group in
      var next = 0
      func start() {
        guard next < entries.count else { return }
        let index = next
        let (entry, linter) = entries[index]
        next += 1
        group.addTask {
          linter.lint(fileAt: entry.url, displayPath: entry.display, blockSize: blockSize) { piece in
            order.add(piece, of: index)
          }
          order.finish(index)
        }
      }
      for _ in 0..<max(1, min(jobs, entries.count)) { start() }
      while await group.next() != nil { start() }
    }
  }

  /// The ordering: which file is at the head, and the pieces of files checked ahead of it.
  private final class Order: Sendable {
    private struct State {
      var head = 0
      var waiting: [Int: [LintedFile]] = [:]
      var finished: Set<Int> = []
    }
    private let state = Mutex(State())
    private let count: Int
    private let emit: @Sendable (Event) -> Void

    init(count: Int, emit: @escaping @Sendable (Event) -> Void) {
      self.count = count
      self.emit = emit
    }

    func add(_ piece: LintedFile, of index: Int) {
      state.withLock { state in
        if index == state.head {
          emit(.piece(piece))
        } else {
          state.waiting[index, default: []].append(piece)
        }
      }
    }

    func finish(_ index: Int) {
      state.withLock { state in
        state.finished.insert(index)
        guard index == state.head else { return }
        // Close the head file, then every waiting file that is complete; start streaming the
        // next one that is still being checked.
        while state.head < count {
          let current = state.head
          let pieces = state.waiting.removeValue(forKey: current) ?? []
          for piece in pieces { emit(.piece(piece)) }
          guard state.finished.contains(current) else { return }
          emit(.fileEnd)
          state.head += 1
        }
      }
    }
  }
}
