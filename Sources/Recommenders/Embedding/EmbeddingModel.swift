// The sequential embedding model (Experiments/PROTOCOL.md §5): skip-gram with negative sampling
// (Mikolov et al. 2013) trained in the next-track direction, so input(a) · output(b) is high when b
// tends to follow a (or with contexts on both sides, when b tends to be near a). A seed context
// becomes one query (mean or recency-weighted input vectors of its known tracks) scored against
// every output vector. Training lives in
// EmbeddingModel+Training.swift, batch top-K in +TopK, files in +IO.
import ChorusCore

/// Sequential item2vec-style recommender: SGNS track vectors, dot-product scores.
///
/// Candidates are the tracks seen in training (frequency > 0); a context without a known
/// track gets the popularity order. Scores are exact over all candidates; ties go to the
/// lower track id.
public struct EmbeddingModel: Recommender {
  /// The settings the vectors were trained with.
  public let config: EmbeddingConfig
  /// Tracks `0..<trackCount`; those with frequency 0 are never recommended.
  public let trackCount: Int
  /// Per track: training playlists containing it. Length trackCount.
  public let frequency: [Int32]
  /// Tracks seen in training by frequency (ties by id): the answer for unknown contexts.
  public let fallbackOrder: [Int32]
  /// The training data this model belongs to (checked when a saved model is loaded).
  public let fingerprint: DatasetFingerprint
  /// Deterministic counts of the training run.
  public let stats: EmbeddingTrainingStats
  let index: EmbeddingIndex

  /// Trains on `playlists` (dense ids below `trackCount`).
  ///
  /// Byte-identical vectors for the same data, config and seed on any thread count, unless
  /// `config.hogwild` is on.
  /// - Complexity: O(epochs × entries × window × (negatives + 1) × dim) in parallel; memory
  ///   about 8 × dim bytes per track plus a round's overlays.
  public init(
    playlists: PlaylistStore, trackCount: Int, config: EmbeddingConfig = EmbeddingConfig(),
    progress: ProgressBar? = nil
  ) throws {
    try config.validate()
    guard playlists.entryCount > 0 else {
      throw ChorusError(
        .data, "no training data: the training playlists are empty", hint: "use a larger dataset")
    }
    precondition(trackCount < 1 << 30, "the embedding model supports fewer than 2^30 tracks")
    let frequency = trackFrequencies(playlists, trackCount: trackCount)
    let trained = EmbeddingModel.train(
      playlists: playlists, trackCount: trackCount, frequency: frequency, config: config,
      progress: progress)
    for matrix in [trained.input, trained.output] {
      let values = UnsafeBufferPointer(start: matrix.base, count: trackCount * config.rowStride)
      if values.contains(where: { !$0.isFinite }) {
        throw ChorusError(
          .config,
          "embedding training diverged (vectors became infinite or NaN) at learningRate \(config.learningRate)",
          field: "learningRate",
          hint: "lower learningRate (the default is 0.05; 0.025 is safer with popularityFeature)")
      }
    }
    let index = EmbeddingIndex(
      input: UnsafeBufferPointer(start: trained.input.base, count: trackCount * config.rowStride),
      output: UnsafeBufferPointer(start: trained.output.base, count: trackCount * config.rowStride),
      trackCount: trackCount, dim: config.dim, frequency: frequency)
    self.init(
      config: config, frequency: frequency,
      fingerprint: DatasetFingerprint(playlists: playlists, trackCount: trackCount),
      stats: trained.stats, index: index)
  }

