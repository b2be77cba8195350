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
  /// as in the `implicit` library). 1 keeps the confidence-weighted fit in charge while
  /// shrinking the factors of rarely seen tracks toward zero; see `alpha` for the sweep.
  public var regularization = 1.0
  /// Confidence of an observed (playlist, track) pair: C = 1 + alpha·r with r = 1 (binary
  /// matrix), unobserved pairs have C = 1. Hu et al. found 40 best for watch counts; the
  /// playlist matrix is binary and very sparse, where 10 weights the few positives well
  /// above the mass of zeros without letting them swamp it.
  public var alpha = 10.0
  /// Alternations (playlists then tracks). 10 as the study's ALS (and close to `implicit`'s
  /// 15): the objective changes little after that.
  public var iterations = 10
  /// Conjugate-gradient steps per row and half-iteration, warm-started from the previous
  /// factors (Takács et al. 2011; `implicit`'s default 3): each step costs one pass over the
  /// row's entries, and 3 already lands close to the exact solve.
  public var cgSteps = 3
  /// Solve rows with at most `min(cgSteps, 8)` entries exactly instead (Woodbury identity
  /// on (YᵀY + λI)⁻¹, inverted once per half-iteration): it costs one f × f product per
  /// entry, never more than the CG steps would, and most tracks are in one or two
  /// playlists, so it removes most of the track half's work and makes rare tracks' factors
  /// exact. Off reproduces the `implicit` library's arithmetic (CG on every row).
  public var exactShortRows = true
  /// Seed of the random initial factors.
  public var seed: UInt64 = 0

  /// The defaults above.
  public init() {}

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
