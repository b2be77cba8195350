// How well suspicion scores find a known collective: ROC AUC over all playlists, and precision,
// recall and false-positive rate when the platform flags a fixed share of its playlists (the
// most suspicious first) or every playlist above a threshold it set without the labels (on
// data from before the collective acted). It never sees the labels; the realised
// false-positive rate is reported.

/// Detection quality of one score vector against the known collective.
public struct DetectionMetrics: Sendable, Hashable, Codable {
  /// Playlists scored.
  public let playlists: Int
  /// Collective (planted) playlists among them.
  public let planted: Int
  /// Probability that a random planted playlist scores above a random honest one (ties count
  /// one half): the Mann–Whitney form of the ROC AUC. nil without both kinds of playlist.
  public let rocAUC: Double?
  /// Playlists flagged (the `flagged` most suspicious).
  public let flagged: Int
  /// Planted playlists among the flagged.
  public let truePositives: Int

  /// Planted share of the flagged; nil when nothing is flagged.
  public var precision: Double? {
    flagged == 0 ? nil : Double(truePositives) / Double(flagged)
  }
  /// Share of the collective flagged; nil without a collective.
  public var recall: Double? { planted == 0 ? nil : Double(truePositives) / Double(planted) }
  /// Share of honest playlists flagged; nil without honest playlists.
  public var falsePositiveRate: Double? {
    let honest = playlists - planted
    return honest == 0 ? nil : Double(flagged - truePositives) / Double(honest)
  }

  /// - Parameters:
  ///   - scores: per playlist, larger is more suspicious.
  ///   - isPlanted: per playlist, whether it belongs to the collective.
  ///   - flagRate: the share of playlists to flag, in [0, 1]; ⌈rate · count⌉ are flagged.
  /// - Precondition: equal lengths; `flagRate` in [0, 1].
  public init(scores: [Double], isPlanted: [Bool], flagRate: Double) {
    self.init(
      scores: scores, isPlanted: isPlanted,
      flags: Self.flagMostSuspicious(scores: scores, rate: flagRate))
  }

  /// The metrics of given flags (e.g. every score above a calibrated threshold).
  /// - Precondition: equal lengths.
  public init(scores: [Double], isPlanted: [Bool], flags: [Bool]) {
    precondition(scores.count == isPlanted.count, "one label per score")
    precondition(flags.count == scores.count, "one flag per score")
    playlists = scores.count
    planted = isPlanted.lazy.filter { $0 }.count
    rocAUC = Self.rocAUC(scores: scores, isPlanted: isPlanted)
    flagged = flags.lazy.filter { $0 }.count
    truePositives = zip(flags, isPlanted).lazy.filter { $0 && $1 }.count
  }

  /// The threshold a platform sets on scores of data it knows to be honest (e.g. from before a
  /// collective acted) for a false-positive rate q: the (⌊q · n⌋ + 1)-th highest of the n
  /// scores. Strictly above it lie at most ⌊q · n⌋ of them, so flagging "score > threshold"
  /// flags at most a share q of such data (fewer when scores tie at the threshold). +∞ without
  /// scores.
  /// - Precondition: q in [0, 1).
  /// - Complexity: O(n log n).
  public static func threshold(cleanScores: [Double], falsePositiveRate q: Double) -> Double {
    precondition(q >= 0 && q < 1, "a false-positive rate must be in [0, 1)")
    guard !cleanScores.isEmpty else { return .infinity }
    // ⌊q · n⌋ as the user means it: q · n in binary floating point can fall a hair below an
    // integer it equals in decimals (0.29 · 100 = 28.999999999999996), which would flag one
    // playlist fewer than the rule says.
    let x = q * Double(cleanScores.count)
    var k = Int(x.rounded(.down))
    if Double(k + 1) - x <= 1e-9 * max(1, x) { k += 1 }
    return cleanScores.sorted(by: >)[min(k, cleanScores.count - 1)]
  }

  /// Flags the ⌈rate · count⌉ highest scores; ties are broken towards the lower playlist index,
  /// so the result is deterministic.
  /// - Precondition: `rate` in [0, 1].
  /// - Complexity: O(n log n).
  public static func flagMostSuspicious(scores: [Double], rate: Double) -> [Bool] {
    precondition(rate >= 0 && rate <= 1, "flag rate must be in [0, 1]")
    let n = scores.count
    let count = Swift.min(n, Int((rate * Double(n)).rounded(.up)))
    let order = scores.indices.sorted { a, b in
      scores[a] != scores[b] ? scores[a] > scores[b] : a < b
    }
    var flags = [Bool](repeating: false, count: n)
    for i in order.prefix(count) { flags[i] = true }
    return flags
  }

  /// The ROC AUC by ranks (average ranks for ties): (Σ ranks of planted − P(P+1)/2) / (P·H).
  /// - Complexity: O(n log n).
  public static func rocAUC(scores: [Double], isPlanted: [Bool]) -> Double? {
    precondition(scores.count == isPlanted.count)
    let positives = isPlanted.lazy.filter { $0 }.count
    let negatives = scores.count - positives
    guard positives > 0, negatives > 0 else { return nil }
    let order = scores.indices.sorted { scores[$0] < scores[$1] }
    var rankSum = 0.0
    var i = 0
    while i < order.count {
      var j = i
      while j + 1 < order.count && scores[order[j + 1]] == scores[order[i]] { j += 1 }
      // Positions i...j (0-based) share the average 1-based rank.
      let rank = Double(i + j + 2) / 2
      for r in i...j where isPlanted[order[r]] { rankSum += rank }
      i = j + 1
    }
    let p = Double(positives)
    return (rankSum - p * (p + 1) / 2) / (p * Double(negatives))
  }
}
