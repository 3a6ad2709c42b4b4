public import Foundation

/// Runs the built `hegui` executable as a user would, for the end-to-end tests of every module.
///
/// The binary is the one beside the test bundle (the build folder `swift test` and
/// `swift build --build-tests` wrote, whatever its name), never a path baked into the tests.
/// Standard output and standard error are drained at the same time and standard input is
/// written from a thread of its own, so a child that fills one pipe while the test reads another
/// cannot deadlock the test.
public enum HeguiProcess {
  /// What a run printed and how it ended.
  public struct Output: Sendable {
    /// The exit status (or the signal number when it was killed).
    public let status: Int32
    /// Everything written to standard output.
    public let stdout: String
    /// Everything written to standard error.
    public let stderr: String
  }

  /// The folder of the running test bundle.
  public static let buildFolder: URL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
    .deletingLastPathComponent()

  /// `hegui` beside the test bundle.
  public static let binary: URL = buildFolder.appending(path: "hegui")

  /// Runs `hegui` to its end on a thread of its own: waiting for a child process must not block
  /// one of the few threads of Swift's cooperative pool.
  ///
  /// - Parameters:
  ///   - arguments: The command line after `hegui`.
  ///   - stdin: Bytes for standard input; `nil`: the null device.
  ///   - directory: The working directory.
  ///   - environment: Variables added to (or replacing) the test's own environment.
  ///   - removing: Prefixes of variables of the test's environment not to pass on.
  ///   - executable: A program to run instead of `hegui` (a wrapper such as `setpriv` that runs
  ///     ``binary`` itself).
  /// - Throws: When the binary cannot be started (it is missing: build it first).
  public static func run(
    _ arguments: [String], stdin: String? = nil, in directory: URL, environment: [String: String] = [:],
    removing: [String] = [], executable: URL? = nil
  ) async throws -> Output {
    try await withCheckedThrowingContinuation { continuation in
      Thread {
        continuation.resume(
          with: Result {
            try runBlocking(
              arguments, stdin: stdin, in: directory, environment: environment, removing: removing,
              executable: executable)
          })
      }.start()
    }
  }

  /// ``run(_:stdin:in:environment:removing:executable:)`` on the calling thread.
  public static func runBlocking(
    _ arguments: [String], stdin: String? = nil, in directory: URL, environment: [String: String] = [:],
    removing: [String] = [], executable: URL? = nil
  ) throws -> Output {
    guard FileManager.default.isExecutableFile(atPath: binary.path) else {
      throw CocoaError(
        .fileNoSuchFile, userInfo: [NSFilePathErrorKey: binary.path, NSLocalizedDescriptionKey: "build hegui first"])
    }
    let process = Process()
    process.executableURL = executable ?? binary
    process.arguments = arguments
    process.currentDirectoryURL = directory
    // The locale is the test's to give: hegui's own words follow it (English without one).
    let locale = ["LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"]
    var merged = ProcessInfo.processInfo.environment.filter { key, _ in
      !removing.contains { key.hasPrefix($0) } && !locale.contains(key)
    }
    merged.merge(environment) { $1 }
    process.environment = merged
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    let input = stdin.map { _ in Pipe() }
    process.standardInput = input ?? FileHandle.nullDevice
    try process.run()

    let group = DispatchGroup()
    let errData = LockedData()
    group.enter()
    Thread {
      errData.set(err.fileHandleForReading.readDataToEndOfFile())
      group.leave()
    }.start()
    if let input, let stdin {
      group.enter()
      Thread {
        input.fileHandleForWriting.write(Data(stdin.utf8))
        try? input.fileHandleForWriting.close()
        group.leave()
      }.start()
    }
    let outData = out.fileHandleForReading.readDataToEndOfFile()
    group.wait()
    process.waitUntilExit()
    return Output(
      status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
      stderr: String(decoding: errData.get(), as: UTF8.self))
  }

  /// A fresh temporary folder for one test.
  public static func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory.appending(path: "hegui-test-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
  }

  private final class LockedData: @unchecked Sendable {
    // @unchecked: every access holds the lock.
    private let lock = NSLock()
    private var data = Data()
    func set(_ value: Data) { lock.withLock { data = value } }
    func get() -> Data { lock.withLock { data } }
  }
}
