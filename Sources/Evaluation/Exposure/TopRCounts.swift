// How often songs are recommended at test time (Experiments/PROTOCOL.md §6): R(s) = number of test
// playlists with s in top_R(p), the first |G_p| recommendations. From R come the target's
// amplification, the reference cloud of ordinary songs and the externalities.
import Recommenders

/// Per-track counts of appearances in the top_R windows of a recommendation table.
public struct TopRCounts: Sendable, Equatable {
  /// Per track id: test playlists with the track in top_R. Length = trackCount.
  public let counts: [Int32]
  /// Σ_p |G_p| over the test playlists.
  public let totalTruth: Int

  /// - Parameters:
  ///   - truthLengths: |G_p| per row of `table`.
  /// - Complexity: O(Σ min(|G_p|, K)).
  /// Counts computed elsewhere (e.g. a catalogue-only slice of another table's counts).
  init(counts: [Int32], totalTruth: Int) {
    self.counts = counts
    self.totalTruth = totalTruth
  }

  public init(table: RecommendationTable, truthLengths: [Int], trackCount: Int) {
    precondition(truthLengths.count == table.rows)
    var c = [Int32](repeating: 0, count: trackCount)
    var total = 0
    for r in 0..<table.rows {
      let window = min(truthLengths[r], table.k)
      total += truthLengths[r]
      let base = r * table.k
      for i in 0..<window {
        let t = table.items[base + i]
        if t >= 0 { c[Int(t)] += 1 }
      }
    }
    counts = c
    totalTruth = total
  }
}

/// The amplification formula of the study.
public enum Amplification {
  /// [R / Σ|G|] ÷ [B / N_train]: how over-represented a song with `occurrences` training
  /// occurrences is among test recommendations. 1 = in proportion to its training share.
  ///
  /// - Parameters:
  ///   - recommendations: R(s).
  ///   - totalTruth: Σ_p |G_p|.
  ///   - occurrences: B for the target (one copy per collective playlist), f(s) otherwise.
  ///   - trainingEntries: N_train, Σ over training playlists of their distinct tracks,
  ///     before manipulation.
  public static func value(
    recommendations: Int, totalTruth: Int, occurrences: Int, trainingEntries: Int
  ) -> Double {
    guard totalTruth > 0, occurrences > 0, trainingEntries > 0 else { return .nan }
    return (Double(recommendations) / Double(totalTruth))
      / (Double(occurrences) / Double(trainingEntries))
  }
}
