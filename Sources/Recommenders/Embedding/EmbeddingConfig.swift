// Settings of the sequential embedding model (skip-gram with negative sampling, in the
// next-track direction or on both sides), each default with its reason. The seed and the
// parallel layout (chunk size, chunks per round) are part of the config because they fix the
// result; the thread count is not, because it never changes it (except with the opt-in
// `hogwild`).
import ChorusCore
import Foundation

/// How a seed context's track vectors are combined into one query vector.
public enum ContextAggregation: String, Codable, Sendable, CaseIterable {
  /// Every seed track weighs the same.
  case mean
  /// The j-th most recent seed track weighs `contextDecay`^j (the last track weighs 1).
  case recency
}

/// Which neighbours of a track in its playlist are its contexts (the tracks whose output
/// vectors its input vector is trained to score).
public enum ContextDirection: String, Codable, Sendable, CaseIterable {
  /// The tracks that follow it within the window: next-track prediction.
  case next
  /// The tracks on both sides of it within the window, as in word2vec's and gensim's
  /// skip-gram: about twice the pairs per entry.
  case both
}

/// Configuration of `EmbeddingModel`.
public struct EmbeddingConfig: Codable, Sendable, Equatable, OmitsDefaultKeys {
  /// Vector dimension. 64 is the usual sweet spot for item2vec-style models on playlist data:
  /// larger gains little accuracy and costs memory (2 × 4 bytes × dim per track).
  public var dim = 64
  /// Window W: the tracks within W positions of a track (after it, or on both sides, as
  /// `contextDirection` says) are its contexts. 5 as in word2vec; with `reducedWindow` the
  /// next track is always a context.
  public var window = 5
  /// Contexts after the track only (`next`, the default) or on both sides (`both`,
  /// word2vec's skip-gram). `both` with fresh negatives from a pool, `initialRange` 4 and
  /// `skipSaturated` is the most accurate setting: ahead of gensim's skip-gram on all 3
  /// folds of synthetic:small (NDCG 0.259 vs 0.253), but not on synthetic:medium fold 0
  /// (0.2705 vs 0.2721, 0.994×), so the default stays `next` (the model every result so
  /// far used), and the rare-sharing finding holds only for `next` (the specs that show it
  /// pin it). With gensim's own sampler made cheaper (`negativePool` 0 and
  /// `deferredNegatives`) it is level with gensim on medium too, at 2.96× its throughput
  /// rather than the 3× asked. Notebooks-md/06.
  public var contextDirection = ContextDirection.next
  /// Shrink the window per position to a uniform 1…W, as word2vec does, so near successors
  /// are trained more often than far ones (an implicit distance weighting).
  public var reducedWindow = true
  /// Negative samples per positive pair. 5 is word2vec's default for large corpora.
  public var negatives = 5
  /// Draw one set of negatives per position and share it among the position's window pairs
  /// (Ji et al. 2016, "Parallelizing Word2Vec in Shared and Distributed Memory"), instead
  /// of a fresh set per pair as word2vec does. Random rows touched per entry fall from about
  /// 19 to 9, which is what training speed depends on: deterministic training ran 1.5×
  /// faster at equal accuracy (synthetic:small R-precision 0.062 both ways). With contexts on
  /// both sides (up to 2W pairs share one set) it costs accuracy: fold 0 of synthetic:small,
  /// 10 epochs, NDCG 0.230 shared vs 0.248 fresh (gensim 0.247); fresh negatives from the
  /// whole table took 3× the CPU time, from a `negativePool` about what shared ones do.
  /// On by default with the `next` default (whose shared sets are reused less).
  public var sharedNegatives = true
  /// Where negatives come from. 0: every negative is drawn from the whole
  /// frequency^`negativeExponent` table (the default). n > 0: each chunk first draws a pool of n tracks
  /// from that table, and every negative of the chunk is a uniform pick from the pool. Each
  /// negative is still distributed as the table says, but a chunk touches at most n
  /// negative rows, copied into its overlay once and kept in cache, instead of a fresh
  /// random row per draw; so fresh negatives per pair (`sharedNegatives` off) cost about
  /// what shared ones do. Measured with `both`, `sharedNegatives` off, synthetic:small fold
  /// 0, 10 epochs (NDCG; CPU seconds of the whole `chorus train` on a busy machine): no pool
  /// 0.248, 95 s; pool 16384 0.246, 77 s; 8192 0.245, 54 s; 4096 0.243, 40 s; 1024 0.233,
  /// 26 s (shared negatives 0.230, 32 s; gensim 0.247, 197 s). A chunk's pool rows stay in
  /// cache up to a few thousand; a small pool concentrates a chunk's ~30k negative draws on
  /// too few rows. With `both` and pool 4096: NDCG 0.248 over 3 folds of synthetic:small
  /// (gensim 0.253) and 0.268 over 3 folds of synthetic:medium (`next` 0.258, gensim
  /// 0.274); with `next` it gains little (fold 0: 0.202 vs 0.199). With `initialRange` 4
  /// and `skipSaturated` as well: 0.259 on small (3 folds, gensim 0.253) and 0.2705 on
  /// medium fold 0 (gensim 0.2721). Off by default, and with it off training is
  /// byte-identical. Notebooks-md/06.
  public var negativePool = 0
  /// With `negativePool` n: draw the pool systematically instead of as n independent
  /// draws: its tracks are the table's quantiles at (k + u)/n, k = 0…n−1, for one uniform
  /// u per chunk. Each negative is still distributed as the table says, but a track of
  /// probability p fills ⌊np⌋ or ⌈np⌉ of the pool's slots, never more or fewer, so the
  /// popular tracks' share of a chunk's negatives does not vary from chunk to chunk. Off
  /// by default (independent draws, as before the setting existed).
  public var stratifiedPool = false
  /// Negatives are drawn ∝ frequency^x. 0.75 is the classic value for words (Mikolov et al.
  /// 2013); on playlists 0.5 measured better (synthetic:small, 10 epochs: R-precision 0.062
  /// vs 0.048), in line with Caselles-Dupré et al. 2018 on tuning it for recommendation.
  public var negativeExponent = 0.5
  /// Frequent-track subsampling threshold t (word2vec's formula; 0 disables): a track in f
  /// playlists is kept with probability (√(f/tN) + 1)·tN/f, N = entries. 1e-3 (word2vec's
  /// default) only thins tracks in more than ~0.1% of all entries; 1e-4 measured worse on
  /// synthetic:small (R-precision 0.043 vs 0.052 at 20 epochs): playlists are made of hits.
  public var subsample = 1e-3
  /// Passes over the training playlists. Most tracks are rare, so accuracy keeps rising far
  /// beyond word2vec's 5 epochs. R-precision on synthetic:small with these defaults: 10 →
  /// 0.062, 15 → 0.072 (popularity 0.028, co-occurrence 0.034); 10 is the compromise with
  /// training time (12M entry visits).
  public var epochs = 10
  /// Starting learning rate; decays linearly to `minLearningRate` over all epochs. Twice
  /// word2vec's 0.025: 20 epochs at 0.05 matched 40 at 0.025; 0.1 became unstable.
  public var learningRate = 0.05
  /// Final learning rate (gensim's default).
  public var minLearningRate = 0.0001
  /// How the seed's vectors make the query. Recency and mean measured alike on
  /// synthetic:small (R-precision 0.063 vs 0.064); recency mirrors the co-occurrence model.
  public var aggregation = ContextAggregation.recency
  /// Recency decay over the seed for `.recency`. 0.8 keeps the last track dominant, as in the
  /// co-occurrence model, while earlier tracks still steer the query.
  public var contextDecay = 0.8
  /// Seed of every random draw (initial vectors, subsampling, windows, negatives).
  public var seed: UInt64 = 0
  /// Playlists are cut into chunks of at least this many entries; a chunk is trained
  /// sequentially on its own copy of the rows it touches (about 7 per entry, 256 bytes each
  /// at dim 64). 1024 measured as fast as 4096 with a quarter of the memory.
  public var chunkTokens = 1024
  /// Chunks trained in parallel per synchronous round; their updates are merged in chunk
  /// order. Independent of the thread count, and an upper bound on the useful threads. 16
  /// keeps a round at about 16k entries (little staleness) and its overlays under 100 MB.
  public var chunksPerRound = 16
  /// Lock-free shared updates (Hogwild, as word2vec and gensim do): about twice as fast, but
  /// the vectors depend on thread timing. Off by default; recorded in the config when on.
  public var hogwild = false
  /// Represent a track in training by h(t) = (u_t + b_k) / 2: its own input row u_t and a
  /// row b_k shared by every track of popularity bucket k = ⌊log2(frequency)⌋ (at most 32
  /// buckets), like the popularity-bucket feature embeddings of transformer recommenders,
  /// so what rare tracks learn in common (e.g. "s* follows rare songs") reaches every rare
  /// track. Both rows get half of h's gradient; bucket rows start at zero. The model keeps
  /// h(t) as the input vector of t, so search and files are unchanged. Off by default: a
  /// research option; with it off training is byte-identical. Shared by every track
  /// (`popularityFeatureMaxFrequency` 0), a bucket row takes the updates of all its tracks
  /// and swamps their own rows: synthetic:small, 3 epochs, R-precision 0.094 off vs 0.056
  /// on at learningRate 0.05 (0.088 on at 0.025); at 0.1 it diverges. Shared only by the
  /// rare tracks (`popularityFeatureMaxFrequency` 2) it costs nothing: R-precision 0.106
  /// vs 0.098 off, NDCG 0.123 vs 0.125 (mean of 2 folds) — see Experiments/rare-sharing.json.
  public var popularityFeature = false
  /// With `popularityFeature`: only tracks in at most this many training playlists share a
  /// bucket row; more frequent tracks are represented by their own row alone, exactly as
  /// without the feature. 0 (the default) shares for every track. A small value (1 or 2)
  /// ties together only the rare tracks, whose own rows see too little data to learn from,
  /// and leaves the well-trained rows of the popular tracks alone. With `window` 1 and 10
  /// epochs it lets DirLoF promote s* from 10 playlists of synthetic:small (R-precision
  /// 0.115, NDCG 0.141): Experiments/next-track-sharing.json, Notebooks-md/06.
  public var popularityFeatureMaxFrequency = 0
  /// Input vectors start uniform in (−r/dim, r/dim) for this r; output vectors start at
  /// zero. 0.5 is word2vec's C code (the default); gensim draws from
  /// [−1/dim, 1/dim) (r = 1). Output vectors start at zero, so the first updates of both
  /// matrices are proportional to r: a larger start learns faster within the decaying
  /// learning rate. synthetic:small fold 0, `both`, fresh negatives from a pool of 4096,
  /// `skipSaturated`, 10 epochs, NDCG: r 0.5 0.244, 1 0.248, 2 0.252, 4 0.255, 8 0.256,
  /// 16 0.254 (gensim 0.247); 4 is near the top and still small (|u| ≈ 0.29 at dim 64).
  /// 0.5 by default, so that training is byte-identical to before the setting existed.
  /// Notebooks-md/06.
  public var initialRange = 0.5
  /// What a target whose score f lies outside the sigmoid table (|f| ≥ 6) gets. Off
  /// (word2vec's C code, the default): the saturated gradient, (label − 0 or 1) × rate,
  /// the full rate for a positive scored ≤ −6 or a negative scored ≥ 6. On (gensim): no
  /// update for that target. Measured with `both` and a pool of 4096,
  /// synthetic:small fold 0, NDCG 0.2442 on vs 0.2434 off (initialRange 0.5), 0.2518 vs
  /// 0.2502 (initialRange 2).
  public var skipSaturated = false
  /// How a chunk treats the output rows of its negatives. Off (the default): like every
  /// row it touches, a negative's row is copied into the chunk's overlay on first use, read
  /// and updated there, and merged back at the end of the round. On: a negative is scored
  /// against its shared row as the round began (never copied), and its update g·h (h the
  /// center at that pair) is recorded and added to the shared row at the round's merge,
  /// after the overlays' deltas, chunk after chunk and in the order drawn. Positives and
  /// centers are unchanged. With fresh negatives from the whole table (gensim's sampler)
  /// most negatives are rows no one else in the chunk touches, and the copy, the delta and
  /// the merge of each were most of training's time; a recorded update costs one random
  /// write at the merge. What it changes: a track drawn twice as a negative in one chunk
  /// does not see its own first update the second time (as in Hogwild across threads, but
  /// deterministic). Needs `negativePool` 0 and no `hogwild`. Measured with `both`, fresh
  /// negatives, `initialRange` 4 and `skipSaturated` (3 folds, idle machine): NDCG the same
  /// as without (fold 0: 0.2720 on synthetic:medium, 0.2576 on small) at 355 instead of 569
  /// CPU s (medium fold 0), level with gensim's skip-gram on medium (0.2739 vs 0.2736) at
  /// 2.96× its throughput, ahead on small (0.2604 vs 0.2531) at 2.76×. Off by default (a
  /// pre-stated rule asked for 3×), and with it off training is byte-identical.
  /// Notebooks-md/06.
  public var deferredNegatives = false

