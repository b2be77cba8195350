// Exact top-K of dot-product scores for a block of queries over norm-ordered output vectors.
// Tracks are visited in blocks of decreasing norm; a query stops once |q|·|v| (with a margin
// for rounding) cannot beat its K-th best. That prunes much of the catalogue when norms are
// spread out; when they are not, it is an exhaustive scan at SIMD speed. Scores are per-lane
// sequential sums over d, equal to `scalarDot` at the same kernel level bit for bit (portable:
// rounded products; AVX2/AVX-512: one FMA chain, from the C kernels): pruning never changes a
// result. Each block's scores go straight to selection while they are in cache.
import ChorusCSupport

/// Blocked, pruned top-K kernels over raw pointers.
enum EmbeddingSearchKernel {
  /// Tracks per block between pruning checks (a multiple of 16; 64 KB of panels at dim 64).
  static let blockTracks = 256
  /// Relative slack on |q|·|v|: far above the rounding error of a Float dot product.
  static let boundSlack: Float = 1.0001

  /// Raw buffers of one search: Q queries, their heaps and scratch.
  struct Buffers {
    /// Q × dim query components, each splatted to 8 lanes (filled by `search`), plus one
    /// zero row of dim for padding a group.
    var splats: UnsafeMutablePointer<SIMD8<Float>>
    /// Row-major, Q × dim query vectors.
    var queries: UnsafePointer<Float>
    /// Per query: its norm; per query: whether it has a vector at all.
    var queryNorms: UnsafePointer<Float>
    var live: UnsafeMutablePointer<Bool>
    var queryCount: Int
    /// Sorted candidate positions to skip (the seeds), CSR by query: Q + 1 offsets.
    var seedPositions: UnsafePointer<Int32>
    var seedOffsets: UnsafePointer<Int>
    /// Per query, a bounded min-heap of K (score, id): Q × k each, plus sizes.
    var heapScores: UnsafeMutablePointer<Float>
    var heapIDs: UnsafeMutablePointer<Int32>
    var heapSizes: UnsafeMutablePointer<Int>
    /// Scratch: max(4, Q) × blockTracks scores, Q active ids, Q cursors, and Q row
    /// pointers (the active queries, for the vector kernels).
    var scores: UnsafeMutablePointer<Float>
    var active: UnsafeMutablePointer<Int>
    var cursors: UnsafeMutablePointer<Int>
    var rows: UnsafeMutablePointer<UnsafePointer<Float>?>
  }

  /// The norm-ordered catalogue side of a search.
  struct Catalogue {
    var panels: UnsafePointer<Float>
    var norms: UnsafePointer<Float>
    var order: UnsafePointer<Int32>
    var candidateCount: Int
    var dim: Int
  }

  /// Fills each live query's heap with its exact top-k candidates (seeds skipped).
  /// Returns the number of (query, track) scores computed.
  ///
  /// - Complexity: O(Σ_q visited(q) × dim + insertions × log k); visited(q) is the prefix of
  ///   the norm order until |q|·|v| falls below q's k-th best score.
  static func search(_ b: Buffers, _ c: Catalogue, k: Int, level: KernelLevel) -> Int {
    let q = b.queryCount
    let dim = c.dim
    let block = blockTracks
    for i in 0..<q {
      b.heapSizes[i] = 0
      b.cursors[i] = b.seedOffsets[i]
      for d in 0..<dim { b.splats[i &* dim &+ d] = SIMD8(repeating: b.queries[i &* dim &+ d]) }
    }
    let zeroSplats = b.splats + q &* dim
    zeroSplats.update(repeating: SIMD8<Float>(), count: dim)
    var scored = 0
    var start = 0
    while start < c.candidateCount {
      let end = min(c.candidateCount, start &+ block)
      let bound = c.norms[start] * boundSlack
      var activeCount = 0
      for i in 0..<q where b.live[i] {
        if b.heapSizes[i] == k && b.queryNorms[i] * bound < b.heapScores[i &* k] {
          b.live[i] = false
          continue
        }
        b.active[activeCount] = i
        activeCount &+= 1
      }
      if activeCount == 0 { break }
      let panelCount = (end &- start &+ 7) >> 3
      let panels = c.panels + (start >> 3) &* dim &* 8
      if level.isFused {
        // All active queries against the block in one register-tiled call, then selection.
        for a in 0..<activeCount { b.rows[a] = b.queries + b.active[a] &* dim }
        chorus_score_panels(
          Int32(level.rawValue), b.rows, activeCount, dim, panels, panelCount, b.scores, block)
        for a in 0..<activeCount {
          let i = b.active[a]
          collect(
            scores: b.scores + a &* block, count: end &- start, firstPosition: start,
            order: c.order, k: k, heapScores: b.heapScores + i &* k, heapIDs: b.heapIDs + i &* k,
            size: &b.heapSizes[i], seeds: b.seedPositions, cursor: &b.cursors[i],
            seedEnd: b.seedOffsets[i &+ 1])
        }
        scored &+= activeCount &* (end &- start)
        start = end
        continue
      }
      var g = 0
      while g < activeCount {
        let inGroup = min(4, activeCount &- g)
        func splats(_ r: Int) -> UnsafePointer<SIMD8<Float>> {
          r < inGroup
            ? UnsafePointer(b.splats + b.active[g &+ r] &* dim) : UnsafePointer(zeroSplats)
        }
        scoreTile(
          splats: (splats(0), splats(1), splats(2), splats(3)), dim: dim, panels: panels,
          panelCount: panelCount, scores: b.scores, scoreStride: block)
        for r in 0..<inGroup {
          let i = b.active[g &+ r]
          collect(
            scores: b.scores + r &* block, count: end &- start, firstPosition: start,
            order: c.order, k: k, heapScores: b.heapScores + i &* k, heapIDs: b.heapIDs + i &* k,
            size: &b.heapSizes[i], seeds: b.seedPositions, cursor: &b.cursors[i],
            seedEnd: b.seedOffsets[i &+ 1])
        }
        g &+= 4
      }
      scored &+= activeCount &* (end &- start)
      start = end
    }
    return scored
  }

