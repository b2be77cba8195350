// A plain, scalar twin of SGNS training for the kernel tests: rows are arrays of Float,
// every update is a loop over the row's floats, and every random value is drawn from the
// same RandomStream in the same order as the kernel, so that the kernel (SIMD8 rows,
// pointers, overlays, prefetching, negatives drawn one position ahead) must match it
// bit for bit. Only the dot product keeps the kernel's summation order; see `dot`.
import ChorusCore
import Foundation

@testable import Recommenders

/// Plain SGNS training (next-track direction, or both sides) over `[[Float]]` rows.
struct SGNSReference {
  /// Input rows (tracks, then popularity-bucket rows), each `stride` floats.
  var input: [[Float]]
  /// Output rows, one per track, each `stride` floats.
  var output: [[Float]]
  let stride: Int
  let window: Int
  let reducedWindow: Bool
  let negatives: Int
  let sharedNegatives: Bool
  let learningRate: Double
  let minLearningRate: Double
  /// Entries per epoch × epochs.
  let scheduleLength: Double
  /// Keep a token of track t when a draw's high 32 bits are ≤ keep[t] (UInt32.max: no draw).
  let keep: [UInt32]
  /// Vose alias table, `threshold << 32 | alias` per entry.
  let alias: [UInt64]
  /// Per track its bucket's input row, or −1; nil without the popularity feature.
  let bucketRow: [Int32]?
  /// Contexts on both sides of a position (earlier ones first), not only after it.
  var bothSides = false
  /// Tracks in each chunk's pool of negatives (0: none, every negative from the table).
  var negativePool = 0
  /// With a stratified pool: running sums of the negative weights; empty: the pool is
  /// `negativePool` independent draws from the alias table.
  var poolCumulative: [Double] = []
  /// A target scored outside [−6, 6] gets no update (gensim) instead of the saturated
  /// gradient (word2vec).
  var skipSaturated = false
  /// Negatives scored against `roundOutput` (the output rows as the round began), their
  /// updates appended to `deferred` instead of made.
  var deferredNegatives = false
  var roundOutput: [[Float]] = []
  /// With `deferredNegatives`: (track, g, center) per negative update, in the order made.
  var deferred: [(track: Int, g: Float, center: [Float])] = []
  /// σ at the centres of 1024 cells over [−6, 6], built here from its definition.
  let sigmoid: [Float] = (0..<1024).map { i in
    let x = (Double(i) + 0.5) / 1024 * 12 - 6
    return Float(1 / (1 + Foundation.exp(-x)))
  }

  /// The negative a random value draws: entry ⌊hi32(r) · n / 2³²⌋ of the alias table, kept
  /// when lo32(r) is below its threshold, else its alias.
  func drawNegative(_ r: UInt64) -> Int32 {
    let n = UInt64(alias.count)
    let index = Int(((r >> 32) * n) >> 32)
    let threshold = UInt32(alias[index] >> 32)
    let low = UInt32(r & 0xFFFF_FFFF)
    return low < threshold ? Int32(index) : Int32(alias[index] & 0xFFFF_FFFF)
  }

  /// The pool entry a random value picks: ⌊hi32(r) · n / 2³²⌋ (the alias table's rule).
  func poolIndex(_ r: UInt64) -> Int {
    Int(((r >> 32) * UInt64(negativePool)) >> 32)
  }

  /// a · b. The kernel sums in SIMD8 lanes with two accumulators (block j of 8 floats goes
  /// to accumulator j mod 2), then adds the accumulators lane-wise, folds lanes k and k+4,
  /// and returns (l0 + l2) + (l1 + l3). Float addition is not associative, so a left-to-right
  /// sum would differ in the last bits, and such a difference can move a score into the
  /// next sigmoid cell; keeping this order (and nothing else of the kernel) is what lets the
  /// comparison be exact instead of needing a tolerance.
  func dot(_ a: [Float], _ b: [Float]) -> Float {
    var acc: [[Float]] = [Array(repeating: 0, count: 8), Array(repeating: 0, count: 8)]
    for block in 0..<(stride / 8) {
      for lane in 0..<8 {
        let k = block * 8 + lane
        acc[block % 2][lane] = acc[block % 2][lane] + a[k] * b[k]
      }
    }
    var lanes = [Float](repeating: 0, count: 8)
    for lane in 0..<8 { lanes[lane] = acc[0][lane] + acc[1][lane] }
    var folded = [Float](repeating: 0, count: 4)
    for lane in 0..<4 { folded[lane] = lanes[lane] + lanes[lane + 4] }
    return (folded[0] + folded[2]) + (folded[1] + folded[3])
  }

