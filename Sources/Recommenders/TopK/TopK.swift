// Exact top-K selection: the K best (score, track) pairs by score descending, ties broken by
// the lower track id. A bounded min-heap over candidates (O(n log K)); the plain twin sorts
// everything and is what the tests tie the fast kernel to.

/// Top-K kernels over raw buffers.
public enum TopK {
  /// True when (sa, ia) ranks before (sb, ib): higher score first, then lower id.
  @inline(__always)
  public static func ranksBefore(_ sa: Float, _ ia: Int32, _ sb: Float, _ ib: Int32) -> Bool {
    sa > sb || (sa == sb && ia < ib)
  }

  /// Selects the best `k` of `candidates` by `scores[candidate]` into `output`, best first.
  /// Returns how many were written (min(k, candidates.count)).
  ///
  /// - Parameters:
  ///   - scores: dense scores indexed by track id.
  ///   - candidates: track ids to consider (each at most once).
  ///   - heapScores/heapIDs: scratch of capacity ≥ k.
  /// - Complexity: O(n log k).
  @inline(__always)
  public static func select(
    scores: UnsafePointer<Float>, candidates: UnsafeBufferPointer<Int32>, k: Int,
    heapScores: UnsafeMutablePointer<Float>, heapIDs: UnsafeMutablePointer<Int32>,
    output: UnsafeMutablePointer<Int32>
  ) -> Int {
    if k <= 0 { return 0 }
    var size = 0
    // Min-heap on "rank": the root is the worst of the kept items.
    for c in candidates {
      let s = scores[Int(c)]
      if size < k {
        push(s, c, size: &size, heapScores: heapScores, heapIDs: heapIDs)
      } else if ranksBefore(s, c, heapScores[0], heapIDs[0]) {
        siftDown(s, c, size: size, heapScores: heapScores, heapIDs: heapIDs)
      }
    }
    return drain(heapScores: heapScores, heapIDs: heapIDs, size: size, output: output)
  }

  /// Adds (s, id) to a heap that is not full (min-heap on rank: the root ranks last), sifting
  /// it up: a parent that ranks before the new item moves down.
  @inline(__always)
  static func push(
    _ s: Float, _ id: Int32, size: inout Int, heapScores: UnsafeMutablePointer<Float>,
    heapIDs: UnsafeMutablePointer<Int32>
  ) {
    var i = size
    size &+= 1
    while i > 0 {
      let parent = (i &- 1) >> 1
      if ranksBefore(heapScores[parent], heapIDs[parent], s, id) {
        heapScores[i] = heapScores[parent]
        heapIDs[i] = heapIDs[parent]
        i = parent
      } else {
        break
      }
    }
    heapScores[i] = s
    heapIDs[i] = id
  }

  /// Empties a heap into `output`, best first (popping worst-first into the back); returns
  /// how many were written.
  @inline(__always)
  static func drain(
    heapScores: UnsafeMutablePointer<Float>, heapIDs: UnsafeMutablePointer<Int32>, size: Int,
    output: UnsafeMutablePointer<Int32>
  ) -> Int {
    var n = size
    while n > 0 {
      output[n &- 1] = heapIDs[0]
      n &-= 1
      if n > 0 {
        siftDown(heapScores[n], heapIDs[n], size: n, heapScores: heapScores, heapIDs: heapIDs)
      }
    }
    return size
  }

  @inline(__always)
  static func siftDown(
    _ s: Float, _ id: Int32, size: Int, heapScores: UnsafeMutablePointer<Float>,
    heapIDs: UnsafeMutablePointer<Int32>
  ) {
    var i = 0
    while true {
      let l = 2 * i + 1
      if l >= size { break }
      var worst = l
      let r = l + 1
      if r < size && ranksBefore(heapScores[l], heapIDs[l], heapScores[r], heapIDs[r]) {
        worst = r
      }
      // Stop when the item is worse than (or equal to) the worse child.
      if ranksBefore(heapScores[worst], heapIDs[worst], s, id) { break }
      heapScores[i] = heapScores[worst]
      heapIDs[i] = heapIDs[worst]
      i = worst
    }
    heapScores[i] = s
    heapIDs[i] = id
  }

  /// The plain twin: sorts all candidates and takes the first k.
  public static func selectBySorting(scores: [Float], candidates: [Int32], k: Int) -> [Int32] {
    let sorted = candidates.sorted { ranksBefore(scores[Int($0)], $0, scores[Int($1)], $1) }
    return Array(sorted.prefix(k))
  }

  /// Array convenience over `select` (tests and small inputs).
  public static func select(scores: [Float], candidates: [Int32], k: Int) -> [Int32] {
    var hs = [Float](repeating: 0, count: max(k, 1))
    var hi = [Int32](repeating: 0, count: max(k, 1))
    var out = [Int32](repeating: 0, count: max(k, 1))
    let n = scores.withUnsafeBufferPointer { s in
      candidates.withUnsafeBufferPointer { c in
        select(
          scores: s.baseAddress!, candidates: c, k: k, heapScores: &hs, heapIDs: &hi,
          output: &out)
      }
    }
    return Array(out.prefix(n))
  }
}
