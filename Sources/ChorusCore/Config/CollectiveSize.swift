// The size of a collective, typed once: a playlist count B or a fraction α of the training
// set, as a spec, `chorus plant` or a results table gives it. Everything derived from it for
// display — its kind and value as the CSVs write them, α in percent — is computed here, so no
// other file converts or compares sizes by their text.

/// How big the collective is: a number of playlists B, or a fraction α of the training set
/// (B = max(1, round(α · |training|)), Experiments/PROTOCOL.md §2).
public enum CollectiveSize: Sendable, Hashable, Codable {
  /// B playlists, 1 ≤ B ≤ the fold's eligible training playlists.
  case budget(Int)
  /// A fraction α ∈ (0, 1) of the training playlists.
  case alpha(Double)

  /// The size from the `size_kind` and `size` columns of a results table ("alpha" or
  /// "budget", and the value as given); nil for another kind, or a budget that is not a
  /// whole number.
  public init?(kind: String, value: Double) {
    switch kind {
    case "alpha": self = .alpha(value)
    case "budget":
      guard let b = Int(exactly: value) else { return nil }
      self = .budget(b)
    default: return nil
    }
  }

  /// "alpha" or "budget": the `size_kind` column of the results tables.
  public var kind: String {
    switch self {
    case .alpha: return "alpha"
    case .budget: return "budget"
    }
  }

  /// True for a fraction α.
  public var isAlpha: Bool {
    if case .alpha = self { return true }
    return false
  }

  /// The value as given: α, or B as a number (the `size` column of the results tables).
  public var value: Double {
    switch self {
    case .alpha(let a): return a
    case .budget(let b): return Double(b)
    }
  }

  /// α in percent (nil for a budget): the one place a size is converted to percent.
  public var percent: Double? {
    if case .alpha(let a) = self { return a * 100 }
    return nil
  }

  /// The value on a collective-size axis: α in percent, or B.
  public var axisValue: Double { percent ?? value }
}
