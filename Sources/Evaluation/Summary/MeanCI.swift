// Mean ± 95% confidence interval (1.96 · standard error), the one summary every figure and table in
// the lab uses (Experiments/PROTOCOL.md §6): over folds for run-level measures, over songs for
// per-song measures.

/// A sample mean with its 95% confidence half-width.
public struct MeanCI: Sendable, Codable, Equatable {
  public var mean: Double
  /// 1.96 · s / √n with the sample standard deviation s (n − 1); 0 when n < 2.
  public var halfWidth: Double
  public var count: Int

  public init(mean: Double, halfWidth: Double, count: Int) {
    self.mean = mean
    self.halfWidth = halfWidth
    self.count = count
  }

  /// Mean and 95% CI of `values` (NaN-free). Empty input gives NaN mean.
  public init<S: Sequence>(_ values: S) where S.Element == Double {
    var n = 0
    var sum = 0.0
    var sumSq = 0.0
    // Two-pass for accuracy: mean first, then squared deviations.
    let xs = Array(values)
    for x in xs {
      n += 1
      sum += x
    }
    let mean = n > 0 ? sum / Double(n) : .nan
    for x in xs { sumSq += (x - mean) * (x - mean) }
    self.mean = mean
    count = n
    halfWidth = n > 1 ? 1.96 * (sumSq / Double(n - 1)).squareRoot() / Double(n).squareRoot() : 0
  }

  public var lower: Double { mean - halfWidth }
  public var upper: Double { mean + halfWidth }
}
