// The platform's re-ranking stage in a study (spec key `reranking`): the model scores each
// test context at depth K · depth, a re-ranker picks the K tracks shown, and every measure of
// the run (amplification, accuracy, externalities, concentration) is taken on the shown lists,
// in the clean world as in the planted one. The clean model's accuracy without the stage (the
// first K of the same candidates) is kept too, so the cost to honest users is known.
// Off (no key), the runner's path and every output byte are as before.
import ChorusCore
import Defences
import Foundation
import Recommenders

/// The `reranking` block of a spec: which re-ranker, its parameters and the candidate depth.
public struct RerankingStage: Sendable, Equatable, Codable {
  /// The re-rankers a study can switch on.
  public enum Kind: String, Sendable, Equatable, Codable, CaseIterable {
    /// Shows the first K candidates unchanged (a control: equals no stage).
    case identity
    /// At most `maxPerArtist` tracks of one artist in every `window` positions.
    case artistDiversity = "artist-diversity"
    /// At most `maxCold` tracks with training frequency below `minCount` per list.
    case coldCap = "cold-cap"
    /// Rank key ln(1 + rank) + beta · ln(1 + training frequency).
    case popularityDiscount = "popularity-discount"

    /// The parameter keys of this kind (besides `kind` and `depth`).
    public var parameterKeys: [String] {
      switch self {
      case .identity: return []
      case .artistDiversity: return ["maxPerArtist", "window"]
      case .coldCap: return ["minCount", "maxCold"]
      case .popularityDiscount: return ["beta"]
      }
    }

    /// Every kind's name, for hints.
    public static var names: String { allCases.map(\.rawValue).joined(separator: ", ") }
  }

  /// Which re-ranker.
  public var kind: Kind
  /// Candidates per context = K · depth (default 2); at least 1.
  public var depth: Int = 2
  /// artist-diversity: n, tracks of one artist allowed per window (default 1).
  public var maxPerArtist: Int? = nil
  /// artist-diversity: m, the window in positions (default 3).
  public var window: Int? = nil
  /// cold-cap: a track is cold below this training frequency (default 5).
  public var minCount: Int? = nil
  /// cold-cap: cold tracks allowed per list (default 0).
  public var maxCold: Int? = nil
  /// popularity-discount: β ≥ 0 (default 0.5).
  public var beta: Double? = nil

  /// A stage of `kind` with that kind's default parameters.
  public init(kind: Kind, depth: Int = 2) {
    self.kind = kind
    self.depth = depth
    switch kind {
    case .identity: break
    case .artistDiversity:
      maxPerArtist = 1
      window = 3
    case .coldCap:
      minCount = 5
      maxCold = 0
    case .popularityDiscount: beta = 0.5
    }
  }

  /// The most candidates per context (K · depth) a study may score.
  public static let maxCandidates = 20_000

  /// Decodes the block strictly: `kind` first, then only that kind's keys.
  static func decode(_ o: [String: Any]) throws -> RerankingStage {
    guard let k = o["kind"], !(k is NSNull) else {
      throw ChorusError(
        .config, "'reranking.kind' is missing", field: "reranking.kind",
        hint: "choose from \(Kind.names)")
    }
    let name = try SpecFields.text(k, "reranking.kind")
    guard let kind = Kind(rawValue: name) else {
      throw ChorusError(
        .config, "unknown re-ranker '\(name)'", field: "reranking.kind",
        hint: "choose from \(Kind.names)")
    }
    try SpecFields.checkKeys(
      o, allowed: ["kind", "depth"] + kind.parameterKeys, context: "reranking (\(name))",
      prefix: "reranking.")
    var s = RerankingStage(kind: kind)
    func value(_ key: String) -> Any? {
      guard let v = o[key], !(v is NSNull) else { return nil }
      return v
    }
    if let v = value("depth") {
      s.depth = try SpecFields.integer(v, "reranking.depth", in: 1...1_000)
    }
    if let v = value("maxPerArtist") {
      s.maxPerArtist = try SpecFields.integer(v, "reranking.maxPerArtist", in: 1...1_000)
    }
    if let v = value("window") {
      s.window = try SpecFields.integer(v, "reranking.window", in: 1...1_000)
    }
    if let v = value("minCount") {
      s.minCount = try SpecFields.integer(v, "reranking.minCount", in: 1...100_000_000)
    }
    if let v = value("maxCold") {
      s.maxCold = try SpecFields.integer(v, "reranking.maxCold", in: 0...10_000)
    }
    if let v = value("beta") {
      guard let n = SpecFields.number(v), n.doubleValue.isFinite else {
        throw SpecFields.wrong("reranking.beta", v, expected: "a number ≥ 0")
      }
      s.beta = n.doubleValue
    }
    return s
  }

