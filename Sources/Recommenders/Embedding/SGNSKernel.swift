// The skip-gram negative-sampling kernel (Mikolov et al. 2013): the input vector of a track
// is trained to score the output vectors of the tracks that follow it (next-track
// direction) or of those on both sides of it (word2vec's skip-gram). One call trains one chunk of playlists sequentially; where rows live (shared
// matrices or a chunk-private overlay) is the caller's choice through `SGNSRows`.
// It does not schedule, merge or allocate anything: that is EmbeddingModel+Training.swift.
import ChorusCSupport
import ChorusCore

/// Where the kernel finds the rows it reads and updates.
protocol SGNSRows {
  /// Makes room for `rows` new rows; pointers returned earlier may move, and then it
  /// returns true.
  @discardableResult mutating func reserve(_ rows: Int) -> Bool
  /// Where the input row of `t` will be, starting to load it (a software prefetch) without
  /// waiting; valid for reading and writing after `completePrepared()`, until `reserve`.
  mutating func prepareInput(_ t: Int32) -> UnsafeMutablePointer<Float>
  /// Same for the output row of `t`.
  mutating func prepareOutput(_ t: Int32) -> UnsafeMutablePointer<Float>
  /// Makes every prepared row ready (an overlay copies in the rows it prepared).
  mutating func completePrepared()
  /// The shared output matrix (read-only while a round trains).
  var sharedOutput: UnsafePointer<Float> { get }
}

/// The shared matrices themselves (Hogwild: concurrent chunks race on them).
struct SharedRows: SGNSRows {
  let inputBase: UnsafeMutablePointer<Float>
  let outputBase: UnsafeMutablePointer<Float>
  let stride: Int

  @inline(__always) mutating func reserve(_ rows: Int) -> Bool { false }
  @inline(__always) mutating func prepareInput(_ t: Int32) -> UnsafeMutablePointer<Float> {
    let row = inputBase + Int(t) &* stride
    SGNSKernel.prefetch(row, count: stride)
    return row
  }
  @inline(__always) mutating func prepareOutput(_ t: Int32) -> UnsafeMutablePointer<Float> {
    let row = outputBase + Int(t) &* stride
    SGNSKernel.prefetch(row, count: stride)
    return row
  }
  @inline(__always) mutating func completePrepared() {}
  var sharedOutput: UnsafePointer<Float> { UnsafePointer(outputBase) }
}

/// The negatives' updates a chunk defers to the round's merge (`deferredNegatives`): per
/// update its track, its scale g and the center it adds (g · center), the centers stored once
/// per pair. Caches the log's pointers in locals; `close()` hands the counts back.
struct DeferredUpdates {
  private unowned(unsafe) let log: SGNSDeferredLog
  private let stride: Int
  private var tracks: UnsafeMutablePointer<Int32>
  private var scales: UnsafeMutablePointer<Float>
  private var owners: UnsafeMutablePointer<Int32>
  private var centers: UnsafeMutablePointer<Float>
  private var count: Int
  private var capacity: Int
  private var centerCount: Int
  private var centerCapacity: Int
  /// The center of the current pair is stored (as center `centerCount − 1`).
  private var pairStored = false

  init(log: SGNSDeferredLog) {
    self.log = log
    stride = log.stride
    tracks = log.tracks
    scales = log.scales
    owners = log.owners
    centers = log.centers
    count = log.count
    capacity = log.capacity
    centerCount = log.centerCount
    centerCapacity = log.centerCapacity
  }

  /// The next update belongs to a new pair (whose center is stored on its first update).
  @inline(__always) mutating func beginPair() { pairStored = false }

  /// Records output[track] += g · center for the merge.
  @inline(__always)
  mutating func record(track: Int32, g: Float, center: UnsafePointer<Float>) {
    if !pairStored {
      if centerCount == centerCapacity {
        log.centerCount = centerCount
        log.growCenters()
        centers = log.centers
        centerCapacity = log.centerCapacity
      }
      (centers + centerCount &* stride).update(from: center, count: stride)
      centerCount &+= 1
      pairStored = true
    }
    if count == capacity {
      log.count = count
      log.growUpdates()
      tracks = log.tracks
      scales = log.scales
      owners = log.owners
      capacity = log.capacity
    }
    tracks[count] = track
    scales[count] = g
    owners[count] = Int32(truncatingIfNeeded: centerCount &- 1)
    count &+= 1
  }

