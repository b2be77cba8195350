// Per-thread scratch for sparse scoring: a dense score array over all tracks plus the list
// of tracks touched, so that resetting costs O(touched), not O(catalogue). One per chunk of
// a batch; never shared between threads.

/// Dense scores with a touched list; `add` accumulates, `reset` clears only what was touched.
public struct ScoreAccumulator {
  /// Scores by track id, trackCount long, Float32. Zero where untouched.
  public private(set) var scores: [Float]
  /// Track ids with a score, in first-touch order.
  public private(set) var touched: [Int32] = []
  /// 1 where the track is in `touched`, by track id.
  private var isTouched: [UInt8]
  /// 1 where the track is excluded from results (the seed), by track id.
  private var excluded: [UInt8]
  private var excludedList: [Int32] = []
  /// Scored, non-excluded candidates in the last `topK` call (below K means the fallback
  /// filled the rest of the list).
  public private(set) var lastCandidateCount = 0
  /// Scratch: the candidates of one top-K call.
  private var candidates: [Int32] = []
  /// Heap scratch for top-K.
  var heapScores: [Float] = []
  var heapIDs: [Int32] = []

  public init(trackCount: Int) {
    scores = [Float](repeating: 0, count: trackCount)
    isTouched = [UInt8](repeating: 0, count: trackCount)
    excluded = [UInt8](repeating: 0, count: trackCount)
    touched.reserveCapacity(1 << 14)
  }

  public var trackCount: Int { scores.count }

  /// Adds `value` to the score of `track`.
  @inline(__always)
  public mutating func add(_ track: Int32, _ value: Float) {
    let t = Int(track)
    if isTouched[t] == 0 {
      isTouched[t] = 1
      touched.append(track)
    }
    scores[t] += value
  }

  /// Marks `track` as not recommendable for this context.
  @inline(__always)
  public mutating func exclude(_ track: Int32) {
    let t = Int(track)
    guard t < excluded.count, excluded[t] == 0 else { return }
    excluded[t] = 1
    excludedList.append(track)
  }

  /// Writes the top `k` touched, non-excluded tracks into `output` (best first), then fills
  /// the rest from `fallback` (a ranked list, e.g. by popularity), skipping excluded and
  /// chosen tracks. Returns the number written (k unless the catalogue is too small).
  public mutating func topK(
    k: Int, fallback: UnsafeBufferPointer<Int32>, output: UnsafeMutableBufferPointer<Int32>
  ) -> Int {
    // Candidates: touched tracks that are not excluded, in touch order.
    candidates.removeAll(keepingCapacity: true)
    for t in touched where excluded[Int(t)] == 0 { candidates.append(t) }
    lastCandidateCount = candidates.count
    if heapScores.count < k {
      heapScores = [Float](repeating: 0, count: k)
      heapIDs = [Int32](repeating: 0, count: k)
    }
    var n = 0
    scores.withUnsafeBufferPointer { s in
      candidates.withUnsafeBufferPointer { c in
        heapScores.withUnsafeMutableBufferPointer { hs in
          heapIDs.withUnsafeMutableBufferPointer { hi in
            n = TopK.select(
              scores: s.baseAddress!, candidates: c, k: k,
              heapScores: hs.baseAddress!, heapIDs: hi.baseAddress!, output: output.baseAddress!)
          }
        }
      }
    }
    if n < k {
      // Mark chosen as excluded temporarily to skip them while filling.
      for i in 0..<n { exclude(output[i]) }
      for t in fallback where n < k {
        if excluded[Int(t)] == 0 {
          output[n] = t
          n += 1
        }
      }
    }
    return n
  }

  /// Clears scores, touched and excluded marks.
  public mutating func reset() {
    for t in touched {
      scores[Int(t)] = 0
      isTouched[Int(t)] = 0
    }
    touched.removeAll(keepingCapacity: true)
    for t in excludedList { excluded[Int(t)] = 0 }
    excludedList.removeAll(keepingCapacity: true)
  }
}
