// The sequence-model recommender (mean or transformer aggregator over a trained track
// embedding table). A seed context's query is the aggregator's output at the last of its
// last maxSize − 1 tracks seen in training (as in training, where windows hold maxSize
// tracks and the last is only a target); a track scores its embedding's dot product with
// it. Exact top-K through the embedding model's norm-pruned search kernel, so ties,
// candidates and fallbacks behave as in the other vector models.
import ChorusCore

/// A track embedding table aggregated by `mean` or `transformer`; dot-product scores.
///
/// Candidates are the tracks seen in training (frequency > 0); a context without a known
/// track gets the popularity order. Ties go to the lower track id.
public struct SequenceModel: Recommender {
  /// The settings the weights were trained with.
  public let config: SequenceConfig
  /// How positions are aggregated.
  public let aggregator: SequenceAggregator
  /// Tracks `0..<trackCount`; those with frequency 0 are never recommended.
  public let trackCount: Int
  /// Per track: training playlists containing it.
  public let frequency: [Int32]
  public let fallbackOrder: [Int32]
  /// The training data the weights belong to.
  public let fingerprint: DatasetFingerprint
  /// Per epoch: mean loss, positions, seconds.
  public let history: [SequenceEpochStats]
  let network: SequenceNetwork
  /// The aggregator's dense parameters (empty for `mean`).
  let params: [Float]
  /// The embedding table as input rows (by id) and norm-ordered output panels.
  let index: EmbeddingIndex

  /// Trains on `playlists` (dense ids below `trackCount`): the initial table (ALS or
  /// random), then `config.epochs` epochs of the shared loop.
  ///
  /// Byte-identical weights for the same data, config and seed on any thread count.
  /// - Complexity: O(epochs × windows × (maxSize × cost of the aggregator + nNeg × dim))
  ///   plus one dense optimiser pass over the table per batch.
  public init(
    playlists: PlaylistStore, trackCount: Int, aggregator: SequenceAggregator,
    config: SequenceConfig = SequenceConfig()
  ) throws {
    try config.validate()
    guard playlists.entryCount > 0 else {
      throw ChorusError(
        .data, "no training data: the training playlists are empty", hint: "use a larger dataset")
    }
    let network = SequenceNetwork(aggregator: aggregator, config: config)
    let frequency = trackFrequencies(playlists, trackCount: trackCount)
    let initial = try SequenceTraining.initialTable(
      playlists: playlists, trackCount: trackCount, config: config)
    let weights = try SequenceTraining.train(
      playlists: playlists, trackCount: trackCount, frequency: frequency, network: network,
      table: initial)
    self.init(
      aggregator: aggregator, config: config, frequency: frequency,
      fingerprint: DatasetFingerprint(playlists: playlists, trackCount: trackCount),
      table: weights.table, params: weights.params, history: weights.history)
  }

  /// A model from given weights: `table` row-major trackCount × dim by id, `params` the
  /// aggregator's parameters (empty for `mean`); `frequency` decides the candidates.
  init(
    aggregator: SequenceAggregator, config: SequenceConfig, frequency: [Int32],
    fingerprint: DatasetFingerprint, table: [Float], params: [Float],
    history: [SequenceEpochStats]
  ) {
    let n = frequency.count
    let dim = config.dim
    let stride = (dim + 7) & ~7
    var padded = [Float](repeating: 0, count: n * stride)
    for t in 0..<n {
      for d in 0..<dim { padded[t * stride + d] = table[t * dim + d] }
    }
    self.config = config
    self.aggregator = aggregator
    self.trackCount = n
    self.frequency = frequency
    self.fallbackOrder = popularityOrder(frequency)
    self.fingerprint = fingerprint
    self.history = history
    self.network = SequenceNetwork(aggregator: aggregator, config: config)
    self.params = params
    index = padded.withUnsafeBufferPointer {
      EmbeddingIndex(input: $0, output: $0, trackCount: n, dim: dim, frequency: frequency)
    }
  }