  /// The log's arrays for the C pair loop, with room for `updates` more updates and
  /// `centers` more centers; `resume` takes the counts back.
  mutating func reserveForVectorLoop(updates: Int, centers: Int) -> ChorusSGNSLog {
    if centerCount &+ centers > centerCapacity {
      log.centerCount = centerCount
      while log.centerCapacity < centerCount &+ centers { log.growCenters() }
      self.centers = log.centers
      centerCapacity = log.centerCapacity
    }
    if count &+ updates > capacity {
      log.count = count
      while log.capacity < count &+ updates { log.growUpdates() }
      tracks = log.tracks
      scales = log.scales
      owners = log.owners
      capacity = log.capacity
    }
    return ChorusSGNSLog(
      tracks: tracks, scales: scales, owners: owners, centers: self.centers, count: count,
      centerCount: centerCount)
  }

  /// Takes back the counts the C pair loop advanced.
  mutating func resume(from c: ChorusSGNSLog) {
    count = c.count
    centerCount = c.centerCount
  }

  /// Writes the counts back into the log.
  func close() {
    log.count = count
    log.centerCount = centerCount
  }
}

/// Everything the kernel reads but never writes; the pointers stay valid during training.
struct SGNSParameters: @unchecked Sendable {
  /// CSR tracks and offsets of the training playlists.
  let tracks: UnsafePointer<Int32>
  let offsets: UnsafePointer<Int>
  /// Per track: keep a draw when `UInt32(draw >> 32) <= keep[t]` (UInt32.max: always keep).
  let keep: UnsafePointer<UInt32>
  /// Alias table for negatives, trackCount entries: `threshold << 32 | alias`.
  let alias: UnsafePointer<UInt64>
  let trackCount: Int
  /// Sigmoid lookup over [-maxExp, maxExp], `SGNSKernel.sigmoidTableSize` entries.
  let sigmoid: UnsafePointer<Float>
  /// Row stride in floats (a multiple of 8).
  let stride: Int
  let window: Int
  /// Contexts on both sides of the center (word2vec), not only after it.
  let bothSides: Bool
  let reducedWindow: Bool
  let negatives: Int
  /// One set of negatives per position, shared by its pairs (Ji et al. 2016).
  let sharedNegatives: Bool
  /// Tracks in a chunk's pool of negatives (drawn from `alias` once per chunk); 0: every
  /// negative is drawn from `alias` itself.
  var negativePool = 0
  /// With a stratified pool: the cumulative negative weights (trackCount entries); the pool
  /// is then the table's quantiles at (k + u)/n instead of n independent draws. nil: draws.
  var poolCumulative: UnsafePointer<Double>? = nil
  /// A target scored outside the sigmoid table gets no update (gensim), instead of the
  /// saturated gradient (word2vec's C code).
  var skipSaturated = false
  /// Negatives are scored against the shared output rows as the round began, and their
  /// updates recorded in a `DeferredUpdates` log for the round's merge (`deferredNegatives`).
  var deferredNegatives = false
  /// The kernel level of the pair loop: `portable` runs the Swift loop below, a vector level
  /// the C loop of chorus_sgns.h (AVX2 on x86-64). The same bits either way.
  var kernelLevel = KernelLevel.portable
  let learningRate: Double
  let minLearningRate: Double
  /// Entries per epoch × epochs: the length of the learning-rate schedule.
  let scheduleLength: Double
  /// With `popularityFeature`: per track, the input row of its popularity bucket
  /// (trackCount + ⌊log2 frequency⌋), or −1 for none; nil without the feature.
  let bucketRows: UnsafePointer<Int32>?
}

/// Counts from one chunk (deterministic; summed in chunk order).
struct SGNSChunkCounts: Sendable {
  /// Entries kept by subsampling.
  var effectiveTokens = 0
  /// (input, output) positive pairs trained.
  var pairs = 0
}

/// SGNS training kernels over raw pointers.
enum SGNSKernel {
  static let sigmoidTableSize = 1024
  static let maxExp: Float = 6

  /// σ(x) at the centres of `sigmoidTableSize` cells over [-maxExp, maxExp] (word2vec's table).
  static func makeSigmoidTable() -> [Float] {
    (0..<sigmoidTableSize).map { i in
      let x = (Double(i) + 0.5) / Double(sigmoidTableSize) * 2 * Double(maxExp) - Double(maxExp)
      return Float(1 / (1 + _exp(-x)))
    }
  }