  /// The defaults above.
  public init() {}

  /// Decodes every key strictly, except `contextDirection`, `negativePool`,
  /// `stratifiedPool`, `popularityFeature`, `popularityFeatureMaxFrequency`,
  /// `initialRange`, `skipSaturated` and `deferredNegatives`, which models saved before they
  /// existed lack (they then read as `next`, 0, false, false, 0, 0.5, false and false, which
  /// is how those models were trained).
  public init(from decoder: any Decoder) throws {
    let c = try decoder.container(keyedBy: CodingKeys.self)
    dim = try c.decode(Int.self, forKey: .dim)
    window = try c.decode(Int.self, forKey: .window)
    contextDirection =
      try c.decodeIfPresent(ContextDirection.self, forKey: .contextDirection) ?? .next
    reducedWindow = try c.decode(Bool.self, forKey: .reducedWindow)
    negatives = try c.decode(Int.self, forKey: .negatives)
    sharedNegatives = try c.decode(Bool.self, forKey: .sharedNegatives)
    negativePool = try c.decodeIfPresent(Int.self, forKey: .negativePool) ?? 0
    stratifiedPool = try c.decodeIfPresent(Bool.self, forKey: .stratifiedPool) ?? false
    negativeExponent = try c.decode(Double.self, forKey: .negativeExponent)
    subsample = try c.decode(Double.self, forKey: .subsample)
    epochs = try c.decode(Int.self, forKey: .epochs)
    learningRate = try c.decode(Double.self, forKey: .learningRate)
    minLearningRate = try c.decode(Double.self, forKey: .minLearningRate)
    aggregation = try c.decode(ContextAggregation.self, forKey: .aggregation)
    contextDecay = try c.decode(Double.self, forKey: .contextDecay)
    seed = try c.decode(UInt64.self, forKey: .seed)
    chunkTokens = try c.decode(Int.self, forKey: .chunkTokens)
    chunksPerRound = try c.decode(Int.self, forKey: .chunksPerRound)
    hogwild = try c.decode(Bool.self, forKey: .hogwild)
    popularityFeature = try c.decodeIfPresent(Bool.self, forKey: .popularityFeature) ?? false
    popularityFeatureMaxFrequency =
      try c.decodeIfPresent(Int.self, forKey: .popularityFeatureMaxFrequency) ?? 0
    initialRange = try c.decodeIfPresent(Double.self, forKey: .initialRange) ?? 0.5
    skipSaturated = try c.decodeIfPresent(Bool.self, forKey: .skipSaturated) ?? false
    deferredNegatives = try c.decodeIfPresent(Bool.self, forKey: .deferredNegatives) ?? false
  }