  /// A model from given vectors (loaded files, imports, benchmarks).
  ///
  /// - Parameters:
  ///   - input: row-major Float32 input vectors by track id, trackCount × dim (or
  ///     trackCount × config.rowStride with zero padding).
  ///   - output: the output vectors, same layout.
  ///   - frequency: per track, training playlists containing it (decides the candidates and
  ///     the fallback order); its length is the track count.
  /// - Complexity: O(trackCount × (dim + log trackCount)).
  public init(
    config: EmbeddingConfig, frequency: [Int32], fingerprint: DatasetFingerprint,
    stats: EmbeddingTrainingStats, input: [Float], output: [Float]
  ) {
    let n = frequency.count
    let stride = config.rowStride
    func rows(_ m: [Float], _ name: String) -> [Float] {
      if m.count == n * stride { return m }
      precondition(m.count == n * config.dim, "\(name) must hold trackCount × dim floats")
      var out = [Float](repeating: 0, count: n * stride)
      for t in 0..<n {
        for d in 0..<config.dim { out[t * stride + d] = m[t * config.dim + d] }
      }
      return out
    }
    let index = rows(input, "input").withUnsafeBufferPointer { i in
      rows(output, "output").withUnsafeBufferPointer { o in
        EmbeddingIndex(input: i, output: o, trackCount: n, dim: config.dim, frequency: frequency)
      }
    }
    self.init(
      config: config, frequency: frequency, fingerprint: fingerprint, stats: stats, index: index)
  }

  init(
    config: EmbeddingConfig, frequency: [Int32], fingerprint: DatasetFingerprint,
    stats: EmbeddingTrainingStats, index: EmbeddingIndex
  ) {
    self.config = config
    self.trackCount = frequency.count
    self.frequency = frequency
    self.fallbackOrder = popularityOrder(frequency)
    self.fingerprint = fingerprint
    self.stats = stats
    self.index = index
  }

  /// Vector dimension.
  public var dim: Int { config.dim }

  // MARK: - Vectors

  /// The input vector of track `t` (dim floats).
  public func inputVector(_ t: Int32) -> [Float] { index.inputVector(Int(t)) }

  /// The output vector of track `t` (dim floats).
  public func outputVector(_ t: Int32) -> [Float] { index.outputVector(Int(t)) }

  /// Row-major, trackCount × dim, Float32: all input vectors by track id.
  public var inputMatrix: [Float] { unpadded(index.input) }

  /// Row-major, trackCount × dim, Float32: all output vectors by track id.
  /// - Complexity: O(trackCount × dim).
  public var outputMatrix: [Float] { unpadded(index.outputRows()) }

  private func unpadded(_ rows: [Float]) -> [Float] {
    let stride = index.stride
    if stride == dim { return rows }
    var out: [Float] = []
    out.reserveCapacity(trackCount * dim)
    for t in 0..<trackCount { out.append(contentsOf: rows[(t * stride)..<(t * stride + dim)]) }
    return out
  }

  /// The query vector of `context` (dim floats), or nil when it holds no track seen in
  /// training. Recency weights count positions, so unknown tracks still age the others.
  public func contextVector(_ context: [Int32]) -> [Float]? {
    var q = [Float](repeating: 0, count: dim)
    let known = context.withUnsafeBufferPointer { c in
      q.withUnsafeMutableBufferPointer { makeQuery(c, into: $0.baseAddress!) }
    }
    return known ? q : nil
  }

  /// Writes the query of `context` into `out` (dim floats); false when no seed is known.
  /// The single and batch paths both build queries here, so their scores agree bit for bit.
  /// - Complexity: O(context × dim).
  func makeQuery(_ context: UnsafeBufferPointer<Int32>, into out: UnsafeMutablePointer<Float>)
    -> Bool
  {
    let dim = self.dim
    let stride = index.stride
    let decay = config.effectiveDecay
    let trackCount = self.trackCount
    out.update(repeating: 0, count: dim)
    var weight: Float = 1
    var total: Float = 0
    return index.input.withUnsafeBufferPointer { input in
      frequency.withUnsafeBufferPointer { freq in
        var j = context.count - 1
        while j >= 0 {
          let t = Int(context[j])
          if t >= 0 && t < trackCount && freq[t] > 0 {
            let row = input.baseAddress! + t * stride
            for d in 0..<dim { out[d] += weight * row[d] }
            total += weight
          }
          weight *= decay
          j -= 1
        }
        if total == 0 { return false }
        let scale = 1 / total
        for d in 0..<dim { out[d] *= scale }
        return true
      }
    }
  }

