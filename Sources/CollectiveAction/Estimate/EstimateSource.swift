// What the collective knows about song frequencies (Experiments/PROTOCOL.md §4), as a spec with
// stable text names for specs and the CLI: `full`, `sample:0.1`, `table:FILE`, `proxy:0.5`. Only
// names and parsing live here; FrequencyEstimate builds the estimate.
import ChorusCore

/// The source of the collective's frequency estimate f (Baumann & Mendler-Dünner 2024 study
/// full and partial knowledge; Experiments/PROTOCOL.md §4). Codable as its `name`, a single string.
/// Specs, the CLI (`--statistics`) and the results tables (`statistics` column) call it the
/// collective's statistics; the type name says what it is: where the estimate comes from.
public enum EstimateSource: Sendable, Hashable, CustomStringConvertible {
  /// `full`: f = the true training frequency of every track.
  case full
  /// `sample:q`: counts over the collective's own playlists plus a uniform sample of a
  /// fraction q ∈ [0, 1] of the other training playlists. q = 0 is the collective alone;
  /// q = 1 equals `full`.
  case sample(fraction: Double)
  /// `table:FILE`: counts from a user CSV `track_id,count` (e.g. scraped stream counts);
  /// tracks missing from it are unknown.
  case table(path: String)
  /// `proxy:σ` **[lab]**: true counts times log-normal noise exp(σ·N(0,1)), a simulated
  /// public popularity signal. σ = 0 ranks exactly like the truth.
  case proxy(sigma: Double)

  /// The stable text name; `EstimateSource(name: s.name) == s`.
  public var name: String {
    switch self {
    case .full: return "full"
    case .sample(let q): return "sample:\(q)"
    case .table(let path): return "table:\(path)"
    case .proxy(let sigma): return "proxy:\(sigma)"
    }
  }

  /// The text name (as `name`).
  public var description: String { name }

  /// The accepted name forms, for help texts and error hints.
  public static let nameForms = [
    "full", "sample:Q (0 ≤ Q ≤ 1)", "table:FILE", "proxy:SIGMA (≥ 0)",
  ]

  /// Parses a spec name; the kind is case-insensitive, a table path is taken verbatim.
  /// - Throws: `ChorusError(.config, field: "statistics")` for an unknown kind or a bad
  ///   parameter; the hint lists the valid forms.
  public init(name raw: String) throws {
    let text = raw.trimmingSpaces
    let head: String
    let param: String?
    if let colon = text.firstIndex(of: ":") {
      head = text[..<colon].lowercased()
      param = String(text[text.index(after: colon)...])
    } else {
      head = text.lowercased()
      param = nil
    }
    func bad(_ why: String) -> ChorusError {
      ChorusError(
        .config, "bad statistics '\(raw)': \(why)", field: "statistics",
        hint: "valid statistics: " + EstimateSource.nameForms.joined(separator: ", "))
    }
    func number(_ what: String, in range: ClosedRange<Double>) throws -> Double {
      guard let param, let v = Double(param), v.isFinite, range.contains(v) else {
        throw bad("\(what) must be a number in \(range.lowerBound)…\(range.upperBound)")
      }
      return v
    }
    switch head {
    case "full":
      if param != nil { throw bad("'full' takes no parameter") }
      self = .full
    case "sample":
      self = .sample(fraction: try number("the fraction q", in: 0...1))
    case "table":
      guard let param, !param.isEmpty else { throw bad("expected 'table:FILE'") }
      self = .table(path: param)
    case "proxy":
      self = .proxy(sigma: try number("sigma", in: 0...EstimateSource.maximumSigma))
    default:
      throw bad("unknown statistics '\(head)'")
    }
  }

  /// The largest accepted σ of the proxy: beyond it the noise swamps any signal.
  public static let maximumSigma = 20.0
}

/// Codable as its name (`full`, `sample:0.1`, …).
extension EstimateSource: NameCodable {}
