// Deterministic parallel SGNS training (Mikolov et al. 2013) in synchronous rounds: the
// playlists are cut once into chunks of about `chunkTokens` entries; a round trains
// `chunksPerRound` chunks in parallel, each sequentially on a private overlay of the rows it
// touches (reading the matrices as of the start of the round), then adds the chunks' deltas
// in chunk order. Chunks, streams and merge order depend only on data and config, so the
// vectors are byte-identical on any thread count. Hogwild is the opt-in exception.
import ChorusCore

/// Deterministic counts of one training run.
public struct EmbeddingTrainingStats: Codable, Sendable, Equatable {
  /// Passes over the data.
  public var epochs = 0
  /// Training entries per epoch (before subsampling).
  public var entriesPerEpoch = 0
  /// Entries kept by subsampling, summed over epochs.
  public var effectiveTokens = 0
  /// Positive (track, context track) pairs trained, summed over epochs.
  public var pairs = 0
  /// Chunks per epoch.
  public var chunksPerEpoch = 0
  /// Synchronous rounds per epoch.
  public var roundsPerEpoch = 0
  /// True when trained with Hogwild (then the vectors depend on thread timing).
  public var hogwild = false

  /// All zero (filled in by training).
  public init() {}
}

extension EmbeddingModel {
  /// Trained matrices in track-id order.
  struct TrainedVectors {
    /// Row-major, trackCount × stride, Float32 (padding columns are zero). With
    /// `popularityFeature`, row t holds h(t) = (u_t + b_bucket(t)) / 2 and the bucket rows
    /// follow (`popularityBucketRows` of them, not part of the model).
    var input: PageAlignedMatrix
    /// Row-major, trackCount × stride, Float32.
    var output: PageAlignedMatrix
    var stats: EmbeddingTrainingStats
  }

  /// Input rows after the tracks' with `popularityFeature`: one per bucket ⌊log2 f⌋ of an
  /// Int32 frequency f ≥ 1 (0…30), rounded up to 32.
  static let popularityBucketRows = 32

  /// Per track, the input row of its popularity bucket: trackCount + ⌊log2 f⌋ (f ≥ 1);
  /// tracks never seen (f = 0) never occur as centers and get bucket 0. With
  /// `maxFrequency` > 0, tracks in more playlists get −1: no bucket, their own row alone.
  static func popularityBuckets(
    frequency: [Int32], trackCount: Int, maxFrequency: Int = 0
  ) -> [Int32] {
    frequency.map { f in
      if maxFrequency > 0 && Int(f) > maxFrequency { return -1 }
      let bucket = f > 0 ? 31 - UInt32(f).leadingZeroBitCount : 0
      return Int32(trackCount + bucket)
    }
  }