  /// Checks the values against each other and against K (also for stages built in code).
  func validate(k: Int) throws {
    guard depth >= 1 else {
      throw ChorusError(
        .config, "'reranking.depth' must be at least 1, got \(depth)", field: "reranking.depth",
        hint: "the model scores K · depth candidates per context, e.g. depth 2")
    }
    guard k * depth <= Self.maxCandidates else {
      throw ChorusError(
        .config,
        "K · depth = \(k) · \(depth) is more than \(Self.maxCandidates) candidates per context",
        field: "reranking.depth", hint: "lower 'reranking.depth' or 'k'")
    }
    func require<T>(_ v: T?, _ key: String) throws -> T {
      guard let v else {
        throw ChorusError(
          .config, "'reranking.\(key)' is missing for \(kind.rawValue)",
          field: "reranking.\(key)", hint: "give it, or build the stage with its defaults")
      }
      return v
    }
    for key in ["maxPerArtist", "window", "minCount", "maxCold", "beta"]
    where !kind.parameterKeys.contains(key) && isSet(key) {
      throw ChorusError(
        .config, "'reranking.\(key)' does not apply to \(kind.rawValue)",
        field: "reranking.\(key)",
        hint: kind.parameterKeys.isEmpty
          ? "\(kind.rawValue) has no parameters"
          : "\(kind.rawValue) takes \(kind.parameterKeys.joined(separator: ", "))")
    }
    switch kind {
    case .identity: break
    case .artistDiversity:
      let n = try require(maxPerArtist, "maxPerArtist")
      let m = try require(window, "window")
      guard n >= 1, m >= 1, n <= m else {
        throw ChorusError(
          .config, "'reranking.maxPerArtist' \(n) must be from 1 to 'reranking.window' (\(m))",
          field: "reranking.maxPerArtist",
          hint: "at most n tracks of one artist in every m positions needs 1 ≤ n ≤ m")
      }
    case .coldCap:
      let c = try require(minCount, "minCount")
      let m = try require(maxCold, "maxCold")
      guard c >= 1 else {
        throw ChorusError(
          .config, "'reranking.minCount' must be at least 1, got \(c)",
          field: "reranking.minCount")
      }
      guard m >= 0 else {
        throw ChorusError(
          .config, "'reranking.maxCold' must be at least 0, got \(m)", field: "reranking.maxCold")
      }
    case .popularityDiscount:
      let b = try require(beta, "beta")
      guard b.isFinite, b >= 0 else {
        throw ChorusError(
          .config, "'reranking.beta' must be a number ≥ 0, got \(b)", field: "reranking.beta",
          hint: "0 keeps the model's order; 0.5 moves rarely played tracks up")
      }
    }
  }

  func isSet(_ key: String) -> Bool {
    switch key {
    case "maxPerArtist": return maxPerArtist != nil
    case "window": return window != nil
    case "minCount": return minCount != nil
    case "maxCold": return maxCold != nil
    case "beta": return beta != nil
    default: return false
    }
  }

  /// Candidates the model scores per context for lists of `k`.
  public func candidateDepth(k: Int) -> Int { k * depth }

  /// Whether the re-ranker reads the training frequencies (then the planted world's must be
  /// those of the manipulated training data).
  public var usesTrainingCounts: Bool { kind == .coldCap || kind == .popularityDiscount }

  /// The re-ranker of a validated stage.
  /// - Parameters:
  ///   - trackArtist: per catalogue track, its artist (later tracks, s*, count as their own).
  ///   - trainingCounts: per track, its frequency in the data the model was trained on.
  public func reranker(trackArtist: [Int32], trainingCounts: [Int32]) -> any Reranker {
    switch kind {
    case .identity:
      return IdentityReranker()
    case .artistDiversity:
      return ArtistDiversityReranker(
        trackArtist: trackArtist, maxPerArtist: maxPerArtist!, window: window!)
    case .coldCap:
      return ColdTrackCapReranker(
        trainingCounts: trainingCounts, minCount: minCount!, maxCold: maxCold!)
    case .popularityDiscount:
      return PopularityDiscountReranker(trainingCounts: trainingCounts, beta: beta!)
    }
  }

  /// A short label for figures and tables, e.g. "artist-diversity n=1 m=3, depth 2".
  public var label: String {
    var parts = [kind.rawValue]
    if let maxPerArtist, let window { parts.append("n=\(maxPerArtist) m=\(window)") }
    if let minCount, let maxCold { parts.append("below \(minCount) max \(maxCold)") }
    if let beta { parts.append("beta=\(beta)") }
    return parts.joined(separator: " ") + ", depth \(depth)"
  }

  /// The first `k` tracks of every row of `table` (the list without re-ranking).
  static func prefix(_ table: RecommendationTable, k: Int) -> RecommendationTable {
    precondition(k <= table.k)
    if k == table.k { return table }
    var items = [Int32]()
    items.reserveCapacity(table.rows * k)
    for r in 0..<table.rows { items += table[r].prefix(k) }
    return RecommendationTable(k: k, items: items)
  }
}
