// How good the collective's estimate is (Experiments/PROTOCOL.md §4): Spearman rank correlation
// with the true training frequencies over the tracks of the collective's playlists, and the true
// frequencies of the anchors the strategy actually chose. A report only; it changes nothing.
import ChorusCore

/// Summary of the true training frequencies of a set of anchors (one value per edit, so an
/// anchor chosen by several playlists counts several times).
public struct AnchorFrequencies: Sendable, Equatable, Codable {
  /// Number of edits with such an anchor.
  public var count: Int
  /// Mean true frequency; nil when `count` is 0.
  public var mean: Double?
  /// Median true frequency (mean of the middle two for an even count); nil when empty.
  public var median: Double?
  /// Smallest true frequency; nil when empty.
  public var min: Int?
  /// Largest true frequency; nil when empty.
  public var max: Int?

  /// Summarises `values`.
  /// - Complexity: O(n log n).
  public init(_ values: [Int32]) {
    count = values.count
    guard !values.isEmpty else { return }
    let sorted = values.sorted()
    mean = Double(values.reduce(0) { $0 + Int($1) }) / Double(values.count)
    let mid = sorted.count / 2
    median =
      sorted.count % 2 == 1
      ? Double(sorted[mid]) : (Double(sorted[mid - 1]) + Double(sorted[mid])) / 2
    min = Int(sorted.first!)
    max = Int(sorted.last!)
  }
}

/// The quality of a frequency estimate, seen from one collective.
public struct EstimateQuality: Sendable, Equatable, Codable {
  /// Distinct tracks in the collective's (original) playlists.
  public var tracks: Int
  /// Of those, how many have a known estimate.
  public var knownTracks: Int
  /// Spearman rank correlation (average ranks for ties) between estimate and truth over the
  /// known tracks; nil when fewer than two or when either side is constant.
  public var spearman: Double?
  /// True frequencies of the direct anchors (song before s*).
  public var directAnchors: AnchorFrequencies
  /// True frequencies of the indirect anchors (song after s*).
  public var indirectAnchors: AnchorFrequencies

  /// Scores `statistics` against `trueCounts` on the collective's playlists of `store`, and
  /// the anchors of `edits`.
  /// - Complexity: O(entries of the collective + n log n) for n distinct tracks.
  public static func evaluate(
    statistics: FrequencyEstimate, trueCounts: [Int32], store: PlaylistStore,
    collective: ArraySlice<Int>, edits: [PlantEdit]
  ) -> EstimateQuality {
    precondition(statistics.trackCount == trueCounts.count, "statistics and truth disagree")
    var seen = [Bool](repeating: false, count: trueCounts.count)
    var distinct: [Int32] = []
    for p in collective {
      store.withPlaylist(p) { tracks in
        for t in tracks where !seen[Int(t)] {
          seen[Int(t)] = true
          distinct.append(t)
        }
      }
    }
    var estimated: [Double] = []
    var truth: [Double] = []
    for t in distinct {
      let e = statistics.estimates[Int(t)]
      if e.isNaN { continue }
      estimated.append(e)
      truth.append(Double(trueCounts[Int(t)]))
    }
    let direct = edits.compactMap { $0.directAnchor >= 0 ? trueCounts[Int($0.directAnchor)] : nil }
    let indirect = edits.compactMap {
      $0.indirectAnchor >= 0 ? trueCounts[Int($0.indirectAnchor)] : nil
    }
    return EstimateQuality(
      tracks: distinct.count, knownTracks: estimated.count,
      spearman: RankCorrelation.spearman(estimated, truth),
      directAnchors: AnchorFrequencies(direct), indirectAnchors: AnchorFrequencies(indirect))
  }
}

/// Rank statistics.
public enum RankCorrelation {
  /// 1-based ranks of `values`, ties sharing the average of their ranks.
  /// - Complexity: O(n log n).
  public static func averageRanks(_ values: [Double]) -> [Double] {
    let order = values.indices.sorted { values[$0] < values[$1] }
    var ranks = [Double](repeating: 0, count: values.count)
    var i = 0
    while i < order.count {
      var j = i
      while j + 1 < order.count && values[order[j + 1]] == values[order[i]] { j += 1 }
      let average = Double(i + j) / 2 + 1
      for k in i...j { ranks[order[k]] = average }
      i = j + 1
    }
    return ranks
  }

  /// Spearman's ρ: the Pearson correlation of the average ranks of `x` and `y`. nil when
  /// fewer than two pairs or when either side is constant. The inputs must hold no NaN.
  /// - Complexity: O(n log n).
  public static func spearman(_ x: [Double], _ y: [Double]) -> Double? {
    precondition(x.count == y.count, "spearman needs paired values")
    guard x.count >= 2 else { return nil }
    return pearson(averageRanks(x), averageRanks(y))
  }

  /// Pearson's r; nil when either side has zero variance.
  /// - Complexity: O(n).
  public static func pearson(_ x: [Double], _ y: [Double]) -> Double? {
    let n = Double(x.count)
    let mx = x.reduce(0, +) / n
    let my = y.reduce(0, +) / n
    var sxy = 0.0
    var sxx = 0.0
    var syy = 0.0
    for i in x.indices {
      let dx = x[i] - mx
      let dy = y[i] - my
      sxy += dx * dy
      sxx += dx * dx
      syy += dy * dy
    }
    guard sxx > 0, syy > 0 else { return nil }
    return sxy / (sxx * syy).squareRoot()
  }
}
