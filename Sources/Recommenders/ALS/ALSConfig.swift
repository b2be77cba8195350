// Settings of the implicit-feedback matrix factorisation (Hu, Koren & Volinsky 2008) solved
// by alternating least squares with a few conjugate-gradient steps per row, each default
// with its reason. The seed is part of the config because it fixes the result; the thread
// count is not, because it never changes it.
import ChorusCore

/// Configuration of `ALSModel`.
public struct ALSConfig: Codable, Sendable, Equatable {
  /// Latent dimension of the playlist and track factors. 64 as the lab's other vector model
  /// (and the speed target); the study's `paper` preset uses 128.
  public var factors = 64
  /// λ on the squared norms of every playlist and track factor (not scaled by row counts,
  /// as in the `implicit` library). Accuracy is flat across 0.1…10 (synthetic:small fold 0,
  /// alpha 10: R-precision 0.220, 0.221, 0.221); 1 is the middle of that plateau.
  public var regularization = 1.0
  /// Confidence of an observed (playlist, track) pair: C = 1 + alpha·r with r = 1 (binary
  /// matrix); unobserved pairs have C = 1. 10 measured best of 1, 10 and 40 on
  /// synthetic:small fold 0 (R-precision 0.213, 0.221, 0.218; co-occurrence 0.144).
  public var alpha = 10.0
  /// Alternations (playlists then tracks). 10 as the study's ALS (`implicit`'s default is
  /// 15).
  public var iterations = 10
  /// Conjugate-gradient steps per row and half-iteration, warm-started from the previous
  /// factors (Takács et al. 2011): each step costs one f × f product and one pass over the
  /// row's entries. 3 as `implicit`'s default.
  public var cgSteps = 3
  /// Solve rows with at most `min(cgSteps, 8)` entries exactly instead (Woodbury identity
  /// on (YᵀY + λI)⁻¹, inverted once per half-iteration): it costs one f × f product per
  /// entry, never more than the CG steps would, and most tracks are in one or two
  /// playlists, so it removes most of the track half's work and makes rare tracks' factors
  /// exact. Off is the `implicit` library's algorithm (CG on every row). Same accuracy
  /// either way on synthetic:small fold 0 (R-precision 0.2207).
  public var exactShortRows = true
  /// Seed of the random initial factors.
  public var seed: UInt64 = 0

  /// The defaults above.
  public init() {}

  /// Decodes settings, tolerantly: a missing key takes the default above (every key added
  /// since saved models existed defaults to the earlier behaviour); unknown or ill-typed
  /// keys throw (`SavedSettings`). Specs go through `ConfigCoding`, which stays strict.
  public init(from decoder: Decoder) throws {
    let c = try SavedSettings.container(decoder, keyedBy: CodingKeys.self)
    let d = ALSConfig()
    factors = try c.savedValue(.factors, or: d.factors)
    regularization = try c.savedValue(.regularization, or: d.regularization)
    alpha = try c.savedValue(.alpha, or: d.alpha)
    iterations = try c.savedValue(.iterations, or: d.iterations)
    cgSteps = try c.savedValue(.cgSteps, or: d.cgSteps)
    exactShortRows = try c.savedValue(.exactShortRows, or: d.exactShortRows)
    seed = try c.savedValue(.seed, or: d.seed)
  }

  /// The stride of a stored factor row: `factors` rounded up to a multiple of 8 (zero
  /// padding).
  public var rowStride: Int { (factors + 7) & ~7 }

  /// Checks ranges; throws a config error naming the key.
  public func validate() throws {
    func bad(_ key: String, _ message: String, hint: String? = nil) -> ChorusError {
      ChorusError(.config, "\(key) \(message)", field: key, hint: hint)
    }
    guard (1...1024).contains(factors) else {
      throw bad("factors", "must be between 1 and 1024 (got \(factors))", hint: "64 is usual")
    }
    guard regularization.isFinite, regularization > 0, regularization <= 1e6 else {
      throw bad(
        "regularization", "must be in (0, 1e6] (got \(regularization))",
        hint: "a positive value keeps every row's system well conditioned")
    }
    guard alpha.isFinite, alpha >= 0, alpha <= 1e6 else {
      throw bad("alpha", "must be in [0, 1e6] (got \(alpha))", hint: "10 is the default")
    }
    guard (1...1000).contains(iterations) else {
      throw bad("iterations", "must be between 1 and 1000 (got \(iterations))")
    }
    guard (1...1024).contains(cgSteps) else {
      throw bad(
        "cgSteps", "must be between 1 and 1024 (got \(cgSteps))",
        hint: "3 is usual; factors steps solve each row exactly")
    }
  }
}