  /// Vose's alias table over `weights` (zero weights are never drawn): entry i holds
  /// `threshold << 32 | alias`; a draw picks i uniformly, keeps it when its low 32 random
  /// bits fall below the threshold, else takes the alias.
  /// - Complexity: O(n).
  static func makeAliasTable(weights: [Double]) -> [UInt64] {
    let n = weights.count
    let total = weights.reduce(0, +)
    precondition(n > 0 && total > 0, "alias table needs a positive weight")
    var scaled = weights.map { $0 * Double(n) / total }
    var small: [Int] = []
    var large: [Int] = []
    for i in (0..<n).reversed() {
      if scaled[i] < 1 { small.append(i) } else { large.append(i) }
    }
    var table = [UInt64](repeating: 0, count: n)
    while let s = small.last, let l = large.last {
      small.removeLast()
      let threshold = UInt64(min(scaled[s] * 4_294_967_296, 4_294_967_295))
      table[s] = threshold << 32 | UInt64(l)
      scaled[l] -= 1 - scaled[s]
      if scaled[l] < 1 {
        large.removeLast()
        small.append(l)
      }
    }
    // Leftovers (probability 1 up to rounding) keep themselves; a zero weight left over by
    // rounding must still never be drawn.
    let positive = weights.firstIndex { $0 > 0 }!
    for i in large + small {
      table[i] = weights[i] > 0 ? UInt64(UInt32.max) << 32 | UInt64(i) : UInt64(positive)
    }
    return table
  }

  /// Running sums of `weights`, left to right: entry i is weights[0] + … + weights[i].
  static func makeCumulativeWeights(_ weights: [Double]) -> [Double] {
    var sum = 0.0
    return weights.map { w in
      sum += w
      return sum
    }
  }

  /// Fills `pool` with the `count` quantiles of the table at (k + u)/count, k = 0…count−1,
  /// u uniform from `r`: entry k is the first track whose cumulative weight exceeds
  /// (k + u)/count × total (a zero-weight track never does). Systematic sampling: a track of
  /// probability p gets ⌊count·p⌋ or ⌈count·p⌉ entries, in track order.
  /// - Complexity: O(count × log trackCount).
  static func fillStratifiedPool(
    _ pool: UnsafeMutablePointer<Int32>, count: Int, r: UInt64,
    cumulative: UnsafePointer<Double>, trackCount: Int
  ) {
    let total = cumulative[trackCount - 1]
    // Below the total, so a track with a larger cumulative weight always exists.
    let top = total.nextDown
    let u = Double(r >> 11) * 0x1.0p-53
    var low = 0
    for k in 0..<count {
      let x = min((Double(k) + u) / Double(count) * total, top)
      // The first index ≥ low with cumulative > x (the quantiles increase with k).
      var lo = low
      var hi = trackCount - 1
      while lo < hi {
        let mid = (lo &+ hi) >> 1
        if cumulative[mid] > x { hi = mid } else { lo = mid &+ 1 }
      }
      pool[k] = Int32(truncatingIfNeeded: lo)
      low = lo
    }
  }

  /// word2vec's subsampling: keep probability (√(f/(t·N)) + 1)·(t·N)/f, as a UInt32 threshold.
  static func makeKeepThresholds(frequency: [Int32], entries: Int, threshold t: Double) -> [UInt32]
  {
    let tn = t * Double(entries)
    return frequency.map { f in
      if t <= 0 || f <= 0 { return UInt32.max }
      let ratio = Double(f) / tn
      let p = ((ratio).squareRoot() + 1) / ratio
      return p >= 1 ? UInt32.max : UInt32(p * 4_294_967_295)
    }
  }