  /// Trains the playlists of one chunk in order, each given with the index of its first
  /// entry in the whole training data (for the learning-rate schedule).
  /// Returns (entries kept by subsampling, positive pairs trained).
  mutating func trainChunk(
    _ playlists: [(start: Int, tracks: [Int32])], epochOffset: Int, rng: inout RandomStream
  ) -> (effectiveTokens: Int, pairs: Int) {
    var effectiveTokens = 0
    var pairCount = 0
    // The pool, if any, is the chunk's first draws: `negativePool` tracks from the table.
    var pool: [Int32] = []
    if negativePool > 0 && !poolCumulative.isEmpty {
      // Stratified: one uniform u = 53 high bits / 2⁵³; entry k is the first track whose
      // running weight exceeds (k + u)/n × total (kept just below the total), found by a
      // plain scan.
      let total = poolCumulative[poolCumulative.count - 1]
      let u = Double(rng.next() >> 11) / 9_007_199_254_740_992
      for k in 0..<negativePool {
        let x = min((Double(k) + u) / Double(negativePool) * total, total.nextDown)
        pool.append(Int32(poolCumulative.firstIndex { $0 > x }!))
      }
    } else {
      for _ in 0..<negativePool { pool.append(drawNegative(rng.next())) }
    }
    func negative(_ r: UInt64) -> Int32 {
      negativePool > 0 ? pool[poolIndex(r)] : drawNegative(r)
    }
    // Shared negatives are drawn one position ahead: the first set before any playlist.
    var ahead: [UInt64] = []
    if sharedNegatives {
      for _ in 0..<negatives { ahead.append(rng.next()) }
    }
    for playlist in playlists {
      // Subsampling: one draw per token of a track that may be dropped.
      var kept: [Int32] = []
      for t in playlist.tracks {
        if keep[Int(t)] == UInt32.max {
          kept.append(t)
        } else if UInt32(rng.next() >> 32) <= keep[Int(t)] {
          kept.append(t)
        }
      }
      effectiveTokens += kept.count
      if kept.count < 2 { continue }
      // Linear decay over the schedule, by the playlist's first entry.
      let progress = Double(epochOffset + playlist.start) / scheduleLength
      let alpha = Float(
        max(minLearningRate, learningRate - (learningRate - minLearningRate) * progress))
      // Next-track only: the last track is no center (nothing follows it).
      for i in 0..<(bothSides ? kept.count : kept.count - 1) {
        // The window: W, or with `reducedWindow` W − ⌊hi32(r) · W / 2³²⌋ ∈ 1…W.
        var w = window
        if reducedWindow && window > 1 {
          let r = rng.next()
          w = window - Int(((r >> 32) * UInt64(window)) >> 32)
        }
        let after = Array(kept[(i + 1)..<min(kept.count, i + w + 1)])
        let contexts = bothSides ? Array(kept[max(0, i - w)..<i]) + after : after
        if contexts.isEmpty { continue }
        // Shared: this position's negatives are the ones drawn ahead; draw the next set.
        var positionNegatives: [Int32] = []
        if sharedNegatives {
          for d in 0..<negatives {
            positionNegatives.append(negative(ahead[d]))
            ahead[d] = rng.next()
          }
        }
        // Every target of the position is drawn before any update; a negative equal to
        // its positive is skipped (word2vec).
        var targets: [[(track: Int32, label: Float)]] = []
        for positive in contexts {
          var list: [(track: Int32, label: Float)] = [(positive, 1)]
          for d in 0..<negatives {
            let t = sharedNegatives ? positionNegatives[d] : negative(rng.next())
            if t != positive { list.append((t, 0)) }
          }
          targets.append(list)
        }
        // The center: u_t, or h = (u_t + b) / 2 with a bucket row b.
        let t = Int(kept[i])
        let bucket = Int(bucketRow?[t] ?? -1)
        var h = input[t]
        if bucket >= 0 {
          for k in 0..<stride { h[k] = (input[t][k] + input[bucket][k]) * 0.5 }
        }
        for list in targets {
          pairCount += 1
          var gradient = [Float](repeating: 0, count: stride)
          for (target, label) in list {
            let o = Int(target)
            let negativeDeferred = deferredNegatives && label == 0
            let f = dot(h, negativeDeferred ? roundOutput[o] : output[o])
            let g: Float
            if f < 6 && f > -6 {
              let cell = min(Int((f + 6) * (Float(1024) / 12)), 1023)
              g = (label - sigmoid[cell]) * alpha
            } else if skipSaturated {
              continue
            } else if f >= 6 {
              g = (label - 1) * alpha
            } else {
              g = label * alpha
            }
            if negativeDeferred {
              // The gradient takes the row as the round began; the row moves at the merge.
              for k in 0..<stride { gradient[k] = gradient[k] + g * roundOutput[o][k] }
              deferred.append((o, g, h))
              continue
            }
            // word2vec's order: the gradient takes the old output row, then the row moves.
            for k in 0..<stride {
              gradient[k] = gradient[k] + g * output[o][k]
              output[o][k] = output[o][k] + g * h[k]
            }
          }
          if bucket >= 0 {
            // h's gradient split in halves between u_t and b; h recomputed from them.
            for k in 0..<stride {
              let half = gradient[k] * 0.5
              input[t][k] = input[t][k] + half
              input[bucket][k] = input[bucket][k] + half
              h[k] = (input[t][k] + input[bucket][k]) * 0.5
            }
          } else {
            for k in 0..<stride { h[k] = h[k] + gradient[k] }
            input[t] = h
          }
        }
      }
    }
    return (effectiveTokens, pairCount)
  }
}

