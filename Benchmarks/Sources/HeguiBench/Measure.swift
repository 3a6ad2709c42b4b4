import Foundation

/// Timing and memory helpers.
enum Measure {
  static let clock = ContinuousClock()

  static func seconds(_ duration: Duration) -> Double {
    let parts = duration.components
    return Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
  }

  /// Wall time of `body`, in seconds.
  static func time(_ body: () throws -> Void) rethrows -> Double {
    let start = clock.now
    try body()
    return seconds(clock.now - start)
  }

  /// The best (shortest) of `runs` timings: the figure least disturbed by other processes.
  static func best(of runs: Int, _ body: () -> Void) -> Double {
    var best = Double.infinity
    for _ in 0..<max(1, runs) { best = min(best, time(body)) }
    return best
  }

  /// The value at quantile `q` (0…1) of sorted samples (nearest rank).
  static func percentile(_ sorted: [Double], _ q: Double) -> Double {
    guard !sorted.isEmpty else { return .nan }
    let rank = Int((q * Double(sorted.count)).rounded(.up)) - 1
    return sorted[min(max(rank, 0), sorted.count - 1)]
  }

  /// A `/proc/self/status` field in kB (`VmHWM` is the peak resident set, `VmRSS` the current one).
  static func status(_ field: String) -> Int? {
    guard let text = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return nil }
    for line in text.split(separator: "\n") where line.hasPrefix(field + ":") {
      let digits = line.dropFirst(field.count + 1).filter(\.isNumber)
      return Int(digits)
    }
    return nil
  }

  /// The machine, for the report: CPU model, cores, memory, OS.
  static func machine() -> String {
    var model = "unknown CPU"
    if let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8),
      let line = info.split(separator: "\n").first(where: { $0.hasPrefix("model name") }),
      let colon = line.firstIndex(of: ":")
    {
      model = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
    }
    let cores = ProcessInfo.processInfo.activeProcessorCount
    let memory = Double(ProcessInfo.processInfo.physicalMemory) / Double(1 << 30)
    var os = "Linux"
    if let release = try? String(contentsOfFile: "/etc/os-release", encoding: .utf8),
      let line = release.split(separator: "\n").first(where: { $0.hasPrefix("PRETTY_NAME=") })
    {
      os = line.dropFirst("PRETTY_NAME=".count).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
    }
    return "\(model), \(cores) cores, \(String(format: "%.0f", memory)) GiB, \(os)"
  }

  /// CPU time this process has used, all threads together, in seconds.
  static func cpuSeconds() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_utime.tv_sec) + Double(usage.ru_utime.tv_usec) * 1e-6 + Double(usage.ru_stime.tv_sec)
      + Double(usage.ru_stime.tv_usec) * 1e-6
  }

  /// The 1-minute load average (other processes competing for the cores).
  static func loadAverage() -> String {
    (try? String(contentsOfFile: "/proc/loadavg", encoding: .utf8))?.split(separator: " ").first.map(String.init) ?? "?"
  }
}