  /// Trains playlists `playlists` in order: subsampling, a (reduced) window after each
  /// position (or on both sides of it, the earlier contexts first), one positive and
  /// `negatives` negative updates per pair, the learning rate decaying linearly with the
  /// playlist's position `epoch × entries + offset` in the schedule. With a negative pool,
  /// its tracks are drawn first (before anything else), and each negative is then the pool
  /// entry a random value picks instead of the alias-table entry (a stratified pool takes
  /// one random value, for its offset, instead of one per track).
  ///
  /// - Parameters:
  ///   - kept: scratch for one subsampled playlist (longest playlist length).
  ///   - gradient: scratch row (stride floats).
  ///   - combined: scratch row (stride floats) for h = (u + b) / 2 with `bucketRows`.
  ///   - targets: scratch for (`maxPairs(window:bothSides:)` + 1) × (negatives + 1) targets.
  ///   - targetRows: scratch for as many row pointers (the targets' output rows).
  ///   - ahead: scratch for negatives + 1 random values.
  ///   - pool: scratch for `negativePool` tracks; `poolRows` for as many row pointers.
  /// - Complexity: O(entries × window × (negatives + 1) × dim).
  @inline(__always)
  static func trainChunk<Rows: SGNSRows>(
    _ p: SGNSParameters, playlists: Range<Int>, epochOffset: Int, rows: inout Rows,
    rng: inout RandomStream, kept: UnsafeMutablePointer<Int32>,
    gradient: UnsafeMutablePointer<Float>, combined: UnsafeMutablePointer<Float>,
    targets: UnsafeMutablePointer<Int32>,
    targetRows: UnsafeMutablePointer<UnsafeMutablePointer<Float>>,
    ahead: UnsafeMutablePointer<UInt64>, pool: UnsafeMutablePointer<Int32>,
    poolRows: UnsafeMutablePointer<UnsafeMutablePointer<Float>>,
    deferred: inout DeferredUpdates
  ) -> SGNSChunkCounts {
    var counts = SGNSChunkCounts()
    let window = p.window
    let blocks = p.stride >> 3
    let n = UInt64(p.trackCount)
    let tableScale = Float(sigmoidTableSize) / (2 * maxExp)
    let tableLast = sigmoidTableSize - 1
    let sigmoid = p.sigmoid
    let alias = p.alias
    let keep = p.keep
    let tracks = p.tracks
    let group = p.negatives &+ 1
    let shared = p.sharedNegatives
    let both = p.bothSides
    let bucketRows = p.bucketRows
    let skipSaturated = p.skipSaturated
    let deferNegatives = p.deferredNegatives
    let outputBase = rows.sharedOutput
    let vectorLoop = p.kernelLevel != .portable
    let cLevel = Int32(p.kernelLevel.rawValue)
    // Input rows a position touches: the center's, and its bucket's with the feature.
    let inputRows = bucketRows == nil ? 1 : 2
    // Shared negatives: the current position's, and the random values drawn ahead for the
    // next position (their alias entries prefetched meanwhile).
    let drawn = targets + maxPairs(window: window, bothSides: both) &* group
    // The chunk's pool of negatives: drawn from the table, its rows made ready once (and
    // found again if the overlay moves them). A negative is then `pool[aliasIndex(r)]`.
    let poolSize = p.negativePool
    let usePool = poolSize > 0
    let poolN = UInt64(poolSize)
    if usePool {
      if let cumulative = p.poolCumulative {
        fillStratifiedPool(
          pool, count: poolSize, r: rng.next(), cumulative: cumulative, trackCount: p.trackCount)
      } else {
        for k in 0..<poolSize { pool[k] = drawNegative(rng.next(), alias: alias, n: n) }
      }
      rows.reserve(poolSize)
      for k in 0..<poolSize { poolRows[k] = rows.prepareOutput(pool[k]) }
      rows.completePrepared()
    }
    if shared {
      for d in 1..<group {
        let r = rng.next()
        ahead[d] = r
        if !usePool { chorus_prefetch(alias + aliasIndex(r, n: n)) }
      }
    }
    for pl in playlists {
      let start = p.offsets[pl]
      let end = p.offsets[pl + 1]
      // Subsample the playlist (word2vec drops tokens before windowing).
      var m = 0
      for e in start..<end {
        let t = tracks[e]
        let k = keep[Int(t)]
        if k == UInt32.max || UInt32(truncatingIfNeeded: rng.next() >> 32) <= k {
          kept[m] = t
          m &+= 1
        }
      }
      counts.effectiveTokens &+= m
      if m < 2 { continue }
      let progress = Double(epochOffset + start) / p.scheduleLength
      let alpha = Float(
        max(p.minLearningRate, p.learningRate - (p.learningRate - p.minLearningRate) * progress))
      // Next-track only: the last track has no context after it and is no center.
      for i in 0..<(both ? m : m &- 1) {
        var w = window
        if p.reducedWindow && window > 1 {
          w = window &- Int(((rng.next() >> 32) &* UInt64(window)) >> 32)
        }
        // Contexts: `before` tracks ending just before i (both sides only), then `after`
        // tracks from i + 1 on.
        let before = both ? min(i, w) : 0
        let after = min(m &- 1, i &+ w) &- i
        let pairs = before &+ after
        if pairs == 0 { continue }
        let firstBefore = i &- before
        if rows.reserve(inputRows &+ pairs &* (deferNegatives ? 1 : group)) && usePool {
          for k in 0..<poolSize { poolRows[k] = rows.prepareOutput(pool[k]) }
        }
        // Draw every target of this position first (−1: a negative equal to its positive,
        // skipped as in word2vec), then prepare their rows: in separate loops, the cache misses
        // of the alias lookups, and then of the rows, overlap instead of queueing.
        if shared {
          // One set of negatives for the whole position (Ji et al. 2016), drawn one position
          // ahead: the alias entries were prefetched then, so these lookups hit the cache,
          // and the next position's are prefetched now without waiting for them.
          for d in 1..<group {
            drawn[d] =
              usePool
              ? pool[aliasIndex(ahead[d], n: poolN)] : drawNegative(ahead[d], alias: alias, n: n)
            let r = rng.next()
            ahead[d] = r
            if !usePool { chorus_prefetch(alias + aliasIndex(r, n: n)) }
          }
        }
        for pair in 0..<pairs {
          let positive = kept[pair < before ? firstBefore &+ pair : i &+ 1 &+ pair &- before]
          let slot = targets + pair &* group
          slot[0] = positive
          if usePool && !shared {
            // Fresh picks from the pool: their rows are ready, no look-up needed.
            let slotRows = targetRows + pair &* group
            for d in 1..<group {
              let k = aliasIndex(rng.next(), n: poolN)
              let t = pool[k]
              slot[d] = t == positive ? -1 : t
              slotRows[d] = poolRows[k]
            }
            continue
          }
          for d in 1..<group {
            let t = shared ? drawn[d] : drawNegative(rng.next(), alias: alias, n: n)
            slot[d] = t == positive ? -1 : t
          }
        }
        // The center's bucket row with the feature (−1: none, the track's own row alone).
        // Every row of the position is looked up once and starts loading here; the loads
        // overlap, and the rows are ready after `completePrepared`.
        let bucketRow = bucketRows?[Int(kept[i])] ?? -1
        let own = rows.prepareInput(kept[i])
        let bucketPointer = bucketRow >= 0 ? rows.prepareInput(bucketRow) : nil
        if usePool && !shared {
          for pair in 0..<pairs {
            let s = pair &* group
            targetRows[s] = rows.prepareOutput(targets[s])
          }
        } else if deferNegatives {
          // Positives in the overlay; negatives read from the shared rows (loading now).
          for pair in 0..<pairs {
            let first = pair &* group
            targetRows[first] = rows.prepareOutput(targets[first])
            for s in (first &+ 1)..<(first &+ group) where targets[s] >= 0 {
              let row = outputBase + Int(targets[s]) &* p.stride
              prefetch(row, count: p.stride)
              targetRows[s] = UnsafeMutablePointer(mutating: row)
            }
          }
        } else {
          for s in 0..<(pairs &* group) where targets[s] >= 0 {
            targetRows[s] = rows.prepareOutput(targets[s])
          }
        }
        rows.completePrepared()
        // Without the feature the center is the track's row, updated in place; with it, the
        // center is h = (u + b) / 2 in `combined`, and u and b each get half the gradient.
        var bucket: UnsafeMutablePointer<Float>? = nil
        let center: UnsafeMutablePointer<Float>
        if let b = bucketPointer {
          average(own, b, into: combined, blocks: blocks)
          bucket = b
          center = combined
        } else {
          center = own
        }
        if vectorLoop {
          var position = ChorusSGNSPosition(
            center: center, own: bucket == nil ? nil : own, bucket: bucket, targets: targets,
            targetRows: UnsafeRawPointer(targetRows).assumingMemoryBound(
              to: UnsafeMutablePointer<Float>?.self),
            pairs: pairs, group: group, blocks: blocks, gradient: gradient, sigmoid: sigmoid,
            tableLast: tableLast, tableScale: tableScale, maxExp: maxExp, alpha: alpha,
            skipSaturated: skipSaturated ? 1 : 0, deferNegatives: deferNegatives ? 1 : 0,
            log: deferNegatives
              ? deferred.reserveForVectorLoop(updates: pairs &* (group &- 1), centers: pairs)
              : ChorusSGNSLog())
          chorus_sgns_position(cLevel, &position)
          if deferNegatives { deferred.resume(from: position.log) }
          counts.pairs &+= pairs
          continue
        }
        for pair in 0..<pairs {
          let slot = targets + pair &* group
          let slotRows = targetRows + pair &* group
          counts.pairs &+= 1
          zero(gradient, blocks: blocks)
          if deferNegatives { deferred.beginPair() }
          for d in 0..<group {
            if slot[d] < 0 { continue }
            let label: Float = d == 0 ? 1 : 0
            let out = slotRows[d]
            let f = dot(center, out, blocks: blocks)
            let g: Float
            // Inside first, so that a NaN score (diverged training) takes the last branch
            // instead of trapping in the table index; the caller then reports divergence.
            if f < maxExp && f > -maxExp {
              g = (label - sigmoid[min(Int((f + maxExp) * tableScale), tableLast)]) * alpha
            } else if skipSaturated {
              // gensim: a saturated target is left alone (so is a NaN score).
              continue
            } else if f >= maxExp {
              g = (label - 1) * alpha
            } else {
              g = label * alpha
            }
            if deferNegatives && d > 0 {
              // The shared row as the round began: the gradient takes it, and its own
              // update waits for the merge.
              accumulate(out, into: gradient, g: g, blocks: blocks)
              deferred.record(track: slot[d], g: g, center: center)
            } else {
              update(center: center, output: out, gradient: gradient, g: g, blocks: blocks)
            }
          }
          if let bucket {
            addHalf(gradient, into: own, and: bucket, average: combined, blocks: blocks)
          } else {
            add(gradient, into: center, blocks: blocks)
          }
        }
      }
    }
    return counts
  }

