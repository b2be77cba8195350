// Settings of the sequence models (a track embedding table aggregated by `mean` or by a
// causal `transformer`, trained with sampled and hard negatives). Two presets: `fast`, the
// default, small enough to train on synthetic:small in about a minute, and `paper`, the
// study's settings. A `preset` key picks the defaults; every other key overrides them.
import ChorusCore

/// How the track embedding table starts.
public enum SequenceInit: String, Codable, Sendable, Equatable {
  /// The item factors of an ALS fit on the same training playlists (the study's choice).
  case als
  /// Gaussian entries with standard deviation 1/√dim (seeded).
  case random
}

/// Configuration of `SequenceModel` (both aggregators; the transformer keys are ignored by
/// `mean`).
public struct SequenceConfig: Codable, Sendable, Equatable {
  /// `fast` (these defaults) or `paper` (the study's settings, `SequenceConfig.paper`).
  public var preset = "fast"
  /// Embedding dimension (also the ALS factors when `initialization` is `als`). 32 keeps an
  /// epoch of synthetic:small (16,000 training playlists) in seconds; the study uses 128.
  public var dim = 32
  /// `als` or `random`: part of the lab's question (does ALS make rare tracks alike?).
  public var initialization = SequenceInit.als
  /// ALS regularisation and iterations for the initial table (confidence α as ALSConfig).
  public var alsRegularization = 1.0
  public var alsIterations = 10
  /// Transformer layers, heads (dim must divide by heads) and feed-forward width. One
  /// layer as the study; 4 heads and 128 wide (4 × dim) keep the fast preset cheap.
  public var layers = 1
  public var heads = 4
  public var feedForward = 128
  /// Standard deviation of the transformer's initial position embeddings (entries drawn
  /// N(0, σ²); the same draws at any σ, so the rest of the initial weights do not change).
  /// 0.02 keeps them small next to the track vectors, so the ALS geometry dominates at the
  /// start; the study's decoder draws them N(0, 1) (`torch.nn.init.normal_` on its
  /// position table, also `nn.Embedding`'s default), which makes the input after a rare
  /// track, whose ALS vector is near zero, almost only its position embedding. Set 1 to
  /// start as the study does. Both presets use 0.02.
  public var positionInitStd = 0.02
  /// Dropout probability on attention weights and after attention and feed-forward
  /// blocks (training only; seeded).
  public var dropout = 0.1
  /// Window length: each epoch trains one random window of this many consecutive tracks
  /// per playlist (the study's max_size = 10 seeds + 1).
  public var maxSize = 11
  /// Passes over the training playlists. 6 for the fast preset (loss has flattened by then
  /// on synthetic:small); the study trains 18.
  public var epochs = 6
  /// Playlists per SGD step.
  public var batchSize = 64
  /// SGD with Nesterov momentum; weight decay on every parameter (as torch.optim.SGD), with
  /// one learning rate for the embedding table and the aggregator, as the study. 1.0 is the
  /// study's (MF-Transformer); on synthetic:small larger steps from the ALS start lowered
  /// accuracy (Notebooks-md/08-sequence-models.md).
  public var learningRate = 1.0
  public var momentum = 0.9
  public var weightDecay = 1.53e-5
  /// Clip the global gradient norm of a step (embedding rows and aggregator together, as
  /// the study's clip_grad_norm_ over all parameters) to this (0: no clipping).
  public var clip = 1.0
  /// Step schedule: the learning rate is multiplied by `lrGamma` every `lrStepEpochs`
  /// epochs (0: constant). The study halves it every 12,000 batches (a scheduler step per
  /// 1,000 batches, step size 12), about every 1.5 epochs on the MPD and never within 18
  /// epochs of synthetic:small; counting epochs, and a halving every third, is the lab's
  /// choice (Experiments/PROTOCOL.md §7).
  public var lrStepEpochs = 3
  public var lrGamma = 0.5
  /// Per playlist: `nNeg` candidates drawn uniformly from the training tracks outside the
  /// playlist; the `nHard` highest-scoring and `nEasy` random others are the negatives.
  /// 200 / 10 / 10 in the fast preset (the study: 1000 / 40 / 10).
  public var nNeg = 200
  public var nHard = 10
  public var nEasy = 10
  /// Seed of the initialisation, windows, negatives and dropout.
  public var seed: UInt64 = 0
  /// Print a line per epoch (loss, tokens/s, ETA) on stderr.
  public var verbose = true