  /// Trains input and output vectors on `playlists`.
  /// - Complexity: O(epochs × entries × window × (negatives + 1) × dim), spread over
  ///   `ParallelConfig.threads`; extra memory about chunksPerRound × chunkTokens × 20 rows.
  static func train(
    playlists: PlaylistStore, trackCount: Int, frequency: [Int32], config: EmbeddingConfig,
    progress: ProgressBar?
  ) -> TrainedVectors {
    let stride = config.rowStride
    // With the popularity feature, bucket rows follow the tracks' rows (zero at the start,
    // so h(t) starts at u_t / 2); the overlays and merges treat them like any input row.
    let buckets =
      config.popularityFeature
      ? popularityBuckets(
        frequency: frequency, trackCount: trackCount,
        maxFrequency: config.popularityFeatureMaxFrequency) : []
    let input = PageAlignedMatrix(
      rows: trackCount + (config.popularityFeature ? popularityBucketRows : 0), stride: stride)
    initializeInput(input, rows: trackCount, config: config)
    let output = PageAlignedMatrix(rows: trackCount, stride: stride)
    let weights = frequency.map { $0 > 0 ? _pow(Double($0), config.negativeExponent) : 0 }
    // Read at random once per negative and per entry: in huge pages like the matrices.
    let alias = PageAlignedBuffer(SGNSKernel.makeAliasTable(weights: weights), padding: 0)
    // Only with a stratified pool: the table as cumulative weights, for its quantiles.
    let cumulative =
      config.negativePool > 0 && config.stratifiedPool
      ? SGNSKernel.makeCumulativeWeights(weights) : []
    let keep = PageAlignedBuffer(
      SGNSKernel.makeKeepThresholds(
        frequency: frequency, entries: playlists.entryCount, threshold: config.subsample),
      padding: 0)
    let sigmoid = SGNSKernel.makeSigmoidTable()
    let chunkStarts = chunkBoundaries(playlists, tokens: config.chunkTokens)
    let chunkCount = chunkStarts.count - 1
    let perRound = config.chunksPerRound
    var maxLength = 1
    for p in 0..<playlists.count { maxLength = max(maxLength, playlists.length(p)) }
    var stats = EmbeddingTrainingStats()
    stats.epochs = config.epochs
    stats.entriesPerEpoch = playlists.entryCount
    stats.chunksPerEpoch = chunkCount
    stats.roundsPerEpoch = (chunkCount + perRound - 1) / perRound
    stats.hogwild = config.hogwild

    playlists.tracks.withUnsafeBufferPointer { tracks in
      playlists.offsets.withUnsafeBufferPointer { offsets in
        buckets.withUnsafeBufferPointer { buckets in
          sigmoid.withUnsafeBufferPointer { sigmoid in
            cumulative.withUnsafeBufferPointer { cumulative in
              var params = SGNSParameters(
                tracks: tracks.baseAddress!, offsets: offsets.baseAddress!,
                keep: keep.base, alias: alias.base, trackCount: trackCount,
                sigmoid: sigmoid.baseAddress!, stride: stride, window: config.window,
                bothSides: config.contextDirection == .both, reducedWindow: config.reducedWindow,
                negatives: config.negatives,
                sharedNegatives: config.sharedNegatives, negativePool: config.negativePool,
                poolCumulative: cumulative.isEmpty ? nil : cumulative.baseAddress!,
                skipSaturated: config.skipSaturated,
                learningRate: config.learningRate, minLearningRate: config.minLearningRate,
                scheduleLength: Double(playlists.entryCount) * Double(config.epochs),
                bucketRows: config.popularityFeature ? buckets.baseAddress! : nil)
              params.deferredNegatives = config.deferredNegatives
              params.kernelLevel = KernelLevel.current
              let maxPairs = SGNSKernel.maxPairs(
                window: config.window, bothSides: config.contextDirection == .both)
              let states = (0..<(config.hogwild ? 0 : min(perRound, chunkCount))).map { _ in
                SGNSChunkState(
                  stride: stride, maxPlaylistLength: maxLength,
                  targets: (maxPairs + 1) * (config.negatives + 1),
                  ahead: config.negatives + 1, pool: config.negativePool)
              }
              // One log of deferred negative updates per chunk of a round (unused when off).
              let logs = states.map { _ in
                config.deferredNegatives
                  ? SGNSDeferredLog(
                    stride: stride, updates: config.chunkTokens * maxPairs * config.negatives,
                    centers: config.chunkTokens * maxPairs / 2)
                  : SGNSDeferredLog(stride: stride)
              }
              let inPtr = SendablePointer(input.base)
              let outPtr = SendablePointer(output.base)
              for epoch in 0..<config.epochs {
                let counts: [SGNSChunkCounts]
                if config.hogwild {
                  counts = hogwildEpoch(
                    params, epoch: epoch, chunkStarts: chunkStarts, maxLength: maxLength,
                    input: inPtr, output: outPtr, seed: config.seed, progress: progress)
                } else {
                  counts = roundsEpoch(
                    params, epoch: epoch, chunkStarts: chunkStarts, perRound: perRound,
                    states: states, logs: logs, input: inPtr, output: outPtr,
                    seed: config.seed, progress: progress)
                }
                for c in counts {
                  stats.effectiveTokens += c.effectiveTokens
                  stats.pairs += c.pairs
                }
              }
            }
          }
        }
      }
    }
    withExtendedLifetime((alias, keep)) {}
    if config.popularityFeature {
      combinePopularityBuckets(input, buckets: buckets, frequency: frequency, stride: stride)
    }
    return TrainedVectors(input: input, output: output, stats: stats)
  }