  // MARK: - Scoring

  /// Adds the score of every candidate (exact dot products, same bits as the batch path).
  /// - Complexity: O(candidates × dim) per call; prefer `recommendAll` for many contexts.
  public func score(context: UnsafeBufferPointer<Int32>, into acc: inout ScoreAccumulator) {
    var q = [Float](repeating: 0, count: dim)
    let known = q.withUnsafeMutableBufferPointer { makeQuery(context, into: $0.baseAddress!) }
    guard known else { return }
    q.withUnsafeBufferPointer { index.scoreAll(query: $0.baseAddress!, into: &acc) }
  }

  /// The score of `track` for `context` (nil when the context has no known track).
  public func score(of track: Int32, context: [Int32]) -> Float? {
    guard let q = contextVector(context) else { return nil }
    return q.withUnsafeBufferPointer { qb in
      index.panels.withUnsafeBufferPointer { panels in
        EmbeddingSearchKernel.scalarDot(
          query: qb.baseAddress!, panels: panels.baseAddress!,
          position: Int(index.position[Int(track)]), dim: dim)
      }
    }
  }

  // MARK: - Loss

  /// Mean SGNS loss per positive pair on `playlists`: −log σ(in_a·out_b) − Σ log σ(−in_a·out_n)
  /// over every pair (a, b) with b within `window` after a (or on either side of it with
  /// `contextDirection` `both`), with `negatives` negatives per
  /// pair drawn from the training distribution with `seed`. Exact (no table); for tests and
  /// diagnostics.
  /// - Complexity: O(entries × window × (negatives + 1) × dim).
  public func sgnsLoss(on playlists: PlaylistStore, seed: UInt64 = 0) -> Double {
    let weights = frequency.map { $0 > 0 ? _pow(Double($0), config.negativeExponent) : 0 }
    let alias = SGNSKernel.makeAliasTable(weights: weights)
    var rng = RandomStream(seed: seed, component: "embedding.loss")
    let output = index.outputRows()
    let stride = index.stride
    func logSigmoid(_ x: Double) -> Double { x >= 0 ? -_log1p(_exp(-x)) : x - _log1p(_exp(x)) }
    func dot(_ a: Int, _ b: Int) -> Double {
      var s = 0.0
      for d in 0..<dim { s += Double(index.input[a * stride + d]) * Double(output[b * stride + d]) }
      return s
    }
    var total = 0.0
    var pairs = 0
    for p in 0..<playlists.count {
      let list = Array(playlists[p])
      for i in 0..<list.count {
        let first = config.contextDirection == .both ? max(0, i - config.window) : i + 1
        for j in first..<min(list.count, i + 1 + config.window) where j != i {
          let a = Int(list[i])
          total -= logSigmoid(dot(a, Int(list[j])))
          for _ in 0..<config.negatives {
            let r = rng.next()
            let idx = Int(((r >> 32) &* UInt64(trackCount)) >> 32)
            let entry = alias[idx]
            let n =
              UInt32(truncatingIfNeeded: r) < UInt32(truncatingIfNeeded: entry >> 32)
              ? idx : Int(UInt32(truncatingIfNeeded: entry))
            total -= logSigmoid(-dot(a, n))
          }
          pairs += 1
        }
      }
    }
    return pairs == 0 ? 0 : total / Double(pairs)
  }
}

#if canImport(Glibc)
  import Glibc
  @inline(__always) func _log1p(_ x: Double) -> Double { Glibc.log1p(x) }
#else
  import Foundation
  @inline(__always) func _log1p(_ x: Double) -> Double { Foundation.log1p(x) }
#endif
