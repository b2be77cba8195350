// The `collectives` block of a spec: settings in which several collectives act at once, each
// with its own target song, strategy, statistics source, size, follow probability (noisy
// coordination) and homogeneity (members of similar taste), their memberships disjoint
// (default) or overlapping. Decoded strictly like
// the rest of the spec: every error names its field, e.g. `collectives.settings[1].collectives[0].follow`.
import ChorusCore
import CollectiveAction
import Foundation

/// How the collectives of a setting draw their playlists.
public enum Memberships: String, Sendable, Equatable, Codable, CaseIterable {
  /// In a fixed order from the fold's eligible playlists (`FoldSplit.collectiveOrder`): the
  /// first collective takes its B first, the next the following ones, and so on.
  case disjoint
  /// Each collective draws on its own: the first takes the prefix of the fold's order (the
  /// collective of a single-collective study), collective j ≥ 1 the prefix of that order
  /// shuffled with the stream (fold seed, "collectives.overlap", j). A playlist may be in
  /// several collectives.
  case overlapping
  /// Every collective takes the prefix of the fold's order: collectives of one size share all
  /// their members, a smaller one's members are all in a larger one. Each shared playlist
  /// holds every collective's song (Karan et al.'s overlapping collectives at full overlap).
  case shared
}

/// One collective of a setting.
public struct CollectiveGroup: Sendable, Equatable, Encodable {
  /// External id of its song s* (a new track).
  public var target: String
  /// Where its members place s*.
  public var strategy: Strategy
  /// What it knows about song frequencies.
  public var statistics: EstimateSource = .full
  /// Its number of playlists (B) or share of the training playlists (α).
  public var size: CollectiveSize
  /// The probability that a member applies the strategy; the others leave their playlist
  /// unchanged (noisy coordination). 1 = every member follows.
  public var follow: Double = 1
  /// The share of its members chosen for taste, in [0, 1]: round(h · B) members are the
  /// playlists whose artists overlap most with the first playlist it would draw (Jaccard of
  /// the artist sets, that playlist included), the rest are drawn as usual. 0 (the default)
  /// draws every member as usual; 1 makes the collective the B nearest neighbours of one
  /// playlist (Karan et al.'s homogeneous collective).
  public var homogeneity: Double = 0

  /// A collective; statistics default to full information, follow to 1, homogeneity to 0.
  public init(
    target: String, strategy: Strategy, statistics: EstimateSource = .full,
    size: CollectiveSize, follow: Double = 1, homogeneity: Double = 0
  ) {
    self.target = target
    self.strategy = strategy
    self.statistics = statistics
    self.size = size
    self.follow = follow
    self.homogeneity = homogeneity
  }

  enum CodingKeys: String, CodingKey {
    case target, strategy, statistics, budget, alpha, follow, homogeneity
  }

  /// Encodes in the spec's JSON form (`budget` or `alpha`).
  public func encode(to encoder: any Encoder) throws {
    var c = encoder.container(keyedBy: CodingKeys.self)
    try c.encode(target, forKey: .target)
    try c.encode(strategy, forKey: .strategy)
    try c.encode(statistics, forKey: .statistics)
    switch size {
    case .budget(let b): try c.encode(b, forKey: .budget)
    case .alpha(let a): try c.encode(a, forKey: .alpha)
    }
    try c.encode(follow, forKey: .follow)
    // Only when set, so that the specs written before the key keep their hash.
    if homogeneity != 0 { try c.encode(homogeneity, forKey: .homogeneity) }
  }
}

/// Several collectives acting at once.
public struct CollectiveSetting: Sendable, Equatable, Encodable {
  /// A short name for the tables and figures.
  public var name: String
  public var memberships: Memberships = .disjoint
  /// The collectives, in order (it decides the disjoint draw and ties between songs).
  public var collectives: [CollectiveGroup]

  /// A setting; memberships default to disjoint.
  public init(
    name: String, memberships: Memberships = .disjoint, collectives: [CollectiveGroup]
  ) {
    self.name = name
    self.memberships = memberships
    self.collectives = collectives
  }

}

/// The `collectives` block: the settings a study measures, besides its single-collective grid.
public struct CollectivesStudy: Sendable, Equatable, Encodable {
  public var settings: [CollectiveSetting]

  public init(settings: [CollectiveSetting]) { self.settings = settings }

  /// Whether any collective chooses members for taste: then the CSVs carry the homogeneity
  /// and the members' measured similarity.
  public var usesHomogeneity: Bool {
    settings.contains { $0.collectives.contains { $0.homogeneity != 0 } }
  }