  /// The most context pairs one position trains: W, or 2W with both sides.
  static func maxPairs(window: Int, bothSides: Bool) -> Int { bothSides ? 2 * window : window }

  /// One draw from the alias table: the high 32 bits of `r` pick an entry, the low 32 bits
  /// decide between it and its alias.
  @inline(__always)
  static func drawNegative(_ r: UInt64, alias: UnsafePointer<UInt64>, n: UInt64) -> Int32 {
    resolveNegative(r, entry: alias[aliasIndex(r, n: n)], n: n)
  }

  /// The alias-table entry a random value picks.
  @inline(__always)
  static func aliasIndex(_ r: UInt64, n: UInt64) -> Int { Int(((r >> 32) &* n) >> 32) }

  /// The track a random value draws, given the entry it picked.
  @inline(__always)
  static func resolveNegative(_ r: UInt64, entry: UInt64, n: UInt64) -> Int32 {
    UInt32(truncatingIfNeeded: r) < UInt32(truncatingIfNeeded: entry >> 32)
      ? Int32(truncatingIfNeeded: aliasIndex(r, n: n)) : Int32(truncatingIfNeeded: entry)
  }

  // MARK: - Row kernels (SIMD8, stride = 8 × blocks)

  /// Prefetches every 64-byte line of a row (16 floats) without waiting for it: issued for
  /// many rows in a burst, the misses overlap each other and the arithmetic instead of
  /// arriving one by one inside the update loop. (Plain loads, used before, held the core
  /// until the data arrived: one epoch at mpd scale took 2 min 27 s, then 2 min 14–16 s.)
  @inline(__always)
  static func prefetch(_ row: UnsafePointer<Float>, count: Int) {
    RowPrefetch.lines(row, count: count)
  }

