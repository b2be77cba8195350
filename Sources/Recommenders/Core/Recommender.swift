// The Recommender protocol (Experiments/PROTOCOL.md §5): given a seed context (ordered tracks), the
// top K tracks, excluding the seed's tracks, ties broken by track id. Batches of contexts run on
// all cores in fixed chunks, so results never depend on the core count.
import ChorusCore

/// A trained next-track model.
public protocol Recommender: Sendable {
  /// Tracks the model can recommend: ids `0..<trackCount`.
  var trackCount: Int { get }

  /// Adds the scores of every candidate for `context` into `acc` (which starts empty, with
  /// the context tracks already excluded). Untouched tracks score below every touched one.
  func score(context: UnsafeBufferPointer<Int32>, into acc: inout ScoreAccumulator)

  /// Tracks ranked by training popularity (most frequent first, ties by id): the fill-in
  /// when fewer than K tracks have a score.
  var fallbackOrder: [Int32] { get }

  /// Top-`k` for every context of `contexts`, in parallel, deterministic. The default scores
  /// each context sparsely through `score(context:into:)` (`recommendAllBySparseScoring`); a
  /// model with a faster exact batch path (dense scoring, pruning) overrides it and must
  /// return the same lists as the single-context path.
  func recommendAll(
    _ contexts: PlaylistStore, k: Int, progress: ProgressBar?
  ) -> RecommendationTable
}

/// Contexts in CSR form (like a PlaylistStore) and their K recommendations, row-major.
public struct RecommendationTable: Sendable, Equatable {
  /// K per row.
  public let k: Int
  /// Row-major, rows × k, track ids. A row shorter than k (tiny catalogues) is padded with -1.
  public var items: [Int32]
  public var rows: Int { k == 0 ? 0 : items.count / k }

  public init(k: Int, items: [Int32]) {
    self.k = k
    self.items = items
  }

  /// Recommendations of row r.
  public subscript(r: Int) -> ArraySlice<Int32> { items[(r * k)..<((r + 1) * k)] }
}

extension Recommender {
  /// Top-`k` for one context.
  public func recommend(_ context: [Int32], k: Int) -> [Int32] {
    var acc = ScoreAccumulator(trackCount: trackCount)
    var out = [Int32](repeating: -1, count: k)
    let n = context.withUnsafeBufferPointer { c in
      out.withUnsafeMutableBufferPointer { o in recommend(c, k: k, acc: &acc, output: o) }
    }
    return Array(out.prefix(n))
  }

  /// Top-`k` for one context using caller-owned scratch; returns how many were written.
  @inline(__always)
  public func recommend(
    _ context: UnsafeBufferPointer<Int32>, k: Int, acc: inout ScoreAccumulator,
    output: UnsafeMutableBufferPointer<Int32>
  ) -> Int {
    acc.reset()
    for t in context { acc.exclude(t) }
    score(context: context, into: &acc)
    return fallbackOrder.withUnsafeBufferPointer { f in acc.topK(k: k, fallback: f, output: output)
    }
  }

  /// Top-`k` for every context of `contexts` (a CSR store), without progress reporting.
  public func recommendAll(_ contexts: PlaylistStore, k: Int) -> RecommendationTable {
    recommendAll(contexts, k: k, progress: nil)
  }

  /// The default batch path: `recommendAllBySparseScoring`.
  public func recommendAll(
    _ contexts: PlaylistStore, k: Int, progress: ProgressBar?
  ) -> RecommendationTable {
    recommendAllBySparseScoring(contexts, k: k, progress: progress)
  }

  /// Top-`k` for every context of `contexts` (a CSR store) through `score(context:into:)`,
  /// in parallel, deterministic.
  /// - Complexity: O(Σ scoring work); chunks of 64 contexts share one scratch.
  public func recommendAllBySparseScoring(
    _ contexts: PlaylistStore, k: Int, progress: ProgressBar? = nil
  ) -> RecommendationTable {
    precondition(k > 0, "k must be positive")
    let n = contexts.count
    var items = [Int32](repeating: -1, count: n * k)
    let trackCount = self.trackCount
    items.withUnsafeMutableBufferPointer { buf in
      let base = SendablePointer(buf.baseAddress!)
      Parallel.forEachChunk(count: n, chunkSize: 256) { _, range in
        var acc = ScoreAccumulator(trackCount: trackCount)
        for r in range {
          contexts.withPlaylist(r) { ctx in
            _ = recommend(
              ctx, k: k, acc: &acc,
              output: UnsafeMutableBufferPointer(start: base.base + r * k, count: k))
          }
        }
        progress?.step(range.count)
      }
    }
    return RecommendationTable(k: k, items: items)
  }
}
