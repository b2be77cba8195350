// The capability behind the lab's riskiest shortcut: a model that takes the collective's
// rewrites as an exact update (no retraining) and says which tracks' scores changed, so that
// only the test contexts that can have a different list are recomputed. The lab reaches it
// through this protocol only; a model without it is simply retrained per run.
import ChorusCore

/// A recommender that can be updated exactly from rewritten playlists.
public protocol IncrementalRecommender: Recommender {
  /// The model as if retrained after replacing playlist `old[i]` by `new[i]` for every i
  /// (`trackCount` may grow by the new target track), and the tracks whose scoring changed.
  func updating(old: PlaylistStore, new: PlaylistStore, trackCount: Int) -> IncrementalUpdate
}

/// An exactly updated model and what changed.
public struct IncrementalUpdate: Sendable {
  /// The updated model.
  public let model: any Recommender
  /// Tracks whose contribution to any context's scores changed. A context that holds none of
  /// them, and whose clean list was filled entirely from scored candidates (not from the
  /// popularity fallback, which an update can reorder), keeps its list.
  public let changedTracks: Set<Int32>

  public init(model: any Recommender, changedTracks: Set<Int32>) {
    self.model = model
    self.changedTracks = changedTracks
  }

  /// The rows of `contexts` whose top-`k` list may differ from the clean one.
  /// - Parameter candidateCounts: per context, the scored candidates of the clean model
  ///   (`RecommendationRows.candidateCounts`); fewer than `k` means the fallback filled in.
  /// - Complexity: O(Σ context length).
  public func contextsToRecompute(contexts: PlaylistStore, candidateCounts: [Int], k: Int)
    -> [Int]
  {
    precondition(candidateCounts.count == contexts.count, "one count per context")
    var rows: [Int] = []
    for i in 0..<contexts.count {
      if candidateCounts[i] < k || contexts[i].contains(where: changedTracks.contains) {
        rows.append(i)
      }
    }
    return rows
  }
}

/// A recommendation table with, per row, how many scored candidates the model had.
public struct RecommendationRows: Sendable {
  public var table: RecommendationTable
  /// Per row: candidates with a score (before the popularity fallback); -1 for rows that
  /// were copied, not computed.
  public var candidateCounts: [Int]
}

extension Recommender {
  /// Top-`k` through the single-context path for the given `rows` of `contexts`, copying every
  /// other row from `base` (all rows when `rows` is nil), with each computed row's candidate
  /// count. Deterministic, in parallel chunks.
  /// - Complexity: O(Σ scoring work of `rows` + contexts × k for the copy).
  public func recommendRows(
    _ rows: [Int]? = nil, of contexts: PlaylistStore, k: Int, base: RecommendationTable? = nil
  ) -> RecommendationRows {
    precondition(k > 0, "k must be positive")
    precondition(base == nil || (base!.k == k && base!.rows == contexts.count), "base shape")
    let rows = rows ?? Array(0..<contexts.count)
    var items = base?.items ?? [Int32](repeating: -1, count: contexts.count * k)
    var candidates = [Int](repeating: -1, count: contexts.count)
    let trackCount = self.trackCount
    items.withUnsafeMutableBufferPointer { buf in
      let out = SendablePointer(buf.baseAddress!)
      let parts = Parallel.mapChunks(count: rows.count, chunkSize: 256) {
        _, range -> [(Int, Int)] in
        var acc = ScoreAccumulator(trackCount: trackCount)
        var counts: [(Int, Int)] = []
        for j in range {
          let r = rows[j]
          let row = UnsafeMutableBufferPointer(start: out.base + r * k, count: k)
          for i in 0..<k { row[i] = -1 }
          contexts.withPlaylist(r) { ctx in
            _ = recommend(ctx, k: k, acc: &acc, output: row)
          }
          counts.append((r, acc.lastCandidateCount))
        }
        return counts
      }
      for part in parts { for (r, c) in part { candidates[r] = c } }
    }
    return RecommendationRows(
      table: RecommendationTable(k: k, items: items), candidateCounts: candidates)
  }
}
