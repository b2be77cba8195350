// The implicit-feedback matrix-factorisation recommender (the study's MF baseline): track
// factors from ALS on the training playlists; a seed context's query is the mean of its
// known tracks' factors, and a track scores its factor's dot product with it. Scoring and
// batch top-K reuse the embedding model's norm-pruned exact search with the track factors
// as both input and output vectors, so ties, candidates and fallbacks behave the same.
import ChorusCore

/// Implicit ALS (Hu, Koren & Volinsky 2008) with CG row solves; dot-product scores.
///
/// Candidates are the tracks seen in training (frequency > 0); a context without a known
/// track gets the popularity order. Scores are exact over all candidates; ties go to the
/// lower track id.
public struct ALSModel: Recommender {
  /// The settings the factors were fitted with.
  public let config: ALSConfig
  /// Tracks `0..<trackCount`; those with frequency 0 are never recommended.
  public let trackCount: Int
  /// Per track: training playlists containing it. Length trackCount.
  public let frequency: [Int32]
  /// The training data the factors belong to.
  public let fingerprint: DatasetFingerprint
  /// The search over the track factors (mean query, exact top-K).
  let scorer: EmbeddingModel

  /// Fits the factors on `playlists` (distinct dense ids below `trackCount` per playlist):
  /// `config.iterations` alternations, each re-solving every playlist and then every track.
  ///
  /// Byte-identical factors for the same data, config and seed on any thread count.
  /// - Complexity: O(iterations × (cgSteps + 1) × (rows × factors² + entries × factors))
  ///   in parallel over rows; memory 4 × stride bytes per playlist and per track, twice
  ///   for the tracks once the search index is built.
  public init(
    playlists: PlaylistStore, trackCount: Int, config: ALSConfig = ALSConfig(),
    progress: ProgressBar? = nil
  ) throws {
    try config.validate()
    guard playlists.entryCount > 0 else {
      throw ChorusError(
        .data, "no training data: the training playlists are empty", hint: "use a larger dataset")
    }
    var fit = ALSFactorization(playlists: playlists, itemCount: trackCount, config: config)
    for _ in 0..<config.iterations {
      fit.iterate()
      progress?.step()
    }
    if fit.items.contains(where: { !$0.isFinite }) || fit.users.contains(where: { !$0.isFinite }) {
      throw ChorusError(
        .config,
        "ALS diverged (factors became infinite or NaN) with regularization \(config.regularization) and alpha \(config.alpha)",
        field: "regularization", hint: "raise regularization or lower alpha")
    }
    self.init(
      config: config, frequency: trackFrequencies(playlists, trackCount: trackCount),
      fingerprint: DatasetFingerprint(playlists: playlists, trackCount: trackCount),
      itemFactors: fit.items)
  }

  /// A model from given track factors (row-major Float32 by track id, trackCount × factors,
  /// or trackCount × config.rowStride with zero padding); `frequency` decides the candidates
  /// and the fallback order, and its length is the track count.
  /// - Complexity: O(trackCount × (factors + log trackCount)).
  public init(
    config: ALSConfig, frequency: [Int32], fingerprint: DatasetFingerprint, itemFactors: [Float]
  ) {
    var search = EmbeddingConfig()
    search.dim = config.factors
    search.aggregation = .mean
    search.seed = config.seed
    self.config = config
    self.trackCount = frequency.count
    self.frequency = frequency
    self.fingerprint = fingerprint
    scorer = EmbeddingModel(
      config: search, frequency: frequency, fingerprint: fingerprint,
      stats: EmbeddingTrainingStats(), input: itemFactors, output: itemFactors)
  }

  /// Tracks seen in training by frequency (ties by id): the answer for unknown contexts.
  public var fallbackOrder: [Int32] { scorer.fallbackOrder }

  /// The factor of track `t` (`config.factors` floats).
  public func itemFactor(_ t: Int32) -> [Float] { scorer.inputVector(t) }

  /// Row-major, trackCount × factors, Float32: every track factor by id.
  public var itemFactors: [Float] { scorer.inputMatrix }

  /// The query of `context`: the mean factor of its tracks seen in training, or nil when
  /// there is none.
  public func contextVector(_ context: [Int32]) -> [Float]? { scorer.contextVector(context) }

  /// Adds the score of every candidate (exact dot products, same bits as the batch path).
  /// - Complexity: O(candidates × factors) per call; prefer `recommendAll` for many contexts.
  public func score(context: UnsafeBufferPointer<Int32>, into acc: inout ScoreAccumulator) {
    scorer.score(context: context, into: &acc)
  }

  /// Top-`k` for every context, exact, in parallel, deterministic (the norm-pruned search).
  public func recommendAll(_ contexts: PlaylistStore, k: Int, progress: ProgressBar?)
    -> RecommendationTable
  {
    scorer.recommendAll(contexts, k: k, progress: progress)
  }
}

// ALS as a ContextVectorModel: the query is the mean factor of the seed's known tracks and a
// candidate is scored by its own factor, so the similarity of s* to the targeted contexts is
// measured for it as for the other vector models.
extension ALSModel: ContextVectorModel {
  /// The factor of `track`, or nil when it was not seen in training.
  public func candidateVector(_ track: Int32) -> [Float]? { scorer.candidateVector(track) }
}
