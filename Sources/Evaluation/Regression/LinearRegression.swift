// Ordinary least squares with an intercept, solved by Householder QR (stable where the normal
// equations lose digits), with classical standard errors and t-based 95% confidence intervals.
// Meant for explanatory models over a handful of datasets (amplification on dataset
// characteristics), so predictors can be standardised to make coefficients comparable.
import ChorusCore
import Foundation

/// y = β₀ + Σ βⱼ xⱼ + ε fitted by least squares.
public struct LinearRegression: Sendable, Codable, Hashable {
  /// "intercept", then the predictors' names.
  public let names: [String]
  /// β, in the order of `names`; per standard deviation of the predictor when standardised.
  public let coefficients: [Double]
  /// Classical standard errors: √(σ̂² [(XᵀX)⁻¹]ⱼⱼ), σ̂² = RSS / (n − p).
  public let standardErrors: [Double]
  /// Half-widths of the 95% CIs: t(0.975; n − p) · SE.
  public let confidenceHalfWidths: [Double]
  /// Observations.
  public let observations: Int
  /// n − p.
  public let residualDegreesOfFreedom: Int
  /// 1 − RSS / TSS (a constant response is refused, so TSS > 0).
  public let rSquared: Double
  /// Whether each predictor was centred and scaled to unit (sample) standard deviation first.
  public let standardized: Bool

  /// Why a fit is impossible.
  public enum FitError: Error, Equatable, CustomStringConvertible {
    /// Fewer observations than coefficients + 1 (no degrees of freedom for the error).
    case tooFewObservations(observations: Int, coefficients: Int)
    /// A predictor is constant or a combination of the others.
    case collinear(predictor: String)
    /// The response is the same for every observation (e.g. 0 everywhere): nothing to explain.
    case constantResponse(value: Double)

    public var description: String {
      switch self {
      case .tooFewObservations(let n, let p):
        "\(n) observations cannot estimate \(p) coefficients with an error term; add datasets or drop predictors"
      case .collinear(let name):
        "predictor '\(name)' is constant or a combination of the others; drop it or vary it across datasets"
      case .constantResponse(let value):
        "the response is \(value) on every dataset, so there is nothing to explain; choose sizes or strategies where it varies"
      }
    }
  }

  /// - Parameters:
  ///   - rows: one row of predictor values per observation (all rows equally long).
  ///   - y: one response per observation.
  ///   - names: one name per predictor.
  ///   - standardize: centre and scale each predictor first.
  /// - Throws: `FitError` when the design cannot be fitted.
  /// - Complexity: O(n p²).
  public init(rows: [[Double]], y: [Double], names: [String], standardize: Bool) throws {
    precondition(rows.count == y.count, "one response per row")
    precondition(rows.allSatisfy { $0.count == names.count }, "one value per predictor name")
    let n = rows.count
    let p = names.count + 1
    guard n > p else { throw FitError.tooFewObservations(observations: n, coefficients: p) }
    guard let first = y.first, y.contains(where: { $0 != first }) else {
      throw FitError.constantResponse(value: y[0])
    }
    // Column-major design matrix with a leading column of ones.
    var columns: [[Double]] = [[Double](repeating: 1, count: n)]
    for j in names.indices {
      var col = rows.map { $0[j] }
      if standardize {
        let mean = col.reduce(0, +) / Double(n)
        let sd = (col.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)).squareRoot()
        guard sd > 0 else { throw FitError.collinear(predictor: names[j]) }
        col = col.map { ($0 - mean) / sd }
      }
      columns.append(col)
    }
    let qr = try Self.householder(columns: columns, y: y, names: ["intercept"] + names)
    let beta = qr.solve()
    var rss = 0.0
    for i in 0..<n {
      var fit = 0.0
      for j in 0..<p { fit += columns[j][i] * beta[j] }
      rss += (y[i] - fit) * (y[i] - fit)
    }
    let meanY = y.reduce(0, +) / Double(n)
    let tss = y.reduce(0) { $0 + ($1 - meanY) * ($1 - meanY) }
    let sigma2 = rss / Double(n - p)
    let inverseDiagonal = qr.inverseGramDiagonal()
    let t = StudentT(degreesOfFreedom: Double(n - p)).quantile(0.975)
    self.names = ["intercept"] + names
    coefficients = beta
    standardErrors = inverseDiagonal.map { (sigma2 * $0).squareRoot() }
    confidenceHalfWidths = standardErrors.map { t * $0 }
    observations = n
    residualDegreesOfFreedom = n - p
    rSquared = 1 - rss / tss
    standardized = standardize
  }

  /// R (upper triangular, p × p) and Qᵀy from Householder reflections of the columns.
  struct QR {
    /// Row-major p × p; only the upper triangle is used.
    var r: [Double]
    var qty: [Double]
    var p: Int

    /// β from R β = Qᵀy by back substitution.
    func solve() -> [Double] {
      var beta = [Double](repeating: 0, count: p)
      for i in stride(from: p - 1, through: 0, by: -1) {
        var s = qty[i]
        for j in (i + 1)..<p { s -= r[i * p + j] * beta[j] }
        beta[i] = s / r[i * p + i]
      }
      return beta
    }

    /// diag((XᵀX)⁻¹) = diag(R⁻¹ R⁻ᵀ): squared row norms of R⁻¹.
    func inverseGramDiagonal() -> [Double] {
      // Invert R column by column (upper triangular).
      var inv = [Double](repeating: 0, count: p * p)
      for c in 0..<p {
        for i in stride(from: c, through: 0, by: -1) {
          var s = i == c ? 1.0 : 0.0
          for j in stride(from: i + 1, through: c, by: 1) { s -= r[i * p + j] * inv[j * p + c] }
          inv[i * p + c] = s / r[i * p + i]
        }
      }
      return (0..<p).map { i in (i..<p).reduce(0) { $0 + inv[i * p + $1] * inv[i * p + $1] } }
    }
  }

  /// Householder QR of the n × p design given by columns, applied to y as well.
  static func householder(columns: [[Double]], y: [Double], names: [String]) throws -> QR {
    var a = columns
    var b = y
    let n = y.count
    let p = columns.count
    for k in 0..<p {
      var norm = 0.0
      for i in k..<n { norm += a[k][i] * a[k][i] }
      norm = norm.squareRoot()
      // Relative rank test: a column that adds nothing beyond the earlier ones.
      let columnScale = (columns[k].reduce(0) { $0 + $1 * $1 }).squareRoot()
      guard norm > 1e-10 * Swift.max(columnScale, 1e-300) else {
        throw FitError.collinear(predictor: names[k])
      }
      let alpha = a[k][k] > 0 ? -norm : norm
      var v = [Double](repeating: 0, count: n)
      v[k] = a[k][k] - alpha
      for i in (k + 1)..<n { v[i] = a[k][i] }
      let vv = v[k...].reduce(0) { $0 + $1 * $1 }
      if vv > 0 {
        for j in k..<p {
          var dot = 0.0
          for i in k..<n { dot += v[i] * a[j][i] }
          let f = 2 * dot / vv
          for i in k..<n { a[j][i] -= f * v[i] }
        }
        var dot = 0.0
        for i in k..<n { dot += v[i] * b[i] }
        let f = 2 * dot / vv
        for i in k..<n { b[i] -= f * v[i] }
      }
    }
    var r = [Double](repeating: 0, count: p * p)
    for i in 0..<p { for j in i..<p { r[i * p + j] = a[j][i] } }
    return QR(r: r, qty: Array(b.prefix(p)), p: p)
  }
}