  /// The fast defaults above.
  public init() {}

  /// Decodes settings, tolerantly: a missing key takes the value of the named preset (the
  /// `preset` key; `fast` when absent), since every key added since saved models existed
  /// defaults to the earlier behaviour in both presets; unknown or ill-typed keys throw
  /// (`SavedSettings`). Specs go through `ConfigCoding` (`decode`, `parse`), which stays
  /// strict.
  public init(from decoder: Decoder) throws {
    let c = try SavedSettings.container(decoder, keyedBy: CodingKeys.self)
    preset = try c.savedValue(.preset, or: "fast")
    // An unknown preset name is refused by `validate`, naming the key.
    let d = (try? SequenceConfig.preset(named: preset)) ?? SequenceConfig()
    dim = try c.savedValue(.dim, or: d.dim)
    initialization = try c.savedValue(.initialization, or: d.initialization)
    alsRegularization = try c.savedValue(.alsRegularization, or: d.alsRegularization)
    alsIterations = try c.savedValue(.alsIterations, or: d.alsIterations)
    layers = try c.savedValue(.layers, or: d.layers)
    heads = try c.savedValue(.heads, or: d.heads)
    feedForward = try c.savedValue(.feedForward, or: d.feedForward)
    positionInitStd = try c.savedValue(.positionInitStd, or: d.positionInitStd)
    dropout = try c.savedValue(.dropout, or: d.dropout)
    maxSize = try c.savedValue(.maxSize, or: d.maxSize)
    epochs = try c.savedValue(.epochs, or: d.epochs)
    batchSize = try c.savedValue(.batchSize, or: d.batchSize)
    learningRate = try c.savedValue(.learningRate, or: d.learningRate)
    momentum = try c.savedValue(.momentum, or: d.momentum)
    weightDecay = try c.savedValue(.weightDecay, or: d.weightDecay)
    clip = try c.savedValue(.clip, or: d.clip)
    lrStepEpochs = try c.savedValue(.lrStepEpochs, or: d.lrStepEpochs)
    lrGamma = try c.savedValue(.lrGamma, or: d.lrGamma)
    nNeg = try c.savedValue(.nNeg, or: d.nNeg)
    nHard = try c.savedValue(.nHard, or: d.nHard)
    nEasy = try c.savedValue(.nEasy, or: d.nEasy)
    seed = try c.savedValue(.seed, or: d.seed)
    verbose = try c.savedValue(.verbose, or: d.verbose)
  }

  /// The study's settings: d 128, 1 layer, 8 heads, feed-forward 4096, window 11, 18
  /// epochs, batch 128, lr 1.0, momentum 0.9, weight decay 1.53e-5, dropout 0.13, clip 1.0,
  /// 1000 candidates / 40 hard / 10 easy; ALS 128 factors, regularisation 12, 10
  /// iterations.
  public static var paper: SequenceConfig {
    var c = SequenceConfig()
    c.preset = "paper"
    c.dim = 128
    c.layers = 1
    c.heads = 8
    c.feedForward = 4096
    c.maxSize = 11
    c.epochs = 18
    c.batchSize = 128
    c.learningRate = 1.0
    c.momentum = 0.9
    c.weightDecay = 1.53e-5
    c.dropout = 0.13
    c.clip = 1.0
    c.nNeg = 1000
    c.nHard = 40
    c.nEasy = 10
    c.alsRegularization = 12
    c.alsIterations = 10
    c.lrStepEpochs = 6
    return c
  }

  /// The defaults of a preset name.
  public static func preset(named name: String) throws -> SequenceConfig {
    switch name.lowercased() {
    case "fast": return SequenceConfig()
    case "paper": return .paper
    default:
      throw ChorusError(
        .config, "unknown preset '\(name)'", field: "preset", hint: "valid presets: fast, paper")
    }
  }

