// Concentration of recommendations across artists (Experiments/PROTOCOL.md §6): the Lorenz curve
// (cumulative share of recommendations held by the poorest x% of artists) and the Gini
// coefficient. The study finds about 10% of artists receive about 80% of recommendations.
import ChorusCore

/// Lorenz curve and Gini of a non-negative distribution.
public struct Concentration: Sendable, Codable, Equatable {
  /// Gini coefficient in [0, 1): 0 = equal shares.
  public var gini: Double
  /// Points (population share, cumulative value share), from (0, 0) to (1, 1): a grid of
  /// `points` steps plus the points where the top `headShares` of holders begin.
  public var curve: [LorenzPoint]
  /// Share of the total held by the top 10% of holders.
  public var top10Share: Double

  /// Shares of the richest holders at which the curve is always sampled (besides the grid).
  public static let headShares = [
    0.2, 0.1, 0.05, 0.02, 0.01, 0.005, 0.002, 0.001, 0.0005, 0.0002, 0.0001, 0.00001,
  ]

  /// - Parameters:
  ///   - values: one non-negative amount per holder (e.g. recommendations per artist),
  ///     including zeros for holders with nothing.
  ///   - points: resolution of the stored curve.
  /// - Complexity: O(n log n).
  public init(_ values: [Double], points: Int = 100) {
    let sorted = values.sorted()
    let n = sorted.count
    let total = sorted.reduce(0, +)
    guard n > 0, total > 0 else {
      gini = 0
      curve = [LorenzPoint(population: 0, share: 0), LorenzPoint(population: 1, share: 1)]
      top10Share = n > 0 ? 0.1 : 0
      return
    }
    gini = Gini.coefficient(sortedAscending: sorted)
    var cumulative = [0.0]
    cumulative.reserveCapacity(n + 1)
    var running = 0.0
    for x in sorted {
      running += x
      cumulative.append(running)
    }
    // A uniform grid, plus points ever closer to the top (the richest 1%, 0.1%, … of
    // holders), where a long-tailed distribution keeps almost all of its mass.
    var indices = Set<Int>()
    let steps = min(points, n)
    for s in 0...steps { indices.insert(Int((Double(s) / Double(steps) * Double(n)).rounded())) }
    for top in Concentration.headShares { indices.insert(Int(((1 - top) * Double(n)).rounded())) }
    curve = indices.sorted().map { i in
      LorenzPoint(population: Double(i) / Double(n), share: cumulative[i] / total)
    }
    let bottom90 = Int((0.9 * Double(n)).rounded(.down))
    top10Share = 1 - cumulative[bottom90] / total
  }
}

/// One point of a Lorenz curve.
public struct LorenzPoint: Sendable, Codable, Equatable {
  /// Share of holders (poorest first), 0…1.
  public var population: Double
  /// Share of the total they hold, 0…1.
  public var share: Double
}
