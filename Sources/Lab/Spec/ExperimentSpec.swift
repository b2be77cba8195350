// An experiment spec (Experiments/*.json): dataset, split, model, strategies, collective
// sizes, statistics sources, K and output folder. Decoded strictly — an unknown key or a
// bad value is an error naming the key — with `--set a.b=value` overrides applied to the
// JSON before decoding, so the command line can change anything the file can.
import ChorusCore
import Foundation
import PlaylistData

/// The model section of a spec: a name and its settings.
public struct ModelSection: Codable, Sendable, Equatable {
  /// popularity, cooccurrence, embedding.
  public var name: String = "cooccurrence"
  /// Settings of the model (keys of its config); missing keys take the defaults.
  public var config: [String: JSONValue] = [:]
  public init() {}
}

/// A whole study.
public struct ExperimentSpec: Codable, Sendable, Equatable {
  /// Short name; the default output folder is results/<name>.
  public var name: String = "experiment"
  /// A dataset path or synthetic:<preset>[:<seed>].
  public var dataset: String = "synthetic:small"
  /// Eligibility, test size, number of folds, base seed.
  public var split = SplitConfig()
  /// Which folds to run (default: all of 0..<split.folds).
  public var folds: [Int]? = nil
  public var model = ModelSection()
  /// Strategy names (dirlof, inclust, hybrid:tau=2, random, at-the-end, …).
  public var strategies: [String] = ["dirlof", "random"]
  /// Collective sizes as fractions of the training set (give alphas or budgets).
  public var alphas: [Double]? = nil
  /// Collective sizes as playlist counts.
  public var budgets: [Int]? = nil
  /// What the collective knows: full, sample:Q, table:FILE, proxy:SIGMA.
  public var statistics: [String] = ["full"]
  /// Length of every recommendation list (the study: 500).
  public var k: Int = 500
  /// External id of the promoted song s*.
  public var target: String = "chorus:target:0"
  /// Output folder; nil = results/<name>.
  public var out: String? = nil

  public init() {}

  /// The keys a spec may have, for error messages.
  public static let keys = [
    "name", "dataset", "split", "folds", "model", "strategies", "alphas", "budgets", "statistics",
    "k", "target", "out",
  ]

  /// Reads a spec file, applies overrides, validates.
  public static func load(path: String, overrides: [String] = []) throws -> ExperimentSpec {
    let data = try FileIO.read(path)
    let object: Any
    do {
      object = try JSONSerialization.jsonObject(with: data)
    } catch {
      throw ChorusError(
        .config, "not valid JSON: \(error.localizedDescription)", file: path,
        hint: "check brackets, commas and quotes")
    }
    guard var dict = object as? [String: Any] else {
      throw ChorusError(.config, "a spec must be a JSON object", file: path)
    }
    for o in overrides { try applyOverride(o, to: &dict) }
    do {
      return try decode(dict)
    } catch let e as ChorusError {
      throw e.inFile(path)
    }
  }

  /// Decodes and validates a spec from a JSON object, refusing unknown keys.
  public static func decode(_ dict: [String: Any]) throws -> ExperimentSpec {
    try checkKeys(dict, allowed: keys, context: "the spec")
    if let split = dict["split"] {
      guard let s = split as? [String: Any] else {
        throw ChorusError(.config, "'split' must be an object", field: "split")
      }
      try checkKeys(
        s, allowed: ["minTracks", "testSize", "folds", "seed"], context: "split", prefix: "split.")
    }
    if let model = dict["model"] {
      guard let m = model as? [String: Any] else {
        throw ChorusError(.config, "'model' must be an object", field: "model")
      }
      try checkKeys(m, allowed: ["name", "config"], context: "model", prefix: "model.")
    }
    // Missing keys take the defaults: merge the given object over the encoded default spec.
    let merged = deepMerge(try ConfigCoding.object(ExperimentSpec()), dict)
    let spec: ExperimentSpec
    do {
      let data = try JSONSerialization.data(withJSONObject: merged)
      spec = try JSONDecoder().decode(ExperimentSpec.self, from: data)
    } catch let e as DecodingError {
      throw ChorusError(
        .config, "bad value: \(ConfigCoding.describe(e))", field: ConfigCoding.codingPath(e),
        hint: "see Experiments/README.md for the spec format")
    }
    try spec.validate()
    return spec
  }

  /// `over` laid over `base`, recursing into objects present in both.
  static func deepMerge(_ base: [String: Any], _ over: [String: Any]) -> [String: Any] {
    var out = base
    for (k, v) in over {
      if let b = base[k] as? [String: Any], let o = v as? [String: Any], k != "config" {
        out[k] = deepMerge(b, o)
      } else {
        out[k] = v
      }
    }
    return out
  }

  static func checkKeys(
    _ dict: [String: Any], allowed: [String], context: String, prefix: String = ""
  ) throws {
    for key in dict.keys.sorted() where !allowed.contains(key) {
      throw ChorusError(
        .config, "unknown key '\(prefix)\(key)' in \(context)", field: prefix + key,
        hint: "valid keys: \(allowed.joined(separator: ", "))")
    }
  }