extension SGNSReference {
  /// The whole of deterministic training, plainly: word2vec's initial vectors, chunks of
  /// whole playlists, rounds of `chunksPerRound` chunks that each train on their own copy
  /// of the matrices as they were at the start of the round, then the shared matrices plus
  /// every chunk's (copy − start) deltas, added chunk after chunk; with the popularity
  /// feature, each seen track's input row becomes (u_t + b) / 2 at the end.
  /// `hogwildOneThread` instead trains the chunks one after another on the shared rows (what
  /// Hogwild does when only one thread runs).
  /// Returns the input rows of the tracks (bucket rows dropped), the output rows and the
  /// (effectiveTokens, pairs) totals.
  static func train(
    playlists: [[Int32]], trackCount: Int, config c: EmbeddingConfig,
    hogwildOneThread: Bool = false
  ) -> (input: [[Float]], output: [[Float]], effectiveTokens: Int, pairs: Int) {
    let stride = c.rowStride
    let entries = playlists.reduce(0) { $0 + $1.count }
    var frequency = [Int32](repeating: 0, count: trackCount)
    for p in playlists { for t in p { frequency[Int(t)] += 1 } }
    // Buckets: row trackCount + ⌊log2 f⌋, or −1 above the max frequency.
    var bucketRow: [Int32]? = nil
    if c.popularityFeature {
      bucketRow = frequency.map { f in
        if c.popularityFeatureMaxFrequency > 0 && Int(f) > c.popularityFeatureMaxFrequency {
          return -1
        }
        var bucket = 0
        while f > 0 && (2 << bucket) <= Int(f) { bucket += 1 }
        return Int32(trackCount + bucket)
      }
    }
    // Initial input rows: uniform in (−r/dim, r/dim), r = initialRange, a stream per 4096
    // rows; the padding columns, the output rows and the bucket rows start at zero.
    var input = [[Float]](
      repeating: [Float](repeating: 0, count: stride),
      count: trackCount + (c.popularityFeature ? 32 : 0))
    var initRng = RandomStream(seed: c.seed, component: "embedding.init", chunk: 0)
    for t in 0..<trackCount {
      if t % 4096 == 0 {
        initRng = RandomStream(seed: c.seed, component: "embedding.init", chunk: UInt64(t / 4096))
      }
      for d in 0..<c.dim {
        let u = Float(initRng.next() >> 40) * 0x1.0p-24
        input[t][d] = (u - 0.5) * (Float(2 * c.initialRange) / Float(c.dim))
      }
    }
    let output = [[Float]](
      repeating: [Float](repeating: 0, count: stride), count: trackCount)
    // Negatives ∝ f^x over seen tracks; the keep thresholds of subsampling.
    let weights = frequency.map { $0 > 0 ? Foundation.pow(Double($0), c.negativeExponent) : 0 }
    var model = SGNSReference(
      input: input, output: output, stride: stride, window: c.window,
      reducedWindow: c.reducedWindow, negatives: c.negatives,
      sharedNegatives: c.sharedNegatives, learningRate: c.learningRate,
      minLearningRate: c.minLearningRate, scheduleLength: Double(entries) * Double(c.epochs),
      keep: SGNSKernel.makeKeepThresholds(
        frequency: frequency, entries: entries, threshold: c.subsample),
      alias: SGNSKernel.makeAliasTable(weights: weights), bucketRow: bucketRow,
      bothSides: c.contextDirection == .both, negativePool: c.negativePool,
      skipSaturated: c.skipSaturated, deferredNegatives: c.deferredNegatives)
    if c.negativePool > 0 && c.stratifiedPool {
      var sum = 0.0
      model.poolCumulative = weights.map { w in
        sum += w
        return sum
      }
    }
    // Chunks: whole playlists, closed once they hold at least chunkTokens entries.
    var chunks: [[(start: Int, tracks: [Int32])]] = [[]]
    var start = 0
    var size = 0
    for (p, tracks) in playlists.enumerated() {
      chunks[chunks.count - 1].append((start, tracks))
      start += tracks.count
      size += tracks.count
      if size >= c.chunkTokens && p + 1 < playlists.count {
        chunks.append([])
        size = 0
      }
    }
    var effectiveTokens = 0
    var pairs = 0
    for epoch in 0..<c.epochs {
      func stream(_ chunk: Int) -> RandomStream {
        RandomStream(
          seed: c.seed, component: "embedding.sgns", chunk: UInt64(epoch) << 32 | UInt64(chunk))
      }
      if hogwildOneThread {
        for chunk in chunks.indices {
          var rng = stream(chunk)
          let counts = model.trainChunk(chunks[chunk], epochOffset: epoch * entries, rng: &rng)
          effectiveTokens += counts.effectiveTokens
          pairs += counts.pairs
        }
        continue
      }
      for roundStart in Swift.stride(from: 0, to: chunks.count, by: c.chunksPerRound) {
        let round = roundStart..<min(chunks.count, roundStart + c.chunksPerRound)
        let startInput = model.input
        let startOutput = model.output
        var trained: [(input: [[Float]], output: [[Float]])] = []
        var logs: [[(track: Int, g: Float, center: [Float])]] = []
        for chunk in round {
          var copy = model
          copy.input = startInput
          copy.output = startOutput
          copy.roundOutput = c.deferredNegatives ? startOutput : []
          copy.deferred = []
          var rng = stream(chunk)
          let counts = copy.trainChunk(chunks[chunk], epochOffset: epoch * entries, rng: &rng)
          effectiveTokens += counts.effectiveTokens
          pairs += counts.pairs
          trained.append((copy.input, copy.output))
          logs.append(copy.deferred)
        }
        model.input = mergeDeltas(startInput, trained.map(\.input))
        model.output = mergeDeltas(startOutput, trained.map(\.output))
        // Deferred negative updates after the deltas, chunk after chunk, in the order made.
        for log in logs {
          for (o, g, h) in log {
            for k in 0..<stride { model.output[o][k] = model.output[o][k] + g * h[k] }
          }
        }
      }
    }
    var result = model.input
    if let bucketRow {
      for t in 0..<trackCount where frequency[t] > 0 && bucketRow[t] >= 0 {
        let b = Int(bucketRow[t])
        for k in 0..<stride { result[t][k] = (result[t][k] + result[b][k]) * 0.5 }
      }
    }
    return (Array(result[0..<trackCount]), model.output, effectiveTokens, pairs)
  }

  /// start + (copy₁ − start) + (copy₂ − start) + …, added in chunk order, float by float.
  static func mergeDeltas(_ start: [[Float]], _ copies: [[[Float]]]) -> [[Float]] {
    var merged = start
    for copy in copies {
      for r in start.indices {
        for k in start[r].indices {
          merged[r][k] = merged[r][k] + (copy[r][k] - start[r][k])
        }
      }
    }
    return merged
  }
}
