// An experiment spec (Experiments/*.json): dataset, split, model, strategies, collective
// sizes, statistics sources, K and output folder, resolved into typed values when it is
// decoded. Decoding is strict and complete — an unknown key, a wrong kind of value, a name
// no strategy/statistics/model has, a value out of its range — fails naming the key, before
// anything is written. `--set a.b=value` overrides apply to the JSON before decoding.
import ChorusCore
import CollectiveAction
import Foundation
import PlaylistData
import Recommenders

/// A whole study, with every value typed and validated.
public struct ExperimentSpec: Sendable, Equatable, Encodable {
  /// Short name; the default output folder is results/<name>. No '/', '..' or control
  /// characters, so it always names a folder inside results/.
  public var name: String = "experiment"
  /// A dataset path or synthetic:<preset>[:<seed>].
  public var dataset: String = "synthetic:small"
  /// Eligibility, test size, number of folds, base seed.
  public var split = SplitConfig()
  /// Which folds to run (default: all of 0..<split.folds).
  public var folds: [Int]? = nil
  /// The model and its full config (every default resolved).
  public var model: ModelSpec = .cooccurrence(CoOccurrenceConfig())
  /// Where the collective places s* (JSON: names such as dirlof, inclust, hybrid:tau=2).
  public var strategies: [Strategy] = [.dirLoF, .random]
  /// Collective sizes, all α or all B (JSON: `alphas` or `budgets`, exactly one).
  public var sizes: [CollectiveSize] = []
  /// What the collective knows (JSON: full, sample:Q, table:FILE, proxy:SIGMA).
  public var statistics: [EstimateSource] = [.full]
  /// Length of every recommendation list (the study: 500).
  public var k: Int = 500
  /// External id of the promoted song s*.
  public var target: String = "chorus:target:0"
  /// Output folder; nil = results/<name>.
  public var out: String? = nil
  /// The platform's moderation stage before training; nil = none (the study's setting).
  public var detection: DetectionStage? = nil
  /// The platform's re-ranking stage after scoring; nil = none (the study's setting).
  public var reranking: RerankingStage? = nil
  /// Settings with several collectives at once (Lab/Collectives); nil = none.
  public var collectives: CollectivesStudy? = nil
  /// How runs of a model without exact updates get the model with the collective: retrain
  /// (the reference, the default) or fine-tune the fold's clean model (JSON: `retraining`).
  public var retraining: Retraining = .retrain

  public init() {}

  /// The keys a spec may have, for error messages.
  public static let keys = [
    "name", "dataset", "split", "folds", "model", "strategies", "alphas", "budgets", "statistics",
    "k", "target", "out", "detection", "reranking", "retraining", "collectives",
  ]

  /// The ranges of the numeric settings: beyond them a study cannot run on any machine (or
  /// makes no sense), so they are refused before anything is loaded or written.
  public enum Limits {
    public static let k = 1...10_000
    public static let folds = 1...100
    public static let minTracks = SplitConfig.blockCount...10_000
    public static let testSize = SplitConfig.blockCount...1_000_000
    /// Seeds are exact in JSON up to 2^53.
    public static let seed = 0...(1 << 53)
    public static let budget = 1...100_000_000
    /// Entries of each list (strategies, sizes, statistics).
    public static let listLength = 1...1_000
  }

