// Settings of the sequential co-occurrence model, each default with its reason. Distance
// weights are integers (the inverse weights are scaled by lcm(1…W)), so every count is an
// exact integer and an update can equal a retrain bit for bit.
import ChorusCore

/// How a pair's weight depends on the distance d between the two tracks.
public enum DistanceWeighting: String, Codable, Sendable, CaseIterable {
  /// 1/d: the next track counts most (the default; next-track signal decays with distance).
  case inverse
  /// Every distance in the window counts the same.
  case uniform
  /// W − d + 1: a linear ramp.
  case linear
}

/// Configuration of `CoOccurrenceModel`.
public struct CoOccurrenceConfig: Codable, Sendable, Equatable {
  /// Forward window W: track b counts for a when it follows a within W positions. 1 is a
  /// bigram model. 5 captures album and artist runs without blurring into whole-playlist
  /// co-occurrence.
  public var window = 5
  /// Distance weights within the window.
  public var weighting = DistanceWeighting.inverse
  /// Weight of backward pairs (b before a) relative to forward ones; 0 keeps the model purely
  /// sequential, as in the study's next-track setting.
  public var backwardWeight = 0.0
  /// Recency decay over the seed: the j-th most recent seed track weighs decay^j. 0.8 keeps
  /// the last track dominant while earlier ones still break ties.
  public var contextDecay = 0.8

  public init() {}

  /// Checks ranges; throws a config error naming the key.
  public func validate() throws {
    guard (1...10).contains(window) else {
      throw ChorusError(
        .config, "window must be between 1 and 10 (got \(window))", field: "window",
        hint: "1 is a bigram model; the inverse weights need lcm(1…W) to stay exact")
    }
    guard backwardWeight >= 0, backwardWeight <= 1, backwardWeight.isFinite else {
      throw ChorusError(
        .config, "backwardWeight must be in [0, 1] (got \(backwardWeight))", field: "backwardWeight"
      )
    }
    guard contextDecay > 0, contextDecay <= 1 else {
      throw ChorusError(
        .config, "contextDecay must be in (0, 1] (got \(contextDecay))", field: "contextDecay")
    }
  }

  /// Integer weight of a forward pair at distance d (1…W).
  public var forwardWeights: [UInt32] {
    let l = (1...window).reduce(1) { lcm($0, $1) }
    return (1...window).map { d in
      switch weighting {
      case .inverse: return UInt32(l / d)
      case .uniform: return 1
      case .linear: return UInt32(window - d + 1)
      }
    }
  }

  /// Integer weight of a backward pair at distance d (1…W): round(backwardWeight × forward).
  public var backwardWeights: [UInt32] {
    forwardWeights.map { UInt32((backwardWeight * Double($0)).rounded()) }
  }
}

func gcd(_ a: Int, _ b: Int) -> Int { b == 0 ? a : gcd(b, a % b) }
func lcm(_ a: Int, _ b: Int) -> Int { a / gcd(a, b) * b }
