// Where the collective puts the target song s* in each of its playlists (Experiments/PROTOCOL.md
// §3): the strategies of Baumann & Mendler-Dünner 2024 plus the lab's Hybrid, as one enum with
// stable text names (`dirlof`, `inclust:k=10`, `random-in:1-10`, …) that specs and the CLI use.
// This file only names and parses strategies; Planting.swift carries them out.
import ChorusCore

/// A placement strategy for the target song s* (Baumann & Mendler-Dünner 2024, "Algorithmic
/// Collective Action in Recommender Systems"; Experiments/PROTOCOL.md §3).
///
/// Notation: f(s) is the collective's *estimate* of song s's training frequency (see
/// `FrequencyEstimate`); c(s) is the number of collective playlists that contain s. Ties always
/// go to the earliest position in the playlist. A *direct anchor* is the song right before
/// s*; an *indirect anchor* is the song right after it.
///
/// Positions: an insertion position p is the number of songs before s* in the new playlist
/// (0 = at the beginning, L = at the end of a playlist of L songs), i.e. "right after song
/// number p" counting songs from 1.
///
/// Codable as its `name`, a single string.
public enum Strategy: Sendable, Hashable, CustomStringConvertible {
  /// `dirlof`: insert s* right after the song with the lowest f (the direct anchor). Songs
  /// whose estimate is unknown are never anchors; when no song has an estimate, the anchor
  /// is a uniformly random song.
  case dirLoF
  /// `dirlof-target:x`: for m = x, x−1, …, 1, take the songs with c exactly m (and a known
  /// f); the first m that has any gives the anchor, the one with the lowest f. Falls back to
  /// plain DirLoF. Aims each direct anchor at being shared by x collective playlists.
  case dirLoFTarget(Int)
  /// `inclust`: insert s* right before the song with the highest c (the indirect anchor).
  /// Needs no outside statistics.
  case inClust
  /// `inclust:k=K`: the collective agrees on its K most frequent songs (by c, ties by lower
  /// track id); each playlist uses the most frequent of those it contains, else its own
  /// highest-c song; s* goes right before it.
  case inClustTop(k: Int)
  /// `hybrid:tau=T` **[lab]**: if the playlist's highest-c song has c ≥ T, InClust;
  /// otherwise DirLoF. Produces both kinds of anchor. Plain `hybrid` means T = 2.
  case hybrid(tau: Int)
  /// `random`: right after a uniformly random song of the playlist.
  case random
  /// `at-the-end`: after the last song.
  case atTheEnd
  /// `at-the-beginning`: before the first song.
  case atTheBeginning
  /// `insert-at:i`: at insertion position min(i, L).
  case insertAt(Int)
  /// `random-in:i-j`: at a uniform insertion position in i…j (1-based: "right after song
  /// number p"), both ends clamped to the playlist length L.
  case randomIn(first: Int, last: Int)
  /// `random-in-last:n`: right after a uniformly random one of the last n songs.
  case randomInLast(Int)

  /// The default τ of Hybrid: InClust only for songs that at least two playlists share.
  public static let defaultTau = 2

  /// The stable text name; `Strategy(name: s.name) == s` for every strategy.
  public var name: String {
    switch self {
    case .dirLoF: return "dirlof"
    case .dirLoFTarget(let x): return "dirlof-target:\(x)"
    case .inClust: return "inclust"
    case .inClustTop(let k): return "inclust:k=\(k)"
    case .hybrid(let tau): return "hybrid:tau=\(tau)"
    case .random: return "random"
    case .atTheEnd: return "at-the-end"
    case .atTheBeginning: return "at-the-beginning"
    case .insertAt(let i): return "insert-at:\(i)"
    case .randomIn(let i, let j): return "random-in:\(i)-\(j)"
    case .randomInLast(let n): return "random-in-last:\(n)"
    }
  }

  /// The text name (as `name`).
  public var description: String { name }

  /// The accepted name forms, for help texts and error hints.
  public static let nameForms = [
    "dirlof", "dirlof-target:X", "inclust", "inclust:k=K", "hybrid", "hybrid:tau=T", "random",
    "at-the-end", "at-the-beginning", "insert-at:I", "random-in:I-J", "random-in-last:N",
  ]

