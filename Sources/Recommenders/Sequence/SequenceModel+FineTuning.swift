// Fine-tuning a trained sequence model (the lab's labelled alternative to retraining per
// run): the same training loop, started from this model's table and aggregator instead of
// the ALS or random start, for a few more epochs on other playlists. Retraining from
// scratch stays the reference; notebook 08 measures how far the two agree.
import ChorusCore

extension SequenceModel: FineTunableRecommender {
  /// This model trained `epochs` more epochs on `playlists` through the shared loop; `self`
  /// is unchanged.
  ///
  /// Tracks this model has rows for keep them (trained or not); tracks beyond its
  /// `trackCount` (a new target track) start as `newTracks` says: at their ALS fold-in
  /// (`foldIn`, see `foldInRows`) or at zero. The epochs are numbered after this model's own (its seed, its learning
  /// rate schedule), so their windows, negatives and dropout are fresh streams; optimiser
  /// velocities start at zero. Candidates and the popularity fallback follow `playlists`.
  /// The result's config counts every epoch (`epochs` added) and its history appends the
  /// new ones. Byte-identical on any thread count.
  /// - Precondition: `trackCount` ≥ this model's `trackCount`, `epochs` ≥ 0.
  /// - Throws: `ChorusError` naming the epoch when training diverges.
  /// - Complexity: O(trackCount × dim) plus `epochs` epochs of training.
  public func fineTuned(
    on playlists: PlaylistStore, trackCount newCount: Int, epochs: Int,
    newTracks: NewTrackStart
  ) throws -> any Recommender {
    try fineTunedModel(on: playlists, trackCount: newCount, epochs: epochs, newTracks: newTracks)
  }

  /// `fineTuned(on:trackCount:epochs:)` with the concrete type.
  public func fineTunedModel(
    on playlists: PlaylistStore, trackCount newCount: Int, epochs: Int,
    newTracks: NewTrackStart = .foldIn
  ) throws -> SequenceModel {
    precondition(newCount >= trackCount, "fine-tuning cannot drop tracks")
    precondition(epochs >= 0, "epochs must be non-negative")
    guard playlists.entryCount > 0 else {
      throw ChorusError(
        .data, "no training data: the playlists to fine-tune on are empty",
        hint: "use a larger dataset")
    }
    var table = embeddings
    table.append(contentsOf: repeatElement(0, count: (newCount - trackCount) * config.dim))
    if newTracks == .foldIn && newCount > trackCount {
      try foldInRows(trackCount..<newCount, of: &table, playlists: playlists)
    }
    let frequency = trackFrequencies(playlists, trackCount: newCount)
    let weights = try SequenceTraining.train(
      playlists: playlists, trackCount: newCount, frequency: frequency, network: network,
      table: table, params: params, epochs: config.epochs..<(config.epochs + epochs))
    var tuned = config
    tuned.epochs = config.epochs + epochs
    return SequenceModel(
      aggregator: aggregator, config: tuned, frequency: frequency,
      fingerprint: DatasetFingerprint(playlists: playlists, trackCount: newCount),
      table: weights.table, params: weights.params, history: history + weights.history)
  }

  /// Sets the rows `rows` of `table` (trackCount × dim, by id) to their implicit-ALS
  /// fold-in on `playlists`: with the track factors fixed at `table`, three warm-started
  /// solves of every playlist's factor, then with those fixed three solves of the tracks'
  /// (the config's ALS regularisation, the ALS defaults otherwise); only `rows` are kept.
  /// Deterministic on any thread count, as ALS.
  /// - Complexity: six ALS half-iterations over `playlists`.
  func foldInRows(_ rows: Range<Int>, of table: inout [Float], playlists: PlaylistStore) throws {
    let dim = config.dim
    let count = table.count / dim
    var als = ALSConfig()
    als.factors = dim
    als.regularization = config.alsRegularization
    als.seed = config.seed
    var fit = ALSFactorization(playlists: playlists, itemCount: count, config: als)
    let stride = als.rowStride
    for t in 0..<count {
      for d in 0..<dim { fit.items[t * stride + d] = table[t * dim + d] }
    }
    for _ in 0..<3 { fit.solveUsers() }
    for _ in 0..<3 { fit.solveItems() }
    for t in rows {
      for d in 0..<dim { table[t * dim + d] = fit.items[t * stride + d] }
    }
    guard table.allSatisfy({ $0.isFinite }) else {
      throw ChorusError(
        .config, "the ALS fold-in of the new tracks diverged (infinite or NaN factors)",
        field: "alsRegularization", hint: "raise alsRegularization, or start new tracks at zero")
    }
  }
}