  /// The config of `key=value` overrides: `preset=…` (wherever it appears) picks the
  /// defaults, the other keys override them.
  public static func parse(overrides: [String], context: String) throws -> SequenceConfig {
    var base = SequenceConfig()
    for item in overrides where item.hasPrefix("preset=") {
      base = try preset(named: String(item.dropFirst("preset=".count)))
    }
    let c = try ConfigCoding.apply(overrides, to: base, context: context)
    try c.validate()
    return c
  }

  /// The config of a spec's settings object: `preset` picks the defaults, the other keys
  /// override them; unknown keys are refused.
  public static func decode(_ object: [String: Any], context: String) throws -> SequenceConfig {
    var base = SequenceConfig()
    if let name = object["preset"] as? String { base = try preset(named: name) }
    let c = try ConfigCoding.decode(
      SequenceConfig.self, from: object, defaults: base, context: context)
    try c.validate()
    return c
  }

  /// Checks ranges; throws a config error naming the key.
  public func validate() throws {
    func bad(_ key: String, _ message: String, hint: String? = nil) -> ChorusError {
      ChorusError(.config, "\(key) \(message)", field: key, hint: hint)
    }
    _ = try SequenceConfig.preset(named: preset)
    guard (1...1024).contains(dim) else {
      throw bad("dim", "must be between 1 and 1024 (got \(dim))", hint: "32 or 128 are usual")
    }
    guard (1...16).contains(layers) else { throw bad("layers", "must be between 1 and 16") }
    guard heads >= 1, dim % heads == 0 else {
      throw bad("heads", "must divide dim (\(dim)); got \(heads)", hint: "e.g. heads=4")
    }
    guard (1...65536).contains(feedForward) else {
      throw bad("feedForward", "must be between 1 and 65536 (got \(feedForward))")
    }
    guard positionInitStd.isFinite, positionInitStd >= 0, positionInitStd <= 100 else {
      throw bad(
        "positionInitStd", "must be in [0, 100] (got \(positionInitStd))",
        hint: "0.02 (the lab's default) or 1 (the study's)")
    }
    guard dropout.isFinite, dropout >= 0, dropout < 1 else {
      throw bad("dropout", "must be in [0, 1) (got \(dropout))")
    }
    guard (2...512).contains(maxSize) else {
      throw bad("maxSize", "must be between 2 and 512 (got \(maxSize))", hint: "11 is the study's")
    }
    guard (0...10000).contains(epochs) else { throw bad("epochs", "must be in 0…10000") }
    guard (1...1 << 20).contains(batchSize) else { throw bad("batchSize", "must be positive") }
    guard learningRate.isFinite, learningRate > 0 else {
      throw bad("learningRate", "must be positive (got \(learningRate))")
    }
    guard momentum.isFinite, momentum >= 0, momentum < 1 else {
      throw bad("momentum", "must be in [0, 1) (got \(momentum))")
    }
    guard weightDecay.isFinite, weightDecay >= 0 else {
      throw bad("weightDecay", "must be non-negative (got \(weightDecay))")
    }
    guard clip.isFinite, clip >= 0 else { throw bad("clip", "must be non-negative (0: off)") }
    guard lrStepEpochs >= 0 else { throw bad("lrStepEpochs", "must be non-negative (0: off)") }
    guard lrGamma.isFinite, lrGamma > 0, lrGamma <= 1 else {
      throw bad("lrGamma", "must be in (0, 1] (got \(lrGamma))")
    }
    guard nNeg >= 1, nHard >= 0, nEasy >= 0, nHard + nEasy >= 1, nHard + nEasy <= nNeg else {
      throw bad(
        "nNeg", "needs nNeg ≥ nHard + nEasy ≥ 1 (got \(nNeg), \(nHard), \(nEasy))",
        hint: "e.g. nNeg=200 nHard=10 nEasy=10")
    }
    guard alsRegularization.isFinite, alsRegularization > 0 else {
      throw bad("alsRegularization", "must be positive")
    }
    guard (1...1000).contains(alsIterations) else {
      throw bad("alsIterations", "must be between 1 and 1000")
    }
  }
}
