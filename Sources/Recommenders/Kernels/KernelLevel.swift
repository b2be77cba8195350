// Which vector kernels run: portable (plain in-order sums of rounded products, the same bits
// on every machine), AVX2+FMA or AVX-512 (one fused multiply-add chain per output; the two
// give the same bits as each other). Chosen once per process from the CPU's features and the
// CHORUS_KERNELS environment variable; `force` lowers it (e.g. to reproduce another
// machine's bits) and `withLevel` scopes a level to one task, as tests need.
import ChorusCSupport
import ChorusCore
import Foundation

/// A kernel level; later cases need more of the CPU.
public enum KernelLevel: Int, Sendable, Comparable, CaseIterable, CustomStringConvertible {
  /// Plain code every CPU runs; the reference bits (unchanged from before vector kernels).
  case portable = 0
  /// x86-64 AVX2 and FMA, 8 lanes.
  case avx2 = 1
  /// x86-64 AVX-512 (F, VL, DQ), 16 lanes; same bits as `avx2`.
  case avx512 = 2

  @TaskLocal private static var override: KernelLevel? = nil

  /// The name used by CHORUS_KERNELS, manifests and reports: portable, avx2, avx512.
  public var description: String {
    switch self {
    case .portable: "portable"
    case .avx2: "avx2"
    case .avx512: "avx512"
    }
  }

  /// Whether this level computes fused multiply-adds (every level but `portable`).
  public var isFused: Bool { self != .portable }

  public static func < (a: KernelLevel, b: KernelLevel) -> Bool { a.rawValue < b.rawValue }

  /// The best level this CPU runs (`portable` on arm64 and on x86-64 without AVX2+FMA).
  public static var supported: KernelLevel {
    KernelLevel(rawValue: Int(chorus_kernels_supported())) ?? .portable
  }

  /// The level kernels use now: the task's `withLevel` level when one is set, else the
  /// process-wide level (the supported one, lowered by CHORUS_KERNELS or `force`). Read it
  /// once per operation and pass it down: worker threads do not see task-local levels.
  public static var current: KernelLevel {
    if let l = override { return l }
    return KernelLevel(rawValue: Int(chorus_kernels_level())) ?? .portable
  }

  /// Sets the process-wide level, clamped to `supported` (asking for AVX-512 on a CPU
  /// without it gives the best level it has); returns the level in effect.
  /// `force(.portable)` reproduces the bits of any other machine.
  @discardableResult
  public static func force(_ level: KernelLevel) -> KernelLevel {
    KernelLevel(rawValue: Int(chorus_kernels_set_level(Int32(level.rawValue)))) ?? .portable
  }

  /// Runs `body` with `level` (clamped to `supported`) for every kernel call made from this
  /// task, whatever other tasks set.
  public static func withLevel<T>(_ level: KernelLevel, _ body: () throws -> T) rethrows -> T {
    try $override.withValue(min(level, supported)) { try body() }
  }

  /// Parses a level name (portable, avx2, avx512; "auto" is nil: the supported level).
  /// - Throws: `ChorusError.config` naming `source` for any other name.
  public static func parse(_ name: String, source: String = "CHORUS_KERNELS") throws
    -> KernelLevel?
  {
    if name == "auto" || name.isEmpty { return nil }
    if let l = allCases.first(where: { $0.description == name }) { return l }
    throw ChorusError(
      .config, "unknown kernel level '\(name)'", field: source,
      hint: "use portable, avx2, avx512 or auto")
  }

  /// Checks CHORUS_KERNELS: the process uses the supported level when it names no level,
  /// so a front end calls this once to report the typo.
  /// - Throws: `ChorusError.config` when CHORUS_KERNELS names no level.
  public static func validateEnvironment() throws {
    if chorus_kernels_environment_level() == -2 {
      _ = try parse(ProcessInfo.processInfo.environment["CHORUS_KERNELS"] ?? "")
    }
  }
}