  @inline(__always)
  static func load(_ p: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(p).loadUnaligned(as: SIMD8<Float>.self)
  }

  @inline(__always)
  static func store(_ v: SIMD8<Float>, _ p: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(p).storeBytes(of: v, as: SIMD8<Float>.self)
  }

  /// a · b over 8 × blocks floats, two accumulators.
  @inline(__always)
  static func dot(_ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, blocks: Int) -> Float {
    var acc0 = SIMD8<Float>()
    var acc1 = SIMD8<Float>()
    var i = 0
    while i &+ 1 < blocks {
      let o = i &* 8
      acc0 += load(a + o) * load(b + o)
      acc1 += load(a + (o &+ 8)) * load(b + (o &+ 8))
      i &+= 2
    }
    if i < blocks { acc0 += load(a + i &* 8) * load(b + i &* 8) }
    let h = (acc0 + acc1).lowHalf + (acc0 + acc1).highHalf
    return (h[0] + h[2]) + (h[1] + h[3])
  }

  /// gradient += g · output; output += g · center (word2vec's order of the two updates).
  @inline(__always)
  static func update(
    center: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>,
    gradient: UnsafeMutablePointer<Float>, g: Float, blocks: Int
  ) {
    let gv = SIMD8<Float>(repeating: g)
    var i = 0
    while i < blocks {
      let o = i &* 8
      let ov = load(output + o)
      store(load(gradient + o) + gv * ov, gradient + o)
      store(ov + gv * load(center + o), output + o)
      i &+= 1
    }
  }

