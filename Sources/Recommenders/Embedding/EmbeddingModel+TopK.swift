// Batch top-K for the embedding model: contexts in fixed chunks of 64 run on all cores; each
// chunk scores its queries block by block over the norm-ordered output vectors and stops a
// query as soon as no remaining track can enter its top K. Exact: it equals the plain twin
// (every candidate scored, all sorted) and the single-context path, on any thread count.
import ChorusCore

/// Work done by a batch search (for benchmarks: how much the norm bound pruned).
public struct EmbeddingSearchStats: Sendable, Equatable {
  /// (context, track) scores computed.
  public var scored = 0
  /// (context, track) scores an exhaustive search computes: contexts with a query ×
  /// candidates.
  public var exhaustive = 0

  /// No work yet.
  public init() {}

  /// Fraction of the exhaustive work done (1 when nothing was pruned).
  public var fraction: Double { exhaustive == 0 ? 0 : Double(scored) / Double(exhaustive) }
}

extension EmbeddingModel {
  /// Contexts per parallel chunk (and per shared scan of the output vectors).
  static let searchChunk = 64

  /// Top-`k` for every context of `contexts`, exact, in parallel, deterministic.
  /// - Complexity: O(contexts × visited × dim), visited ≤ candidates; see `recommendAllMeasured`.
  public func recommendAll(_ contexts: PlaylistStore, k: Int, progress: ProgressBar?)
    -> RecommendationTable
  {
    recommendAllMeasured(contexts, k: k, progress: progress).table
  }

  /// `recommendAll` plus the amount of scoring work the norm bound left to do.
  /// - Complexity: O(contexts × visited × dim + contexts × k log k).
  /// Scores are computed at `level` (the current kernel level by default); the result equals
  /// `recommendPlain` at the same level.
  public func recommendAllMeasured(
    _ contexts: PlaylistStore, k: Int, progress: ProgressBar? = nil,
    level: KernelLevel = .current
  ) -> (table: RecommendationTable, stats: EmbeddingSearchStats) {
    precondition(k > 0, "k must be positive")
    let level = min(level, KernelLevel.supported)
    let n = contexts.count
    var items = [Int32](repeating: -1, count: n * k)
    let chunkStats: [EmbeddingSearchStats] = items.withUnsafeMutableBufferPointer { buf in
      let base = SendablePointer(buf.baseAddress!)
      return Parallel.mapChunks(count: n, chunkSize: EmbeddingModel.searchChunk) { _, range in
        let s = searchChunk(contexts, rows: range, k: k, level: level, output: base.base)
        progress?.step(range.count)
        return s
      }
    }
    var stats = EmbeddingSearchStats()
    for s in chunkStats {
      stats.scored += s.scored
      stats.exhaustive += s.exhaustive
    }
    return (RecommendationTable(k: k, items: items), stats)
  }

  /// Searches the contexts `rows` and writes their rows of `output` (row-major, × k).
  private func searchChunk(
    _ contexts: PlaylistStore, rows: Range<Int>, k: Int, level: KernelLevel,
    output: UnsafeMutablePointer<Int32>
  ) -> EmbeddingSearchStats {
    index.searchRows(
      contexts, rows: rows, k: k, level: level, trackCount: trackCount,
      fallbackOrder: fallbackOrder, output: output
    ) { context, query in makeQuery(context, into: query) }
  }

  /// The plain twin of the batch path: scores every candidate with the plain dot product,
  /// sorts them all (score descending, then id) and takes k; the popularity order when the
  /// context has no known track.
  /// Scores at `level` (the current kernel level by default), as `recommendAll` does.
  /// - Complexity: O(candidates × (dim + log candidates)).
  public func recommendPlain(_ context: [Int32], k: Int, level: KernelLevel = .current)
    -> [Int32]
  {
    let level = min(level, KernelLevel.supported)
    guard let q = contextVector(context) else {
      return Array(fallbackOrder.filter { !context.contains($0) }.prefix(k))
    }
    let seeds = Set(context)
    var candidates: [(Float, Int32)] = []
    q.withUnsafeBufferPointer { qb in
      index.panels.withUnsafeBufferPointer { panels in
        for p in 0..<index.candidateCount where !seeds.contains(index.order[p]) {
          let s = EmbeddingSearchKernel.scalarDot(
            query: qb.baseAddress!, panels: panels.baseAddress!, position: p, dim: dim,
            level: level)
          candidates.append((s, index.order[p]))
        }
      }
    }
    candidates.sort { TopK.ranksBefore($0.0, $0.1, $1.0, $1.1) }
    return candidates.prefix(k).map(\.1)
  }
}

extension EmbeddingIndex {
  /// Adds the exact dot product of `query` (dim floats) with every candidate into `acc`:
  /// the single-context path of every model that scores against these vectors, with the
  /// same bits as the batch search at the current kernel level.
  /// - Complexity: O(candidates × dim).
  func scoreAll(query: UnsafePointer<Float>, into acc: inout ScoreAccumulator) {
    let dim = self.dim
    panels.withUnsafeBufferPointer { panels in
      order.withUnsafeBufferPointer { order in
        for p in 0..<candidateCount {
          let s = EmbeddingSearchKernel.scalarDot(
            query: query, panels: panels.baseAddress!, position: p, dim: dim)
          acc.add(order[p], s)
        }
      }
    }
  }

