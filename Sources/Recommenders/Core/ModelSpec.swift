// The models the lab can train, by name, with their typed configs and `key=value`
// overrides. The one place that maps a model name to code, so the CLI and the experiment
// runner accept exactly the same names and keys.
import ChorusCore

/// A model name and its configuration.
public enum ModelSpec: Sendable, Equatable {
  case popularity
  case cooccurrence(CoOccurrenceConfig)
  case embedding(EmbeddingConfig)
  case als(ALSConfig)
  /// The sequence model with the mean aggregator (the study's MF-AVG).
  case mean(SequenceConfig)
  /// The sequence model with the causal transformer aggregator.
  case transformer(SequenceConfig)

  /// Valid model names.
  public static let names = [
    "popularity", "cooccurrence", "embedding", "als", "mean", "transformer",
  ]

  /// Parses a model name with its settings: a spec's settings object (`config`, unknown keys
  /// refused; errors name "model.config"), then `key=value` overrides on top (`--set`;
  /// errors name "the <model> config"). Either may be empty. For the sequence models a
  /// `preset=…` override picks the defaults when there is no settings object.
  /// - Throws: `ChorusError(.config)` naming the model or the key, with the valid names.
  public init(name: String, config: [String: Any] = [:], overrides: [String] = []) throws {
    /// The typed config: defaults, then the settings object, then the overrides.
    func configured<T: Codable>(_ defaults: T, _ label: String) throws -> T {
      let decoded =
        config.isEmpty
        ? defaults
        : try ConfigCoding.decode(T.self, from: config, defaults: defaults, context: "model.config")
      return try ConfigCoding.apply(overrides, to: decoded, context: "the \(label) config")
    }
    switch name.lowercased() {
    case "popularity":
      guard config.isEmpty else {
        throw ChorusError(
          .config, "the popularity model has no settings", field: "model.config",
          hint: "remove model.config")
      }
      guard overrides.isEmpty else {
        throw ChorusError(
          .config, "the popularity model has no settings", field: "model",
          hint: "drop the --set options")
      }
      self = .popularity
    case "cooccurrence", "co-occurrence":
      let c = try configured(CoOccurrenceConfig(), "co-occurrence")
      try c.validate()
      self = .cooccurrence(c)
    case "embedding":
      let c = try configured(EmbeddingConfig(), "embedding")
      try c.validate()
      self = .embedding(c)
    case "als":
      let c = try configured(ALSConfig(), "ALS")
      try c.validate()
      self = .als(c)
    case "mean", "transformer":
      var c: SequenceConfig
      if config.isEmpty {
        c = try SequenceConfig.parse(overrides: overrides, context: "the \(name) config")
      } else {
        c = try SequenceConfig.decode(config, context: "model.config")
        c = try ConfigCoding.apply(overrides, to: c, context: "the \(name) config")
        try c.validate()
      }
      self = name.lowercased() == "mean" ? .mean(c) : .transformer(c)
    default:
      throw ChorusError(
        .config, "unknown model '\(name)'", field: "model",
        hint: "valid models: \(ModelSpec.names.joined(separator: ", "))")
    }
  }

  public var name: String {
    switch self {
    case .popularity: return "popularity"
    case .cooccurrence: return "cooccurrence"
    case .embedding: return "embedding"
    case .als: return "als"
    case .mean: return "mean"
    case .transformer: return "transformer"
    }
  }

  /// Whether a trained model of this kind can be fine-tuned (`FineTunableRecommender`):
  /// the sequence models.
  public var canFineTune: Bool {
    switch self {
    case .mean, .transformer: return true
    default: return false
    }
  }

  /// Encodes the full config (every default written out) under `key`; the popularity model
  /// has an empty one. Lets a spec write its model without knowing the model types.
  public func encodeConfig<Key: CodingKey>(
    to container: inout KeyedEncodingContainer<Key>, forKey key: Key
  ) throws {
    switch self {
    case .popularity: try container.encode([String: Int](), forKey: key)
    case .cooccurrence(let config): try container.encode(config, forKey: key)
    case .embedding(let config): try container.encode(config, forKey: key)
    case .als(let config): try container.encode(config, forKey: key)
    case .mean(let config), .transformer(let config): try container.encode(config, forKey: key)
    }
  }

  /// Trains the model on `playlists`; `seed` drives models with random initialisation.
  public func train(playlists: PlaylistStore, trackCount: Int, seed: UInt64 = 0) throws
    -> any Recommender
  {
    guard playlists.entryCount > 0 else {
      throw ChorusError(
        .data, "no training data: the training playlists are empty", hint: "use a larger dataset")
    }
    switch self {
    case .popularity: return PopularityModel(playlists: playlists, trackCount: trackCount)
    case .cooccurrence(let c):
      return try CoOccurrenceModel(playlists: playlists, trackCount: trackCount, config: c)
    case .embedding(var c):
      // The fold's seed drives initialisation and sampling, so folds differ and reruns agree.
      c.seed = c.seed &+ seed
      return try EmbeddingModel(playlists: playlists, trackCount: trackCount, config: c)
    case .als(var c):
      c.seed = c.seed &+ seed
      return try ALSModel(playlists: playlists, trackCount: trackCount, config: c)
    case .mean(var c):
      c.seed = c.seed &+ seed
      return try SequenceModel(
        playlists: playlists, trackCount: trackCount, aggregator: .mean, config: c)
    case .transformer(var c):
      c.seed = c.seed &+ seed
      return try SequenceModel(
        playlists: playlists, trackCount: trackCount, aggregator: .transformer, config: c)
    }
  }
}