  /// Scores 4 queries (their splatted components) against `panelCount` panels: query r's
  /// score of panel position j goes to `scores[r × scoreStride + j]`.
  @inline(__always)
  static func scoreTile(
    splats: (
      UnsafePointer<SIMD8<Float>>, UnsafePointer<SIMD8<Float>>, UnsafePointer<SIMD8<Float>>,
      UnsafePointer<SIMD8<Float>>
    ), dim: Int, panels: UnsafePointer<Float>, panelCount: Int,
    scores: UnsafeMutablePointer<Float>, scoreStride: Int
  ) {
    let (q0, q1, q2, q3) = splats
    let panelSize = dim &* 8
    var p = 0
    while p < panelCount {
      // 4 queries × 8 tracks: four SIMD8 accumulators stay in registers on baseline x86-64
      // (a 4 × 16 tile spills them and runs several times slower); splats loaded from
      // memory beat broadcasting each component in registers.
      let v = panels + p &* panelSize
      var a0 = SIMD8<Float>()
      var a1 = SIMD8<Float>()
      var a2 = SIMD8<Float>()
      var a3 = SIMD8<Float>()
      var d = 0
      while d < dim {
        let x = SGNSKernel.load(v + d &* 8)
        a0 += q0[d] * x
        a1 += q1[d] * x
        a2 += q2[d] * x
        a3 += q3[d] * x
        d &+= 1
      }
      let o = scores + p &* 8
      SGNSKernel.store(a0, o)
      SGNSKernel.store(a1, o + scoreStride)
      SGNSKernel.store(a2, o + 2 &* scoreStride)
      SGNSKernel.store(a3, o + 3 &* scoreStride)
      p &+= 1
    }
  }

  /// The plain score of one position at the current kernel level (see the level overload).
  @inline(__always)
  static func scalarDot(
    query: UnsafePointer<Float>, panels: UnsafePointer<Float>, position: Int, dim: Int
  ) -> Float {
    scalarDot(query: query, panels: panels, position: position, dim: dim, level: .current)
  }

  /// The plain score of one position: a sequential sum over d, equal bit for bit to a lane
  /// of `scoreTile` (portable) or of the C kernels (a fused chain, at the vector levels).
  @inline(__always)
  static func scalarDot(
    query: UnsafePointer<Float>, panels: UnsafePointer<Float>, position: Int, dim: Int,
    level: KernelLevel
  ) -> Float {
    if level.isFused { return chorus_panel_dot_fused(query, panels, position, dim) }
    let offset: Int = (position >> 3) &* dim &* 8 &+ (position & 7)
    let v = panels + offset
    var s: Float = 0
    for d in 0..<dim { s += query[d] * v[d &* 8] }
    return s
  }

  /// Offers `count` scores (positions firstPosition…) to one query's heap.
  @inline(__always)
  static func collect(
    scores: UnsafePointer<Float>, count: Int, firstPosition: Int, order: UnsafePointer<Int32>,
    k: Int, heapScores: UnsafeMutablePointer<Float>, heapIDs: UnsafeMutablePointer<Int32>,
    size: inout Int, seeds: UnsafePointer<Int32>, cursor: inout Int, seedEnd: Int
  ) {
    var n = size
    var j = 0
    while j < count {
      if n == k {
        // A full heap skips every score below its minimum (the test below, vectorised).
        j &+= chorus_first_not_below(scores + j, count &- j, heapScores[0])
        if j == count { break }
      }
      let s = scores[j]
      if n == k && s < heapScores[0] {
        j &+= 1
        continue
      }
      let position = firstPosition &+ j
      let id = order[position]
      if n == k && !TopK.ranksBefore(s, id, heapScores[0], heapIDs[0]) {
        j &+= 1
        continue
      }
      while cursor < seedEnd && Int(seeds[cursor]) < position { cursor &+= 1 }
      if cursor < seedEnd && Int(seeds[cursor]) == position {
        j &+= 1
        continue
      }
      if n < k {
        TopK.push(s, id, size: &n, heapScores: heapScores, heapIDs: heapIDs)
      } else {
        TopK.siftDown(s, id, size: n, heapScores: heapScores, heapIDs: heapIDs)
      }
      j &+= 1
    }
    size = n
  }
}
