// How close s* sits to the contexts the collective aimed at, in a vector model (the study's
// appendix compares s*'s embedding with the targeted contexts): the cosine between s*'s
// scoring vector and each test seed's query vector, averaged separately over the seeds whose
// last track is a targeted anchor and over all other seeds. A strategy that works through
// its anchors puts s* nearer to their contexts than to the rest.
import ChorusCore

/// Cosine of s* with the query vectors of targeted and of other test contexts.
public struct ContextSimilarity: Sendable, Codable, Equatable {
  /// Seeds whose last track is a targeted anchor: mean cosine with its 95% CI over seeds.
  public var targeted: MeanCI
  /// Every other seed with a query vector.
  public var others: MeanCI
  /// Seeds without a query vector (no track the model knows), left out of both.
  public var withoutVector: Int

  /// - Parameters:
  ///   - target: s*'s scoring vector (the vector candidates are scored by).
  ///   - contexts: one entry per test seed: its query vector (nil when the model has none) and
  ///     whether its last track is a targeted anchor.
  /// - Complexity: O(seeds × dim).
  public init(target: [Float], contexts: [(vector: [Float]?, targeted: Bool)]) {
    var inTarget: [Double] = []
    var rest: [Double] = []
    var missing = 0
    for c in contexts {
      guard let v = c.vector, let cos = Self.cosine(target, v) else {
        missing += 1
        continue
      }
      if c.targeted { inTarget.append(cos) } else { rest.append(cos) }
    }
    targeted = MeanCI(inTarget)
    others = MeanCI(rest)
    withoutVector = missing
  }

  /// The cosine of two vectors of equal length, in Double; nil when either is zero.
  public static func cosine(_ a: [Float], _ b: [Float]) -> Double? {
    precondition(a.count == b.count, "vectors of different dimension")
    var dot = 0.0
    var na = 0.0
    var nb = 0.0
    for i in a.indices {
      let x = Double(a[i])
      let y = Double(b[i])
      dot += x * y
      na += x * x
      nb += y * y
    }
    guard na > 0, nb > 0 else { return nil }
    return dot / (na.squareRoot() * nb.squareRoot())
  }
}
