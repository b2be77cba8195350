// Scalar measures of one run about the target s* (Experiments/PROTOCOL.md §6): R(s*),
// amplification, success rates (all test playlists; those whose seed holds a targeted anchor; those
// whose clean recommendations hold one) and the rank of s* where it is recommended.
import ChorusCore
import PlaylistData
import Recommenders

/// What one collective achieved for s* on one fold.
public struct TargetMeasures: Sendable, Codable, Equatable {
  /// R(s*): test playlists with s* in top_R.
  public var recommendations: Int
  public var amplification: Double
  /// R(s*) / number of test playlists.
  public var successAll: Double
  /// Among test playlists whose seed holds an anchor: share with s* in top_R (NaN if none).
  public var successSeedAnchor: Double
  /// Test playlists whose seed holds an anchor.
  public var seedAnchorPlaylists: Int
  /// Among test playlists whose clean K-list holds an anchor: share with s* in top_R.
  public var successCleanAnchor: Double
  public var cleanAnchorPlaylists: Int
  /// Test playlists with s* anywhere in the K-list.
  public var inList: Int
  /// Mean and median 1-based rank of s* where it is in the K-list (NaN if nowhere).
  public var meanRank: Double
  public var medianRank: Double

  /// - Parameters:
  ///   - anchors: per track id, true for the anchors the strategy aimed at (the song before
  ///     s* for DirLoF-like strategies, after it for InClust-like ones; see `PlantEdit.targeted`).
  public init(
    target: Int32, manipulated: RecommendationTable, clean: RecommendationTable,
    truthLengths: [Int],
    seeds: PlaylistStore, anchors: [Bool], budget: Int, trainingEntries: Int
  ) {
    let n = manipulated.rows
    var r = 0
    var total = 0
    var seedAnchor = 0
    var seedAnchorHit = 0
    var cleanAnchor = 0
    var cleanAnchorHit = 0
    var ranks: [Int] = []
    func isAnchor(_ t: Int32) -> Bool { t >= 0 && Int(t) < anchors.count && anchors[Int(t)] }
    for p in 0..<n {
      total += truthLengths[p]
      let row = manipulated[p]
      let window = min(truthLengths[p], manipulated.k)
      var hit = false
      for (i, t) in row.enumerated() where t == target {
        ranks.append(i + 1)
        hit = i < window
      }
      if hit { r += 1 }
      if seeds[p].contains(where: isAnchor) {
        seedAnchor += 1
        if hit { seedAnchorHit += 1 }
      }
      if clean[p].contains(where: isAnchor) {
        cleanAnchor += 1
        if hit { cleanAnchorHit += 1 }
      }
    }
    recommendations = r
    amplification = Amplification.value(
      recommendations: r, totalTruth: total, occurrences: budget, trainingEntries: trainingEntries)
    successAll = n > 0 ? Double(r) / Double(n) : .nan
    seedAnchorPlaylists = seedAnchor
    successSeedAnchor = seedAnchor > 0 ? Double(seedAnchorHit) / Double(seedAnchor) : .nan
    cleanAnchorPlaylists = cleanAnchor
    successCleanAnchor = cleanAnchor > 0 ? Double(cleanAnchorHit) / Double(cleanAnchor) : .nan
    inList = ranks.count
    if ranks.isEmpty {
      meanRank = .nan
      medianRank = .nan
    } else {
      meanRank = Double(ranks.reduce(0, +)) / Double(ranks.count)
      let s = ranks.sorted()
      medianRank =
        s.count % 2 == 1 ? Double(s[s.count / 2]) : Double(s[s.count / 2 - 1] + s[s.count / 2]) / 2
    }
  }
}
