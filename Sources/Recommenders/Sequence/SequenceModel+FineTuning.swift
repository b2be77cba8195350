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
  /// `trackCount` (a new target track) start at zero — the vector ALS gives a track with
  /// no playlists. The epochs are numbered after this model's own (its seed, its learning
  /// rate schedule), so their windows, negatives and dropout are fresh streams; optimiser
  /// velocities start at zero. Candidates and the popularity fallback follow `playlists`.
  /// The result's config counts every epoch (`epochs` added) and its history appends the
  /// new ones. Byte-identical on any thread count.
  /// - Precondition: `trackCount` ≥ this model's `trackCount`, `epochs` ≥ 0.
  /// - Throws: `ChorusError` naming the epoch when training diverges.
  /// - Complexity: O(trackCount × dim) plus `epochs` epochs of training.
  public func fineTuned(on playlists: PlaylistStore, trackCount newCount: Int, epochs: Int)
    throws -> any Recommender
  {
    try fineTunedModel(on: playlists, trackCount: newCount, epochs: epochs)
  }

  /// `fineTuned(on:trackCount:epochs:)` with the concrete type.
  public func fineTunedModel(on playlists: PlaylistStore, trackCount newCount: Int, epochs: Int)
    throws -> SequenceModel
  {
    precondition(newCount >= trackCount, "fine-tuning cannot drop tracks")
    precondition(epochs >= 0, "epochs must be non-negative")
    guard playlists.entryCount > 0 else {
      throw ChorusError(
        .data, "no training data: the playlists to fine-tune on are empty",
        hint: "use a larger dataset")
    }
    var table = embeddings
    table.append(contentsOf: repeatElement(0, count: (newCount - trackCount) * config.dim))
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
}
