// Student's t distribution: its CDF through the regularised incomplete beta function (the
// continued fraction of Numerical Recipes §6.4, evaluated by Lentz's method) and its quantile by
// bisection. Used for regression CIs over few datasets, where 1.96 would be far too narrow, and
// for the findings' note on how much wider a t interval over few folds is.
import Foundation

/// Student's t distribution with `degreesOfFreedom` degrees of freedom.
public struct StudentT: Sendable, Hashable {
  /// ν > 0.
  public let degreesOfFreedom: Double

  /// - Precondition: ν > 0.
  public init(degreesOfFreedom: Double) {
    precondition(degreesOfFreedom > 0, "degrees of freedom must be positive")
    self.degreesOfFreedom = degreesOfFreedom
  }

  /// P(T ≤ t).
  public func cdf(_ t: Double) -> Double {
    let nu = degreesOfFreedom
    let x = nu / (nu + t * t)
    let tail = 0.5 * Self.regularizedIncompleteBeta(x, a: nu / 2, b: 0.5)
    return t >= 0 ? 1 - tail : tail
  }

  /// The t with P(T ≤ t) = p, to about 1e-12.
  /// - Precondition: 0 < p < 1.
  public func quantile(_ p: Double) -> Double {
    precondition(p > 0 && p < 1, "p must be in (0, 1)")
    if p == 0.5 { return 0 }
    if p < 0.5 { return -quantile(1 - p) }
    var lo = 0.0
    var hi = 1.0
    while cdf(hi) < p { hi *= 2 }
    for _ in 0..<200 {
      let mid = (lo + hi) / 2
      if cdf(mid) < p { lo = mid } else { hi = mid }
      if hi - lo < 1e-13 * Swift.max(1, hi) { break }
    }
    return (lo + hi) / 2
  }

  /// I_x(a, b), the regularised incomplete beta function.
  /// - Precondition: 0 ≤ x ≤ 1, a, b > 0.
  public static func regularizedIncompleteBeta(_ x: Double, a: Double, b: Double) -> Double {
    precondition(x >= 0 && x <= 1 && a > 0 && b > 0)
    if x == 0 || x == 1 { return x }
    let logBeta: Double = lgamma(a + b) - lgamma(a) - lgamma(b)
    let logPowers: Double = a * log(x) + b * log(1 - x)
    let logFront = logBeta + logPowers
    // The continued fraction converges fast for x < (a + 1) / (a + b + 2); use the symmetry
    // I_x(a, b) = 1 − I_{1−x}(b, a) otherwise.
    if x < (a + 1) / (a + b + 2) {
      return exp(logFront) * betaContinuedFraction(x, a: a, b: b) / a
    }
    return 1 - exp(logFront) * betaContinuedFraction(1 - x, a: b, b: a) / b
  }

  /// The continued fraction of I_x(a, b) by the modified Lentz method.
  static func betaContinuedFraction(_ x: Double, a: Double, b: Double) -> Double {
    let tiny = 1e-300
    var c = 1.0
    var d = 1 - (a + b) * x / (a + 1)
    if abs(d) < tiny { d = tiny }
    d = 1 / d
    var h = d
    for m in 1...500 {
      let m = Double(m)
      let even = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m))
      d = 1 + even * d
      if abs(d) < tiny { d = tiny }
      c = 1 + even / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      h *= d * c
      let odd = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1))
      d = 1 + odd * d
      if abs(d) < tiny { d = tiny }
      c = 1 + odd / c
      if abs(c) < tiny { c = tiny }
      d = 1 / d
      let step = d * c
      h *= step
      if abs(step - 1) < 1e-15 { break }
    }
    return h
  }
}