  /// Reads a spec file, applies overrides, validates.
  public static func load(path: String, overrides: [String] = []) throws -> ExperimentSpec {
    let data = try FileIO.read(path)
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: data)
    } catch {
      let at = SpecFields.syntaxLocation(error, in: data)
      throw ChorusError(
        .config, "not valid JSON", file: path, line: at?.line, column: at?.column,
        hint: "check brackets, commas and quotes near that spot")
    }
    guard var dict = object as? [String: Any] else {
      throw ChorusError(.config, "a spec must be a JSON object", file: path)
    }
    for o in overrides { try ConfigOverride(o, example: "split.folds=2").apply(to: &dict) }
    do {
      return try decode(dict)
    } catch let e as ChorusError {
      throw e.inFile(path)
    }
  }

  /// Decodes and validates a spec from a JSON object: unknown keys, wrong kinds of value,
  /// unknown names and values out of range are errors naming the key.
  public static func decode(_ dict: [String: Any]) throws -> ExperimentSpec {
    try SpecFields.checkKeys(dict, allowed: keys, context: "the spec")
    var s = ExperimentSpec()
    func value(_ key: String) -> Any? {
      guard let v = dict[key], !(v is NSNull) else { return nil }
      return v
    }
    if let v = value("name") { s.name = try SpecFields.text(v, "name", maxLength: 100) }
    if let v = value("dataset") { s.dataset = try SpecFields.text(v, "dataset") }
    if let v = value("split") { s.split = try decodeSplit(SpecFields.object(v, "split")) }
    if let v = value("folds") {
      s.folds = try SpecFields.array(v, "folds").map {
        try SpecFields.integer($0, "folds", in: 0...(Limits.folds.upperBound - 1))
      }
    }
    if let v = value("model") { s.model = try decodeModel(SpecFields.object(v, "model")) }
    if let v = value("strategies") {
      s.strategies = try SpecFields.array(v, "strategies").map { item in
        try renamingField("strategies") { try Strategy(name: SpecFields.text(item, "strategies")) }
      }
    }
    if let v = value("statistics") {
      s.statistics = try SpecFields.array(v, "statistics").map { item in
        try renamingField("statistics") {
          try EstimateSource(name: SpecFields.text(item, "statistics"))
        }
      }
    }
    switch (value("alphas"), value("budgets")) {
    case (nil, nil), (.some, .some):
      throw ChorusError(
        .config, "give exactly one of 'alphas' and 'budgets'", field: "alphas",
        hint: "alphas are fractions of the training set, budgets playlist counts")
    case (let a?, nil):
      s.sizes = try SpecFields.array(a, "alphas").map {
        .alpha(
          try SpecFields.open(
            $0, "alphas", 0, 1,
            hint: "alpha is the fraction of training playlists the collective controls, e.g. 0.001"
          ))
      }
      if s.sizes.isEmpty { throw ChorusError(.config, "'alphas' is empty", field: "alphas") }
    case (nil, let b?):
      s.sizes = try SpecFields.array(b, "budgets").map {
        .budget(try SpecFields.integer($0, "budgets", in: Limits.budget))
      }
      if s.sizes.isEmpty { throw ChorusError(.config, "'budgets' is empty", field: "budgets") }
    }
    if let v = value("k") { s.k = try SpecFields.integer(v, "k", in: Limits.k) }
    if let v = value("target") { s.target = try SpecFields.text(v, "target") }
    if let v = value("out") { s.out = try SpecFields.text(v, "out") }
    if let v = value("detection") {
      s.detection = try DetectionStage.decode(SpecFields.object(v, "detection"))
    }
    if let v = value("reranking") {
      s.reranking = try RerankingStage.decode(SpecFields.object(v, "reranking"))
    }
    if let v = value("collectives") {
      s.collectives = try CollectivesStudy.decode(SpecFields.object(v, "collectives"))
    }
    if let v = value("retraining") {
      s.retraining = try Retraining.decode(SpecFields.object(v, "retraining"))
    }
    try s.validate()
    return s
  }

  /// Runs `body`, naming `field` in a ChorusError it throws (the parsers of names say
  /// "strategy"/"statistics"; a spec's keys are plural; the runner names the spec key a
  /// data-dependent check concerns).
  static func renamingField<T>(_ field: String, _ body: () throws -> T) throws -> T {
    do { return try body() } catch var e as ChorusError {
      e.field = field
      throw e
    }
  }

  static func decodeSplit(_ o: [String: Any]) throws -> SplitConfig {
    try SpecFields.checkKeys(
      o, allowed: ["minTracks", "testSize", "folds", "seed"], context: "split", prefix: "split.")
    var c = SplitConfig()
    func value(_ key: String) -> Any? {
      guard let v = o[key], !(v is NSNull) else { return nil }
      return v
    }
    if let v = value("minTracks") {
      c.minTracks = try SpecFields.integer(v, "split.minTracks", in: Limits.minTracks)
    }
    if let v = value("testSize") {
      c.testSize = try SpecFields.integer(v, "split.testSize", in: Limits.testSize)
    }
    if let v = value("folds") {
      c.folds = try SpecFields.integer(v, "split.folds", in: Limits.folds)
    }
    if let v = value("seed") {
      c.seed = UInt64(try SpecFields.integer(v, "split.seed", in: Limits.seed))
    }
    return c
  }

  static func decodeModel(_ o: [String: Any]) throws -> ModelSpec {
    try SpecFields.checkKeys(o, allowed: ["name", "config"], context: "model", prefix: "model.")
    let name =
      try o["name"].map { try SpecFields.text($0, "model.name", maxLength: 100) }
      ?? "cooccurrence"
    var config: [String: Any] = [:]
    if let c = o["config"], !(c is NSNull) { config = try SpecFields.object(c, "model.config") }
    do {
      return try ModelSpec(name: name, config: config)
    } catch var e as ChorusError {
      // The model's parsers name bare config keys ("window") or "model"; name the spec key.
      switch e.field {
      case "model": e.field = "model.name"
      case nil: e.field = "model.config"
      case let f? where !f.hasPrefix("model."): e.field = "model.config." + f
      default: break
      }
      throw e
    }
  }

  /// Checks every value that does not need the data (also for specs built in code).
  public func validate() throws {
    try SpecFields.checkText(name, "name", maxLength: 100)
    if name.contains("/") || name.contains("\\") || name.contains("..") || name.hasPrefix(".") {
      throw ChorusError(
        .config, "'name' must not contain '/', '\\' or '..', nor start with '.' (got '\(name)')",
        field: "name", hint: "the name is a folder inside results/; give the folder with 'out'")
    }
    try SpecFields.checkText(dataset, "dataset")
    if dataset.hasPrefix("synthetic:") { _ = try DatasetSource(dataset) }
    try SpecFields.checkText(target, "target")
    if let out { try SpecFields.checkText(out, "out") }
    func inRange(_ v: Int, _ r: ClosedRange<Int>, _ field: String) throws {
      guard r.contains(v) else {
        throw ChorusError(
          .config,
          "'\(field)' must be a whole number from \(r.lowerBound) to \(r.upperBound), got \(v)",
          field: field)
      }
    }
    try inRange(split.folds, Limits.folds, "split.folds")
    try inRange(split.minTracks, Limits.minTracks, "split.minTracks")
    if let t = split.testSize {
      try inRange(t, Limits.testSize, "split.testSize")
      guard t % SplitConfig.blockCount == 0 else {
        throw ChorusError(
          .config, "'split.testSize' must be a multiple of 10, got \(t)", field: "split.testSize",
          hint: "the test set comes in 10 equal blocks (seed lengths 1…10)")
      }
    }
    guard split.seed <= UInt64(Limits.seed.upperBound) else {
      throw ChorusError(.config, "'split.seed' must be at most 2^53", field: "split.seed")
    }
    try inRange(k, Limits.k, "k")
    try unique(strategies.map(\.name), "strategies", hint: "list at least one, e.g. [\"dirlof\"]")
    try unique(statistics.map(\.name), "statistics", hint: "use [\"full\"]")
    let sizeField = sizesKey
    var names: [String] = []
    for size in sizes {
      switch size {
      case .alpha(let a):
        guard sizeField == "alphas" else {
          throw ChorusError(
            .config, "collective sizes mix alphas and budgets", field: sizeField,
            hint: "give all sizes as alphas or all as budgets")
        }
        guard a.isFinite, a > 0, a < 1 else {
          throw ChorusError(.config, "alpha \(a) is outside (0, 1)", field: "alphas")
        }
        names.append("\(a)")
      case .budget(let b):
        guard sizeField == "budgets" else {
          throw ChorusError(
            .config, "collective sizes mix alphas and budgets", field: sizeField,
            hint: "give all sizes as alphas or all as budgets")
        }
        try inRange(b, Limits.budget, "budgets")
        names.append("\(b)")
      }
    }
    try unique(names, sizeField, hint: "give at least one collective size")
    if let folds {
      guard !folds.isEmpty else {
        throw ChorusError(
          .config, "'folds' is empty", field: "folds", hint: "leave it out to run every fold")
      }
      for f in folds where f < 0 || f >= split.folds {
        throw ChorusError(
          .config, "fold \(f) is out of range (0…\(split.folds - 1))", field: "folds")
      }
      try unique(folds.map { "\($0)" }, "folds", hint: "")
    }
    try detection?.validate()
    try retraining.validate(model: model)
    try reranking?.validate(k: k)
    try collectives?.validate()
    if collectives != nil, retraining != .retrain {
      throw ChorusError(
        .config, "'collectives' cannot be combined with 'retraining' yet", field: "collectives",
        hint: "run the settings with several collectives in a spec without a 'retraining' block")
    }
  }

  /// Refuses an empty or over-long list and one that names an entry twice (it would double
  /// the work and duplicate rows of the summary).
  func unique(_ items: [String], _ field: String, hint: String) throws {
    guard !items.isEmpty else {
      throw ChorusError(.config, "'\(field)' is empty", field: field, hint: hint)
    }
    guard items.count <= Limits.listLength.upperBound else {
      throw ChorusError(
        .config, "'\(field)' has \(items.count) entries, more than \(Limits.listLength.upperBound)",
        field: field)
    }
    var seen = Set<String>()
    for item in items where !seen.insert(item).inserted {
      throw ChorusError(
        .config, "'\(field)' lists \(item) twice", field: field,
        hint: "list each entry once")
    }
  }

  /// The folds to run.
  public var foldList: [Int] { folds ?? Array(0..<split.folds) }

  /// The spec key the sizes are given under: "alphas" (also for an empty list) or "budgets".
  public var sizesKey: String { sizes.first?.isAlpha == false ? "budgets" : "alphas" }

  /// The number of collective sizes.
  public var sizeCount: Int { sizes.count }

  /// Candidates scored per context: K, or K · depth with a re-ranking stage.
  public var candidateDepth: Int { reranking?.candidateDepth(k: k) ?? k }

  /// The output folder.
  public var outputFolder: String { out ?? "results/\(name)" }

  enum CodingKeys: String, CodingKey {
    case name, dataset, split, folds, model, strategies, alphas, budgets, statistics, k, target
    case out, detection, reranking, retraining, collectives
  }
  enum ModelKeys: String, CodingKey { case name, config }

  /// Encodes the spec in its JSON format, with the model's full config.
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(name, forKey: .name)
    try c.encode(dataset, forKey: .dataset)
    try c.encode(split, forKey: .split)
    try c.encodeIfPresent(folds, forKey: .folds)
    var m = c.nestedContainer(keyedBy: ModelKeys.self, forKey: .model)
    try m.encode(model.name, forKey: .name)
    try model.encodeConfig(to: &m, forKey: .config)
    try c.encode(strategies, forKey: .strategies)
    var alphas: [Double] = []
    var budgets: [Int] = []
    for size in sizes {
      switch size {
      case .alpha(let a): alphas.append(a)
      case .budget(let b): budgets.append(b)
      }
    }
    if !alphas.isEmpty { try c.encode(alphas, forKey: .alphas) }
    if !budgets.isEmpty { try c.encode(budgets, forKey: .budgets) }
    try c.encode(statistics, forKey: .statistics)
    try c.encode(k, forKey: .k)
    try c.encode(target, forKey: .target)
    try c.encodeIfPresent(out, forKey: .out)
    try c.encodeIfPresent(detection, forKey: .detection)
    try c.encodeIfPresent(reranking, forKey: .reranking)
    try c.encodeIfPresent(collectives, forKey: .collectives)
    if retraining != .retrain { try c.encode(retraining, forKey: .retraining) }
  }

  /// Canonical JSON (sorted keys), the basis of the hash and of spec.resolved.json.
  public func canonicalJSON() throws -> Data {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    return try e.encode(self)
  }

  /// 16 hex digits identifying the spec (all but `out`).
  public func hash() throws -> String {
    var copy = self
    copy.out = nil
    return ContentHash.hex(ContentHash.fnv1a(try copy.canonicalJSON()))
  }
}
