// How a measured mean with its 95% confidence interval is written in prose and tables: values
// that are zero up to floating-point noise print as 0, one fold prints "(1 fold, no CI)"
// instead of a fake "± 0", a value that is not a number prints "n/a", and counts agree with their nouns ("1 playlist"). Only formatting: it never
// decides what a number means (StrategyComparison does).
import Foundation

/// A mean over folds with the half-width of its 95% confidence interval.
public struct MeasuredValue: Sendable, Equatable {
  /// The mean over folds.
  public var mean: Double
  /// Half-width of the 95% CI (1.96 · SE); NaN or nil-like when unknown.
  public var halfWidth: Double
  /// Number of folds the mean is over; with fewer than 2 there is no interval.
  public var folds: Int

  public init(mean: Double, halfWidth: Double, folds: Int) {
    self.mean = mean
    self.halfWidth = halfWidth
    self.folds = folds
  }

  /// Magnitudes below this are floating-point noise of sums of ±1 terms (e.g. −2.8e−17), not
  /// measurements; every measure the lab reports is either 0 or far above it.
  public static let noiseFloor = 1e-12

  /// True when the CI is known (two or more folds and a finite half-width).
  public var hasInterval: Bool { folds >= 2 && halfWidth.isFinite }
  /// Lower end of the CI (the mean itself without an interval).
  public var lower: Double { hasInterval ? mean - halfWidth : mean }
  /// Upper end of the CI (the mean itself without an interval).
  public var upper: Double { hasInterval ? mean + halfWidth : mean }
  /// True when the mean and the interval are both zero up to noise.
  public var isExactlyZero: Bool {
    abs(mean) < Self.noiseFloor && (!hasInterval || abs(halfWidth) < Self.noiseFloor)
  }

  /// `12.3 ± 4.56`, `0 ± 1.2e-05`, `12.3 (1 fold, no CI)`, `0 (every fold)`, or `n/a` for NaN.
  public func formatted(digits: Int = 3) -> String {
    guard mean.isFinite else { return "n/a" }
    if isExactlyZero { return folds >= 2 ? "0 (every fold)" : "0 (1 fold, no CI)" }
    let m = Self.number(mean, digits: digits)
    guard hasInterval else { return "\(m) (1 fold, no CI)" }
    return "\(m) ± \(Self.number(halfWidth, digits: digits))"
  }

  /// A number with `digits` significant digits; noise-sized values print as 0.
  public static func number(_ v: Double, digits: Int = 3) -> String {
    guard v.isFinite else { return "n/a" }
    if abs(v) < noiseFloor { return "0" }
    return String(format: "%.\(digits)g", v)
  }
}

/// `count` with its noun in the right number: "1 playlist", "10 playlists", "1.5 playlists".
public func counted(_ count: Double, _ noun: String, plural: String? = nil) -> String {
  let text =
    count == count.rounded() && abs(count) < 1e15
    ? String(Int(count)) : MeasuredValue.number(count)
  return "\(text) \(count == 1 ? noun : (plural ?? noun + "s"))"
}