  /// Applies `a.b.c=value` to a JSON object; the value is JSON when it parses, else a string.
  public static func applyOverride(_ item: String, to dict: inout [String: Any]) throws {
    guard let eq = item.firstIndex(of: "=") else {
      throw ChorusError(
        .usage, "override '\(item)' is not key=value", hint: "write e.g. --set split.folds=2")
    }
    let path = item[..<eq].split(separator: ".").map(String.init)
    let text = String(item[item.index(after: eq)...])
    guard !path.isEmpty else { throw ChorusError(.usage, "override '\(item)' has an empty key") }
    let value: Any =
      (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]))
      ?? text
    func set(_ d: inout [String: Any], _ keys: ArraySlice<String>) throws {
      let key = keys.first!
      if keys.count == 1 {
        d[key] = value
        return
      }
      var inner = (d[key] as? [String: Any]) ?? [:]
      try set(&inner, keys.dropFirst())
      d[key] = inner
    }
    try set(&dict, path[...])
  }

  /// Checks every value that does not need the data.
  public func validate() throws {
    try split.validate()
    guard !strategies.isEmpty else {
      throw ChorusError(
        .config, "no strategies given", field: "strategies",
        hint: "list at least one, e.g. [\"dirlof\"]")
    }
    guard !statistics.isEmpty else {
      throw ChorusError(
        .config, "no statistics sources given", field: "statistics", hint: "use [\"full\"]")
    }
    guard k > 0 else { throw ChorusError(.config, "k must be positive (got \(k))", field: "k") }
    switch (alphas, budgets) {
    case (nil, nil), (.some, .some):
      throw ChorusError(
        .config, "give exactly one of 'alphas' and 'budgets'", field: "alphas",
        hint: "alphas are fractions of the training set, budgets playlist counts")
    case (let a?, nil):
      guard !a.isEmpty else { throw ChorusError(.config, "'alphas' is empty", field: "alphas") }
      for x in a where !(x > 0 && x < 1) {
        throw ChorusError(
          .config, "alpha \(x) is outside (0, 1)", field: "alphas",
          hint: "alpha is the fraction of training playlists the collective controls, e.g. 0.001")
      }
    case (nil, let b?):
      guard !b.isEmpty else { throw ChorusError(.config, "'budgets' is empty", field: "budgets") }
      for x in b where x < 1 {
        throw ChorusError(.config, "budget \(x) must be at least 1", field: "budgets")
      }
    }
    for f in foldList where f < 0 || f >= split.folds {
      throw ChorusError(.config, "fold \(f) is out of range (0…\(split.folds - 1))", field: "folds")
    }
    if let folds, Set(folds).count != folds.count {
      throw ChorusError(.config, "'folds' lists a fold twice", field: "folds")
    }
  }

  /// The folds to run.
  public var foldList: [Int] { folds ?? Array(0..<split.folds) }

  /// The collective sizes as given (alphas or budgets), in spec order.
  public var sizeCount: Int { alphas?.count ?? budgets?.count ?? 0 }

  /// The output folder.
  public var outputFolder: String { out ?? "results/\(name)" }

  /// Canonical JSON (sorted keys), the basis of the hash and of spec.resolved.json.
  public func canonicalJSON() throws -> Data {
    let e = JSONEncoder()
    e.outputFormatting = [.prettyPrinted, .sortedKeys]
    return try e.encode(self)
  }

  /// 16 hex digits identifying everything that determines results (all but `out`).
  public func hash() throws -> String {
    var copy = self
    copy.out = nil
    let data = try copy.canonicalJSON()
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for b in data {
      h ^= UInt64(b)
      h = h &* 0x0000_0100_0000_01B3
    }
    return String(h, radix: 16).leftPadded(to: 16)
  }
}

extension String {
  func leftPadded(to n: Int, with c: Character = "0") -> String {
    count >= n ? self : String(repeating: c, count: n - count) + self
  }
}

/// A JSON value, for free-form sections such as model settings.
public enum JSONValue: Codable, Sendable, Equatable {
  case number(Double)
  case string(String)
  case bool(Bool)
  case array([JSONValue])
  case object([String: JSONValue])
  case null

  public init(from decoder: any Decoder) throws {
    let c = try decoder.singleValueContainer()
    if c.decodeNil() {
      self = .null
    } else if let b = try? c.decode(Bool.self) {
      self = .bool(b)
    } else if let d = try? c.decode(Double.self) {
      self = .number(d)
    } else if let s = try? c.decode(String.self) {
      self = .string(s)
    } else if let a = try? c.decode([JSONValue].self) {
      self = .array(a)
    } else {
      self = .object(try c.decode([String: JSONValue].self))
    }
  }

  public func encode(to encoder: any Encoder) throws {
    var c = encoder.singleValueContainer()
    switch self {
    case .number(let d): try c.encode(d)
    case .string(let s): try c.encode(s)
    case .bool(let b): try c.encode(b)
    case .array(let a): try c.encode(a)
    case .object(let o): try c.encode(o)
    case .null: try c.encodeNil()
    }
  }

  /// As a Foundation JSON value (for ConfigCoding).
  public var foundation: Any {
    switch self {
    case .number(let d): return d
    case .string(let s): return s
    case .bool(let b): return b
    case .array(let a): return a.map(\.foundation)
    case .object(let o): return o.mapValues(\.foundation)
    case .null: return NSNull()
    }
  }
}