  /// Exact top-`k` for the contexts `rows` of `contexts` over this index, written into their
  /// rows of `output` (row-major, × k): one query per context from `makeQuery` (false: the
  /// context has no known track, and gets the first k `fallbackOrder` tracks not in it),
  /// the context's own tracks skipped. Shared by every model that scores by a dot product
  /// with these vectors (SGNS, ALS, the sequence models).
  func searchRows(
    _ contexts: PlaylistStore, rows: Range<Int>, k: Int, level: KernelLevel, trackCount: Int,
    fallbackOrder: [Int32], output: UnsafeMutablePointer<Int32>,
    makeQuery: (UnsafeBufferPointer<Int32>, UnsafeMutablePointer<Float>) -> Bool
  ) -> EmbeddingSearchStats {
    let dim = self.dim
    let index = self
    let scratch = SearchScratch(queries: rows.count, dim: dim, k: k)
    var hasQuery = [Bool](repeating: false, count: rows.count)
    var seedOffsets = [Int](repeating: 0, count: rows.count + 1)
    var seedPositions: [Int32] = []
    for (i, r) in rows.enumerated() {
      let q = scratch.queries + i * dim
      hasQuery[i] = contexts.withPlaylist(r) { makeQuery($0, q) }
      scratch.live[i] = hasQuery[i]
      var s: Float = 0
      for d in 0..<dim { s += q[d] * q[d] }
      scratch.norms[i] = s.squareRoot()
      let start = seedPositions.count
      for t in contexts[r] where t >= 0 && Int(t) < trackCount {
        let p = index.position[Int(t)]
        if Int(p) < index.candidateCount { seedPositions.append(p) }
      }
      seedPositions[start...].sort()
      seedOffsets[i + 1] = seedPositions.count
    }
    var stats = EmbeddingSearchStats()
    stats.exhaustive = hasQuery.reduce(0) { $0 + ($1 ? 1 : 0) } * index.candidateCount
    stats.scored = seedPositions.withUnsafeBufferPointer { sp in
      seedOffsets.withUnsafeBufferPointer { so in
        index.panels.withUnsafeBufferPointer { panels in
          index.norms.withUnsafeBufferPointer { vn in
            index.order.withUnsafeBufferPointer { order in
              EmbeddingSearchKernel.search(
                scratch.buffers(
                  seedPositions: sp.baseAddress ?? UnsafePointer(scratch.emptySeeds),
                  seedOffsets: so.baseAddress!),
                .init(
                  panels: panels.baseAddress!, norms: vn.baseAddress!, order: order.baseAddress!,
                  candidateCount: index.candidateCount, dim: dim),
                k: k, level: level)
            }
          }
        }
      }
    }
    // Drain the heaps; contexts without a known track get the popularity order.
    for (i, r) in rows.enumerated() {
      let out = output + r * k
      if hasQuery[i] {
        _ = TopK.drain(
          heapScores: scratch.heapScores + i * k, heapIDs: scratch.heapIDs + i * k,
          size: scratch.sizes[i], output: out)
      } else {
        var n = 0
        let context = contexts[r]
        for t in fallbackOrder where n < k {
          if !context.contains(t) {
            out[n] = t
            n += 1
          }
        }
      }
    }
    return stats
  }
}

/// Scratch of one search chunk: queries, heaps and kernel buffers, freed on release.
private final class SearchScratch {
  let count: Int
  let queries: UnsafeMutablePointer<Float>
  let norms: UnsafeMutablePointer<Float>
  let live: UnsafeMutablePointer<Bool>
  let heapScores: UnsafeMutablePointer<Float>
  let heapIDs: UnsafeMutablePointer<Int32>
  let sizes: UnsafeMutablePointer<Int>
  let splats: UnsafeMutablePointer<SIMD8<Float>>
  let scores: UnsafeMutablePointer<Float>
  let active: UnsafeMutablePointer<Int>
  let cursors: UnsafeMutablePointer<Int>
  let rows: UnsafeMutablePointer<UnsafePointer<Float>?>
  let emptySeeds: UnsafeMutablePointer<Int32>

  init(queries q: Int, dim: Int, k: Int) {
    count = q
    queries = .allocate(capacity: q * dim)
    queries.initialize(repeating: 0, count: q * dim)
    norms = .allocate(capacity: q)
    norms.initialize(repeating: 0, count: q)
    live = .allocate(capacity: q)
    live.initialize(repeating: false, count: q)
    heapScores = .allocate(capacity: q * k)
    heapIDs = .allocate(capacity: q * k)
    sizes = .allocate(capacity: q)
    sizes.initialize(repeating: 0, count: q)
    splats = .allocate(capacity: (q + 1) * dim)
    scores = .allocate(capacity: max(4, q) * EmbeddingSearchKernel.blockTracks)
    active = .allocate(capacity: q)
    cursors = .allocate(capacity: q)
    rows = .allocate(capacity: max(1, q))
    emptySeeds = .allocate(capacity: 1)
  }

  deinit {
    splats.deallocate()
    for p in [queries, norms, scores, heapScores] as [UnsafeMutablePointer<Float>] {
      p.deallocate()
    }
    live.deallocate()
    heapIDs.deallocate()
    sizes.deallocate()
    active.deallocate()
    cursors.deallocate()
    rows.deallocate()
    emptySeeds.deallocate()
  }

  func buffers(seedPositions: UnsafePointer<Int32>, seedOffsets: UnsafePointer<Int>)
    -> EmbeddingSearchKernel.Buffers
  {
    EmbeddingSearchKernel.Buffers(
      splats: splats, queries: queries, queryNorms: norms, live: live, queryCount: count,
      seedPositions: seedPositions, seedOffsets: seedOffsets, heapScores: heapScores,
      heapIDs: heapIDs, heapSizes: sizes, scores: scores, active: active,
      cursors: cursors, rows: rows)
  }
}