  /// The distinct targets of every setting, in order of first appearance: target i is
  /// appended to the catalogue as track `trackCount + i` for every setting, so that one
  /// collective alone is the same measurement in each setting it appears in.
  public var targets: [String] {
    var seen = Set<String>()
    return settings.flatMap { $0.collectives.map(\.target) }.filter { seen.insert($0).inserted }
  }

  /// The (setting, collective) where `target` first appears, for error messages.
  func firstUse(of target: String) -> (setting: Int, collective: Int) {
    for (i, s) in settings.enumerated() {
      if let j = s.collectives.firstIndex(where: { $0.target == target }) { return (i, j) }
    }
    preconditionFailure("\(target) is not a target of the study")
  }

  /// The keys of the block, of a setting and of a collective.
  public static let keys = ["settings"]
  public static let settingKeys = ["name", "memberships", "collectives"]
  public static let collectiveKeys = [
    "target", "strategy", "statistics", "budget", "alpha", "follow", "homogeneity",
  ]

  /// Limits: settings per study and collectives per setting.
  public enum Limits {
    public static let settings = 1...1_000
    public static let collectives = 1...100
  }

  /// The spec field of setting `i`, or of collective `j` in it, or of a key of either.
  public static func field(_ i: Int, _ j: Int? = nil, _ key: String? = nil) -> String {
    var f = "collectives.settings[\(i)]"
    if let j { f += ".collectives[\(j)]" }
    if let key { f += "." + key }
    return f
  }

  /// Decodes the block strictly.
  static func decode(_ o: [String: Any]) throws -> CollectivesStudy {
    try SpecFields.checkKeys(o, allowed: keys, context: "collectives", prefix: "collectives.")
    guard let raw = o["settings"], !(raw is NSNull) else {
      throw ChorusError(
        .config, "'collectives' needs 'settings'", field: "collectives.settings",
        hint: "list the settings, each with a name and its collectives")
    }
    let items = try SpecFields.array(raw, "collectives.settings")
    var settings: [CollectiveSetting] = []
    for (i, item) in items.enumerated() {
      settings.append(try decodeSetting(SpecFields.object(item, field(i)), i))
    }
    let study = CollectivesStudy(settings: settings)
    try study.validate()
    return study
  }

  static func decodeSetting(_ o: [String: Any], _ i: Int) throws -> CollectiveSetting {
    try SpecFields.checkKeys(
      o, allowed: settingKeys, context: "a collectives setting", prefix: field(i) + ".")
    func value(_ key: String) -> Any? {
      guard let v = o[key], !(v is NSNull) else { return nil }
      return v
    }
    let name = try SpecFields.text(
      value("name") ?? "setting-\(i)", field(i, nil, "name"), maxLength: 100)
    var memberships = Memberships.disjoint
    if let v = value("memberships") {
      let text = try SpecFields.text(v, field(i, nil, "memberships"))
      guard let m = Memberships(rawValue: text) else {
        throw ChorusError(
          .config, "unknown memberships '\(text)'", field: field(i, nil, "memberships"),
          hint: "use disjoint, overlapping or shared")
      }
      memberships = m
    }
    guard let raw = value("collectives") else {
      throw ChorusError(
        .config, "the setting lists no collectives", field: field(i, nil, "collectives"),
        hint: "give a list of collectives, each with a strategy and a budget or alpha")
    }
    var groups: [CollectiveGroup] = []
    for (j, item) in try SpecFields.array(raw, field(i, nil, "collectives")).enumerated() {
      groups.append(try decodeGroup(SpecFields.object(item, field(i, j)), i, j))
    }
    return CollectiveSetting(name: name, memberships: memberships, collectives: groups)
  }