  /// `deferredNegatives` is encoded only when on (see `encode(to:)`).
  public static var omittedDefaults: [String: Any] {
    ["deferredNegatives": NSNumber(value: false)]
  }

  enum CodingKeys: String, CodingKey {
    case dim, window, contextDirection, reducedWindow, negatives, sharedNegatives
    case negativePool, stratifiedPool, negativeExponent, subsample, epochs, learningRate
    case minLearningRate, aggregation, contextDecay, seed, chunkTokens, chunksPerRound
    case hogwild, popularityFeature, popularityFeatureMaxFrequency, initialRange
    case skipSaturated, deferredNegatives
  }

  /// Every key, except `deferredNegatives` when it is off: a spec or model file that does
  /// not use it encodes (and hashes) exactly as before the setting existed.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(dim, forKey: .dim)
    try c.encode(window, forKey: .window)
    try c.encode(contextDirection, forKey: .contextDirection)
    try c.encode(reducedWindow, forKey: .reducedWindow)
    try c.encode(negatives, forKey: .negatives)
    try c.encode(sharedNegatives, forKey: .sharedNegatives)
    try c.encode(negativePool, forKey: .negativePool)
    try c.encode(stratifiedPool, forKey: .stratifiedPool)
    try c.encode(negativeExponent, forKey: .negativeExponent)
    try c.encode(subsample, forKey: .subsample)
    try c.encode(epochs, forKey: .epochs)
    try c.encode(learningRate, forKey: .learningRate)
    try c.encode(minLearningRate, forKey: .minLearningRate)
    try c.encode(aggregation, forKey: .aggregation)
    try c.encode(contextDecay, forKey: .contextDecay)
    try c.encode(seed, forKey: .seed)
    try c.encode(chunkTokens, forKey: .chunkTokens)
    try c.encode(chunksPerRound, forKey: .chunksPerRound)
    try c.encode(hogwild, forKey: .hogwild)
    try c.encode(popularityFeature, forKey: .popularityFeature)
    try c.encode(popularityFeatureMaxFrequency, forKey: .popularityFeatureMaxFrequency)
    try c.encode(initialRange, forKey: .initialRange)
    try c.encode(skipSaturated, forKey: .skipSaturated)
    if deferredNegatives { try c.encode(deferredNegatives, forKey: .deferredNegatives) }
  }

  /// The stride of a stored row: `dim` rounded up to a multiple of 8 (zero padding).
  public var rowStride: Int { (dim + 7) & ~7 }

  /// Checks ranges; throws a config error naming the key.
  public func validate() throws {
    func bad(_ key: String, _ message: String, hint: String? = nil) -> ChorusError {
      ChorusError(.config, "\(key) \(message)", field: key, hint: hint)
    }
    guard (1...1024).contains(dim) else {
      throw bad("dim", "must be between 1 and 1024 (got \(dim))", hint: "64 is the usual choice")
    }
    guard (1...50).contains(window) else {
      throw bad("window", "must be between 1 and 50 (got \(window))", hint: "1 trains bigrams only")
    }
    guard (1...100).contains(negatives) else {
      throw bad("negatives", "must be between 1 and 100 (got \(negatives))", hint: "5 is usual")
    }
    guard (0...(1 << 20)).contains(negativePool) else {
      throw bad(
        "negativePool", "must be between 0 (off) and 1048576 (got \(negativePool))",
        hint: "a few thousand keeps a chunk's negative rows in cache")
    }
    guard negativeExponent.isFinite, (-2...2).contains(negativeExponent) else {
      throw bad("negativeExponent", "must be in [-2, 2] (got \(negativeExponent))")
    }
    guard subsample.isFinite, subsample >= 0, subsample < 1 else {
      throw bad("subsample", "must be in [0, 1) (got \(subsample))", hint: "0 disables it")
    }
    guard (1...10_000).contains(epochs) else {
      throw bad("epochs", "must be between 1 and 10000 (got \(epochs))")
    }
    guard learningRate.isFinite, learningRate > 0, learningRate <= 10 else {
      throw bad("learningRate", "must be in (0, 10] (got \(learningRate))")
    }
    guard minLearningRate.isFinite, minLearningRate >= 0, minLearningRate <= learningRate else {
      throw bad("minLearningRate", "must be in [0, learningRate] (got \(minLearningRate))")
    }
    guard contextDecay.isFinite, contextDecay > 0, contextDecay <= 1 else {
      throw bad("contextDecay", "must be in (0, 1] (got \(contextDecay))")
    }
    guard (1...(1 << 26)).contains(chunkTokens) else {
      throw bad("chunkTokens", "must be between 1 and 67108864 (got \(chunkTokens))")
    }
    guard (1...4096).contains(chunksPerRound) else {
      throw bad("chunksPerRound", "must be between 1 and 4096 (got \(chunksPerRound))")
    }
    guard initialRange.isFinite, initialRange > 0, initialRange <= 100 else {
      throw bad(
        "initialRange", "must be in (0, 100] (got \(initialRange))",
        hint: "0.5 is word2vec's, 1 gensim's")
    }
    if deferredNegatives && negativePool > 0 {
      throw bad(
        "deferredNegatives", "needs negativePool 0 (got \(negativePool))",
        hint: "a pool already keeps a chunk's negative rows in its overlay; set one or the other")
    }
    if deferredNegatives && hogwild {
      throw bad(
        "deferredNegatives", "cannot be combined with hogwild",
        hint: "hogwild updates every row in place already")
    }
    guard popularityFeatureMaxFrequency >= 0 else {
      throw bad(
        "popularityFeatureMaxFrequency",
        "must be 0 (every track) or a positive frequency (got \(popularityFeatureMaxFrequency))")
    }
  }

  /// The recency decay actually applied: 1 for `.mean`.
  var effectiveDecay: Float { aggregation == .mean ? 1 : Float(contextDecay) }
}