  /// Replaces each seen track's row u_t by h(t) = (u_t + b_bucket(t)) / 2, the input vector
  /// training used for it; unseen tracks (never queried, never candidates) and tracks
  /// without a bucket keep u_t.
  static func combinePopularityBuckets(
    _ input: PageAlignedMatrix, buckets: [Int32], frequency: [Int32], stride: Int
  ) {
    let base = SendablePointer(input.base)
    buckets.withUnsafeBufferPointer { buckets in
      frequency.withUnsafeBufferPointer { frequency in
        let bucketPtr = SendablePointer(UnsafeMutablePointer(mutating: buckets.baseAddress!))
        let freqPtr = SendablePointer(UnsafeMutablePointer(mutating: frequency.baseAddress!))
        Parallel.forEachChunk(count: buckets.count, chunkSize: 4096) { _, range in
          for t in range where freqPtr.base[t] > 0 && bucketPtr.base[t] >= 0 {
            let row = base.base + t * stride
            SGNSKernel.average(
              row, base.base + Int(bucketPtr.base[t]) * stride, into: row, blocks: stride >> 3)
          }
        }
      }
    }
  }

  /// One epoch in synchronous rounds: train chunks on overlays, then merge by shard; with
  /// `deferredNegatives`, then add every chunk's deferred negative updates, chunk after
  /// chunk, split over the threads by row.
  private static func roundsEpoch(
    _ params: SGNSParameters, epoch: Int, chunkStarts: [Int], perRound: Int,
    states: [SGNSChunkState], logs: [SGNSDeferredLog],
    input: SendablePointer<Float>, output: SendablePointer<Float>, seed: UInt64,
    progress: ProgressBar?
  ) -> [SGNSChunkCounts] {
    let chunkCount = chunkStarts.count - 1
    let epochOffset = epoch * Int(params.offsets[chunkStarts[chunkCount]])
    var all: [SGNSChunkCounts] = []
    all.reserveCapacity(chunkCount)
    var first = 0
    while first < chunkCount {
      let inRound = min(perRound, chunkCount - first)
      let roundFirst = first
      let counts = Parallel.mapChunks(count: inRound, chunkSize: 1) { i, _ in
        let chunk = roundFirst + i
        let state = states[i]
        state.reset()
        var rng = RandomStream(
          seed: seed, component: "embedding.sgns", chunk: UInt64(epoch) << 32 | UInt64(chunk))
        var rows = OverlayRows(state: state, input: input.base, output: output.base)
        logs[i].reset()
        var deferred = DeferredUpdates(log: logs[i])
        let c = SGNSKernel.trainChunk(
          params, playlists: chunkStarts[chunk]..<chunkStarts[chunk + 1],
          epochOffset: epochOffset, rows: &rows, rng: &rng, kept: state.kept,
          gradient: state.gradient, combined: state.combined, targets: state.targets,
          targetRows: state.targetRows, ahead: state.ahead, pool: state.pool,
          poolRows: state.poolRows, deferred: &deferred)
        rows.close()
        deferred.close()
        state.makeDeltas(input: input.base, output: output.base)
        return c
      }
      // Merge in chunk order; the rows of one chunk are distinct, so each merge is parallel.
      for i in 0..<inRound {
        let state = states[i]
        Parallel.forEachChunk(count: state.rowCount, chunkSize: 1024) { _, range in
          state.merge(range, input: input.base, output: output.base)
        }
      }
      if params.deferredNegatives {
        // Each part owns the rows whose track ≡ part (mod parts) and adds their updates in
        // chunk order, so a row's updates arrive in the same order for any number of parts
        // (a power of two, for the mask: the largest not above the thread count).
        var largest = 1
        while largest * 2 <= min(ParallelConfig.threads, 64) { largest *= 2 }
        let parts = largest
        Parallel.forEachChunk(count: parts, chunkSize: 1) { part, _ in
          for i in 0..<inRound { logs[i].apply(part: part, of: parts, output: output.base) }
        }
      }
      all.append(contentsOf: counts)
      if let progress {
        let tokens =
          params.offsets[chunkStarts[first + inRound]] - params.offsets[chunkStarts[first]]
        progress.step(tokens)
      }
      first += inRound
    }
    return all
  }