  /// gradient += g · output (the first half of `update`, with the same arithmetic).
  @inline(__always)
  static func accumulate(
    _ output: UnsafePointer<Float>, into gradient: UnsafeMutablePointer<Float>, g: Float,
    blocks: Int
  ) {
    let gv = SIMD8<Float>(repeating: g)
    var i = 0
    while i < blocks {
      let o = i &* 8
      store(load(gradient + o) + gv * load(output + o), gradient + o)
      i &+= 1
    }
  }

  /// row += g · center (the second half of `update`, with the same arithmetic).
  @inline(__always)
  static func addScaled(
    _ center: UnsafePointer<Float>, g: Float, into row: UnsafeMutablePointer<Float>, blocks: Int
  ) {
    let gv = SIMD8<Float>(repeating: g)
    var i = 0
    while i < blocks {
      let o = i &* 8
      store(load(row + o) + gv * load(center + o), row + o)
      i &+= 1
    }
  }

  /// row += delta.
  @inline(__always)
  static func add(_ delta: UnsafePointer<Float>, into row: UnsafeMutablePointer<Float>, blocks: Int)
  {
    var i = 0
    while i < blocks {
      let o = i &* 8
      store(load(row + o) + load(delta + o), row + o)
      i &+= 1
    }
  }

  /// out = (a + b) / 2.
  @inline(__always)
  static func average(
    _ a: UnsafePointer<Float>, _ b: UnsafePointer<Float>, into out: UnsafeMutablePointer<Float>,
    blocks: Int
  ) {
    let half = SIMD8<Float>(repeating: 0.5)
    var i = 0
    while i < blocks {
      let o = i &* 8
      store((load(a + o) + load(b + o)) * half, out + o)
      i &+= 1
    }
  }

  /// a += delta / 2; b += delta / 2; mean = (a + b) / 2 (the gradient of a mean of two rows).
  @inline(__always)
  static func addHalf(
    _ delta: UnsafePointer<Float>, into a: UnsafeMutablePointer<Float>,
    and b: UnsafeMutablePointer<Float>, average mean: UnsafeMutablePointer<Float>, blocks: Int
  ) {
    let half = SIMD8<Float>(repeating: 0.5)
    var i = 0
    while i < blocks {
      let o = i &* 8
      let d = load(delta + o) * half
      let av = load(a + o) + d
      let bv = load(b + o) + d
      store(av, a + o)
      store(bv, b + o)
      store((av + bv) * half, mean + o)
      i &+= 1
    }
  }

  /// row −= other.
  @inline(__always)
  static func subtract(
    _ other: UnsafePointer<Float>, from row: UnsafeMutablePointer<Float>, blocks: Int
  ) {
    var i = 0
    while i < blocks {
      let o = i &* 8
      store(load(row + o) - load(other + o), row + o)
      i &+= 1
    }
  }

  @inline(__always)
  static func zero(_ row: UnsafeMutablePointer<Float>, blocks: Int) {
    var i = 0
    while i < blocks {
      store(SIMD8<Float>(), row + i &* 8)
      i &+= 1
    }
  }
}

#if canImport(Glibc)
  import Glibc
  @inline(__always) func _exp(_ x: Double) -> Double { Glibc.exp(x) }
#else
  import Foundation
  @inline(__always) func _exp(_ x: Double) -> Double { Foundation.exp(x) }
#endif
