// stdout carries results; progress and logs go to stderr. A progress bar with ETA is drawn
// in place when stderr is a terminal, and reduced to a few plain lines otherwise (CI logs,
// SLURM output files). Also wall-clock and peak-memory probes for benchmarks.
import Foundation

#if canImport(Glibc)
  import Glibc
#endif

/// Writing to stdout and stderr.
public enum Console {
  /// Writes `text` + newline to stdout.
  public static func out(_ text: String) {
    FileHandle.standardOutput.write(Data((text + "\n").utf8))
  }

  /// Writes `text` + newline to stderr.
  public static func log(_ text: String) {
    FileHandle.standardError.write(Data((text + "\n").utf8))
  }

  /// True when stderr is a terminal (progress bars are drawn in place).
  public static let stderrIsTerminal: Bool = isatty(2) != 0
}

/// Monotonic wall clock in seconds.
public func wallClock() -> Double {
  var ts = timespec()
  clock_gettime(CLOCK_MONOTONIC, &ts)
  return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// Peak resident memory of this process so far, in bytes (Linux ru_maxrss is in KiB).
public func peakResidentBytes() -> Int {
  var usage = rusage()
  getrusage(RUSAGE_SELF.rawValue, &usage)
  return Int(usage.ru_maxrss) * 1024
}

/// A progress reporter for long work: `step(n)` as work completes; draws a bar with ETA.
public final class ProgressBar: @unchecked Sendable {
  private let label: String
  private let total: Int
  private var done = 0
  private let start = wallClock()
  private var lastDraw = 0.0
  private let lock = NSLock()
  private let enabled: Bool

  /// - Parameter enabled: false silences it (tests, `--quiet`).
  public init(_ label: String, total: Int, enabled: Bool = true) {
    self.label = label
    self.total = max(1, total)
    self.enabled = enabled
  }

  /// Records `n` more units of finished work.
  public func step(_ n: Int = 1) {
    lock.lock()
    defer { lock.unlock() }
    done += n
    guard enabled else { return }
    let now = wallClock()
    let interval = Console.stderrIsTerminal ? 0.1 : 30
    if now - lastDraw >= interval || done >= total {
      lastDraw = now
      draw(now: now)
    }
  }

  /// Finishes the bar (a newline on terminals).
  public func finish() {
    lock.lock()
    defer { lock.unlock() }
    guard enabled else { return }
    if done < total { draw(now: wallClock()) }
    if Console.stderrIsTerminal { FileHandle.standardError.write(Data("\n".utf8)) }
  }

  private func draw(now: Double) {
    let fraction = Double(min(done, total)) / Double(total)
    let elapsed = now - start
    let eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0
    let width = 30
    let filled = Int(fraction * Double(width))
    let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
    let text =
      "\(label) [\(bar)] \(done)/\(total) \(Int(fraction * 100))% elapsed \(formatDuration(elapsed)) ETA \(formatDuration(eta))"
    if Console.stderrIsTerminal {
      FileHandle.standardError.write(Data(("\r" + text + "\u{1B}[K").utf8))
    } else {
      FileHandle.standardError.write(Data((text + "\n").utf8))
    }
  }
}

/// "1m05s", "12.3s".
public func formatDuration(_ seconds: Double) -> String {
  if seconds < 60 { return String(format: "%.1fs", seconds) }
  let s = Int(seconds.rounded())
  if s < 3600 { return "\(s / 60)m\(String(format: "%02d", s % 60))s" }
  return "\(s / 3600)h\(String(format: "%02d", (s % 3600) / 60))m"
}

/// "1.23 GB" style (decimal units).
public func formatBytes(_ bytes: Int) -> String {
  let b = Double(bytes)
  if b >= 1e9 { return String(format: "%.2f GB", b / 1e9) }
  if b >= 1e6 { return String(format: "%.1f MB", b / 1e6) }
  if b >= 1e3 { return String(format: "%.1f kB", b / 1e3) }
  return "\(bytes) B"
}