  /// One epoch of Hogwild: every chunk updates the shared matrices directly.
  private static func hogwildEpoch(
    _ params: SGNSParameters, epoch: Int, chunkStarts: [Int], maxLength: Int,
    input: SendablePointer<Float>, output: SendablePointer<Float>, seed: UInt64,
    progress: ProgressBar?
  ) -> [SGNSChunkCounts] {
    let chunkCount = chunkStarts.count - 1
    let epochOffset = epoch * Int(params.offsets[chunkStarts[chunkCount]])
    // Never written (`deferredNegatives` is refused with Hogwild): one empty log for all.
    let unusedLog = SGNSDeferredLog(stride: params.stride)
    return Parallel.mapChunks(count: chunkCount, chunkSize: 1) { chunk, _ in
      let kept = UnsafeMutablePointer<Int32>.allocate(capacity: maxLength)
      let gradient = UnsafeMutablePointer<Float>.allocate(capacity: params.stride)
      let combined = UnsafeMutablePointer<Float>.allocate(capacity: params.stride)
      let targetCount =
        (SGNSKernel.maxPairs(window: params.window, bothSides: params.bothSides) + 1)
        * (params.negatives + 1)
      let targets = UnsafeMutablePointer<Int32>.allocate(capacity: targetCount)
      let targetRows = UnsafeMutablePointer<UnsafeMutablePointer<Float>>.allocate(
        capacity: targetCount)
      let ahead = UnsafeMutablePointer<UInt64>.allocate(capacity: params.negatives + 1)
      let pool = UnsafeMutablePointer<Int32>.allocate(capacity: max(1, params.negativePool))
      let poolRows = UnsafeMutablePointer<UnsafeMutablePointer<Float>>.allocate(
        capacity: max(1, params.negativePool))
      defer {
        pool.deallocate()
        poolRows.deallocate()
        kept.deallocate()
        gradient.deallocate()
        combined.deallocate()
        targets.deallocate()
        targetRows.deallocate()
        ahead.deallocate()
      }
      var rng = RandomStream(
        seed: seed, component: "embedding.sgns", chunk: UInt64(epoch) << 32 | UInt64(chunk))
      var rows = SharedRows(inputBase: input.base, outputBase: output.base, stride: params.stride)
      let range = chunkStarts[chunk]..<chunkStarts[chunk + 1]
      var deferred = DeferredUpdates(log: unusedLog)
      let c = SGNSKernel.trainChunk(
        params, playlists: range, epochOffset: epochOffset, rows: &rows, rng: &rng, kept: kept,
        gradient: gradient, combined: combined, targets: targets, targetRows: targetRows,
        ahead: ahead, pool: pool, poolRows: poolRows, deferred: &deferred)
      progress?.step(params.offsets[range.upperBound] - params.offsets[range.lowerBound])
      return c
    }
  }

  /// Playlist indices where chunks start (plus the end): whole playlists, each chunk holding
  /// at least `tokens` entries except the last.
  static func chunkBoundaries(_ playlists: PlaylistStore, tokens: Int) -> [Int] {
    var starts = [0]
    var size = 0
    for p in 0..<playlists.count {
      size += playlists.length(p)
      if size >= tokens && p + 1 < playlists.count {
        starts.append(p + 1)
        size = 0
      }
    }
    starts.append(playlists.count)
    return starts
  }

  /// The first `rows` input vectors uniform in (−r/dim, r/dim), r = `initialRange` (0.5
  /// as in word2vec), one stream per 4096 rows; rows after them (popularity buckets) stay
  /// zero.
  static func initializeInput(_ input: PageAlignedMatrix, rows: Int, config: EmbeddingConfig) {
    let stride = config.rowStride
    let dim = config.dim
    // 2r / dim: for r = 0.5 exactly 1 / dim, the scale before the setting existed.
    let scale = Float(2 * config.initialRange) / Float(dim)
    let base = SendablePointer(input.base)
    Parallel.forEachChunk(count: rows, chunkSize: 4096) { chunk, range in
      var rng = RandomStream(seed: config.seed, component: "embedding.init", chunk: UInt64(chunk))
      for t in range {
        let row = base.base + t * stride
        for d in 0..<dim {
          let u = Float(rng.next() >> 40) * 0x1.0p-24
          row[d] = (u - 0.5) * scale
        }
      }
    }
  }
}

#if canImport(Glibc)
  import Glibc
  @inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { Glibc.pow(x, y) }
#else
  import Foundation
  @inline(__always) func _pow(_ x: Double, _ y: Double) -> Double { Foundation.pow(x, y) }
#endif