  /// One example of every strategy, e.g. for conformance tests.
  public static let examples: [Strategy] = [
    .dirLoF, .dirLoFTarget(3), .inClust, .inClustTop(k: 10), .hybrid(tau: defaultTau), .random,
    .atTheEnd, .atTheBeginning, .insertAt(5), .randomIn(first: 1, last: 10), .randomInLast(10),
  ]

  /// Whether the strategy reads the song statistics f (DirLoF and its variants).
  public var usesEstimates: Bool {
    switch self {
    case .dirLoF, .dirLoFTarget, .hybrid: return true
    default: return false
    }
  }

  /// Whether the strategy reads the collective counts c.
  public var usesCollectiveCounts: Bool {
    switch self {
    case .dirLoFTarget, .inClust, .inClustTop, .hybrid: return true
    default: return false
    }
  }

  /// Parses a strategy name (case-insensitive, surrounding spaces ignored).
  /// - Throws: `ChorusError(.config, field: "strategy")` for an unknown name or a bad
  ///   parameter; the hint lists the valid names.
  public init(name raw: String) throws {
    let text = raw.trimmingSpaces.lowercased()
    let head: Substring
    let param: Substring?
    if let colon = text.firstIndex(of: ":") {
      head = text[..<colon]
      param = text[text.index(after: colon)...]
    } else {
      head = Substring(text)
      param = nil
    }
    func bad(_ why: String) -> ChorusError {
      ChorusError(
        .config, "bad strategy '\(raw)': \(why)", field: "strategy",
        hint: "valid strategies: " + Strategy.nameForms.joined(separator: ", "))
    }
    func noParameter() throws {
      if param != nil { throw bad("'\(head)' takes no parameter") }
    }
    func integer(_ s: Substring?, _ what: String, atLeast minimum: Int) throws -> Int {
      guard let s, let v = Int(s), v >= minimum else {
        throw bad("\(what) must be an integer ≥ \(minimum)")
      }
      return v
    }
    func keyed(_ key: String, _ what: String, atLeast minimum: Int) throws -> Int {
      guard let param, param.hasPrefix(key + "=") else {
        throw bad("expected '\(head):\(key)=…'")
      }
      return try integer(param.dropFirst(key.count + 1), what, atLeast: minimum)
    }
    switch head {
    case "dirlof":
      try noParameter()
      self = .dirLoF
    case "dirlof-target":
      self = .dirLoFTarget(try integer(param, "the target share x", atLeast: 1))
    case "inclust":
      self = try param == nil ? .inClust : .inClustTop(k: keyed("k", "k", atLeast: 1))
    case "hybrid":
      self = try .hybrid(tau: param == nil ? Strategy.defaultTau : keyed("tau", "tau", atLeast: 1))
    case "random":
      try noParameter()
      self = .random
    case "at-the-end":
      try noParameter()
      self = .atTheEnd
    case "at-the-beginning":
      try noParameter()
      self = .atTheBeginning
    case "insert-at":
      self = .insertAt(try integer(param, "the position", atLeast: 0))
    case "random-in":
      guard let param, let dash = param.firstIndex(of: "-") else {
        throw bad("expected 'random-in:I-J', e.g. random-in:1-10")
      }
      let i = try integer(param[..<dash], "I", atLeast: 1)
      let j = try integer(param[param.index(after: dash)...], "J", atLeast: i)
      self = .randomIn(first: i, last: j)
    case "random-in-last":
      self = .randomInLast(try integer(param, "n", atLeast: 1))
    default:
      throw bad("unknown strategy '\(head)'")
    }
  }
}

/// Codable as its name (`dirlof`, `hybrid:tau=2`, …).
extension Strategy: NameCodable {}

extension String {
  /// The string without leading and trailing spaces, tabs and line breaks.
  var trimmingSpaces: String {
    let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
    guard let start = firstIndex(where: { !isSpace($0) }) else { return "" }
    let end = lastIndex(where: { !isSpace($0) })!
    return String(self[start...end])
  }
}