  /// Row-major, trackCount × dim: the trained embedding table by track id.
  public var embeddings: [Float] {
    var out = [Float](repeating: 0, count: trackCount * config.dim)
    for t in 0..<trackCount {
      for d in 0..<config.dim { out[t * config.dim + d] = index.input[t * index.stride + d] }
    }
    return out
  }

  /// The query of `context`, or nil when none of its tracks was seen in training.
  public func contextVector(_ context: [Int32]) -> [Float]? {
    var q = [Float](repeating: 0, count: config.dim)
    let ws = network.makeWorkspace(training: false)
    let known = context.withUnsafeBufferPointer { c in
      q.withUnsafeMutableBufferPointer { makeQuery(c, into: $0.baseAddress!, ws: ws) }
    }
    return known ? q : nil
  }

  /// Writes the query of `context` into `out` (dim floats); false when no seed is known.
  /// Single and batch paths both build queries here, so their scores agree bit for bit.
  func makeQuery(
    _ context: UnsafeBufferPointer<Int32>, into out: UnsafeMutablePointer<Float>,
    ws: SequenceWorkspace
  ) -> Bool {
    let dim = config.dim
    let stride = index.stride
    var known: [Int32] = []
    var j = context.count - 1
    while j >= 0 && known.count < network.maxInput {
      let t = Int(context[j])
      if t >= 0 && t < trackCount && frequency[t] > 0 { known.append(Int32(t)) }
      j -= 1
    }
    if known.isEmpty { return false }
    known.reverse()
    let n = known.count
    index.input.withUnsafeBufferPointer { input in
      for (i, t) in known.enumerated() {
        (ws.x + i * dim).update(from: input.baseAddress! + Int(t) * stride, count: dim)
      }
    }
    params.withUnsafeBufferPointer { pb in
      network.forward(
        ws.x, n: n, params: pb.baseAddress ?? UnsafePointer(ws.x), ws: ws, rng: nil)
    }
    out.update(from: ws.reps + (n - 1) * dim, count: dim)
    return true
  }

  /// Adds the score of every candidate (exact dot products, same bits as the batch path).
  /// - Complexity: O(aggregator + candidates × dim) per call; prefer `recommendAll`.
  public func score(context: UnsafeBufferPointer<Int32>, into acc: inout ScoreAccumulator) {
    let dim = config.dim
    var q = [Float](repeating: 0, count: dim)
    let ws = network.makeWorkspace(training: false)
    let known = q.withUnsafeMutableBufferPointer {
      makeQuery(context, into: $0.baseAddress!, ws: ws)
    }
    guard known else { return }
    q.withUnsafeBufferPointer { index.scoreAll(query: $0.baseAddress!, into: &acc) }
  }

  /// Top-`k` for every context, exact, in parallel chunks of 64, deterministic.
  public func recommendAll(_ contexts: PlaylistStore, k: Int, progress: ProgressBar?)
    -> RecommendationTable
  {
    precondition(k > 0, "k must be positive")
    let n = contexts.count
    var items = [Int32](repeating: -1, count: n * k)
    items.withUnsafeMutableBufferPointer { buf in
      let base = SendablePointer(buf.baseAddress!)
      Parallel.forEachChunk(count: n, chunkSize: 64) { _, range in
        searchChunk(contexts, rows: range, k: k, output: base.base)
        progress?.step(range.count)
      }
    }
    return RecommendationTable(k: k, items: items)
  }

  /// Searches the contexts `rows` and writes their rows of `output` (row-major, × k), through
  /// the search the embedding model uses (exact, level-dispatched kernels).
  private func searchChunk(
    _ contexts: PlaylistStore, rows: Range<Int>, k: Int, output: UnsafeMutablePointer<Int32>
  ) {
    let ws = network.makeWorkspace(training: false)
    _ = index.searchRows(
      contexts, rows: rows, k: k, level: .current, trackCount: trackCount,
      fallbackOrder: fallbackOrder, output: output
    ) { context, query in makeQuery(context, into: query, ws: ws) }
  }

}