  static func decodeGroup(_ o: [String: Any], _ i: Int, _ j: Int) throws -> CollectiveGroup {
    try SpecFields.checkKeys(
      o, allowed: collectiveKeys, context: "a collective", prefix: field(i, j) + ".")
    func value(_ key: String) -> Any? {
      guard let v = o[key], !(v is NSNull) else { return nil }
      return v
    }
    let target = try SpecFields.text(
      value("target") ?? "chorus:target:\(j)", field(i, j, "target"))
    guard let s = value("strategy") else {
      throw ChorusError(
        .config, "the collective has no strategy", field: field(i, j, "strategy"),
        hint: "e.g. \"strategy\": \"dirlof\"")
    }
    let strategy = try ExperimentSpec.renamingField(field(i, j, "strategy")) {
      try Strategy(name: SpecFields.text(s, field(i, j, "strategy")))
    }
    var statistics = EstimateSource.full
    if let v = value("statistics") {
      statistics = try ExperimentSpec.renamingField(field(i, j, "statistics")) {
        try EstimateSource(name: SpecFields.text(v, field(i, j, "statistics")))
      }
    }
    let size: CollectiveSize
    switch (value("budget"), value("alpha")) {
    case (let b?, nil):
      size = .budget(
        try SpecFields.integer(b, field(i, j, "budget"), in: ExperimentSpec.Limits.budget))
    case (nil, let a?):
      size = .alpha(
        try SpecFields.open(
          a, field(i, j, "alpha"), 0, 1,
          hint: "alpha is the fraction of training playlists the collective controls"))
    default:
      throw ChorusError(
        .config, "give exactly one of 'budget' and 'alpha'", field: field(i, j, "budget"),
        hint: "budget is a playlist count, alpha a fraction of the training playlists")
    }
    var follow = 1.0
    if let v = value("follow") {
      guard let n = SpecFields.number(v), n.doubleValue.isFinite else {
        throw SpecFields.wrong(field(i, j, "follow"), v, expected: "a number from 0 to 1")
      }
      follow = n.doubleValue
    }
    var homogeneity = 0.0
    if let v = value("homogeneity") {
      guard let n = SpecFields.number(v), n.doubleValue.isFinite else {
        throw SpecFields.wrong(field(i, j, "homogeneity"), v, expected: "a number from 0 to 1")
      }
      homogeneity = n.doubleValue
    }
    return CollectiveGroup(
      target: target, strategy: strategy, statistics: statistics, size: size, follow: follow,
      homogeneity: homogeneity)
  }

  /// Checks every value that does not need the data (also for blocks built in code).
  public func validate() throws {
    guard Limits.settings.contains(settings.count) else {
      throw ChorusError(
        .config,
        "'collectives.settings' must list 1 to \(Limits.settings.upperBound) settings, got \(settings.count)",
        field: "collectives.settings")
    }
    var names = Set<String>()
    for (i, s) in settings.enumerated() {
      try SpecFields.checkText(s.name, Self.field(i, nil, "name"), maxLength: 100)
      guard names.insert(s.name).inserted else {
        throw ChorusError(
          .config, "two settings are named '\(s.name)'", field: Self.field(i, nil, "name"),
          hint: "give every setting its own name")
      }
      guard Limits.collectives.contains(s.collectives.count) else {
        throw ChorusError(
          .config,
          "a setting must list 1 to \(Limits.collectives.upperBound) collectives, got \(s.collectives.count)",
          field: Self.field(i, nil, "collectives"))
      }
      var targets = Set<String>()
      for (j, g) in s.collectives.enumerated() {
        try SpecFields.checkText(g.target, Self.field(i, j, "target"))
        switch g.size {
        case .budget(let b):
          guard ExperimentSpec.Limits.budget.contains(b) else {
            throw ChorusError(
              .config,
              "'budget' must be a whole number from 1 to \(ExperimentSpec.Limits.budget.upperBound), got \(b)",
              field: Self.field(i, j, "budget"))
          }
        case .alpha(let a):
          guard a.isFinite, a > 0, a < 1 else {
            throw ChorusError(
              .config, "alpha \(a) is outside (0, 1)", field: Self.field(i, j, "alpha"))
          }
        }
        guard g.follow.isFinite, g.follow >= 0, g.follow <= 1 else {
          throw ChorusError(
            .config, "'follow' must be a probability from 0 to 1, got \(g.follow)",
            field: Self.field(i, j, "follow"),
            hint: "the chance that a member applies the strategy; 1 = everyone follows")
        }
        guard g.homogeneity.isFinite, g.homogeneity >= 0, g.homogeneity <= 1 else {
          throw ChorusError(
            .config, "'homogeneity' must be a share from 0 to 1, got \(g.homogeneity)",
            field: Self.field(i, j, "homogeneity"),
            hint: "the share of members chosen for similar taste; 0 = drawn as usual")
        }
        if !targets.insert(g.target).inserted, s.memberships != .disjoint {
          throw ChorusError(
            .config,
            "two \(s.memberships.rawValue) collectives promote the same song '\(g.target)': a shared playlist would hold it twice",
            field: Self.field(i, j, "target"),
            hint: "use disjoint memberships for one song pursued by two collectives")
        }
      }
    }
  }

  /// B of collective `j` of setting `i` on a training set of `trainingCount` playlists.
  func budget(_ i: Int, _ j: Int, trainingCount: Int) -> Int {
    settings[i].collectives[j].size.budget(trainingCount: trainingCount)
  }
}
