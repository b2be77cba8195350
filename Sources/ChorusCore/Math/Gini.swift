// The Gini coefficient, in one place: the dataset statistics (artist concentration of a
// catalogue) and the evaluation (concentration of recommendations per artist) both call it.

/// Gini coefficient of non-negative amounts.
public enum Gini {
  /// Σ (2i − n − 1) x_i / (n Σ x), i = 1…n, over `x` sorted ascending; 0 when `x` is empty
  /// or sums to 0. In [0, 1): 0 means equal shares.
  /// - Complexity: O(n).
  public static func coefficient(sortedAscending x: [Double]) -> Double {
    let n = x.count
    let total = x.reduce(0, +)
    guard n > 0, total > 0 else { return 0 }
    var weighted = 0.0
    for (i, v) in x.enumerated() { weighted += Double(2 * (i + 1) - n - 1) * v }
    return weighted / (Double(n) * total)
  }
}
