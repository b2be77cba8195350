// Regression and the t distribution: t quantiles against published table values, an exact fit,
// simple regression against its textbook closed form, the QR solution against the normal
// equations solved plainly (Gauss–Jordan), and refusals for too few or collinear datasets and for a constant response.
import ChorusCore
import Evaluation
import Foundation
import Testing

@Suite struct LinearRegressionTests {
  @Test func tQuantilesMatchTables() {
    // Two-sided 95% critical values (t_{0.975, ν}) from standard tables.
    let table: [(Double, Double)] = [
      (1, 12.7062), (2, 4.3027), (3, 3.1824), (5, 2.5706), (10, 2.2281), (30, 2.0423),
      (1000, 1.9623),
    ]
    for (nu, t) in table {
      let q = StudentT(degreesOfFreedom: nu).quantile(0.975)
      #expect(abs(q - t) < 5e-4, "ν = \(nu): \(q)")
      #expect(abs(StudentT(degreesOfFreedom: nu).cdf(q) - 0.975) < 1e-10)
    }
    // Symmetry and the Cauchy case (ν = 1): F(1) = 3/4.
    #expect(abs(StudentT(degreesOfFreedom: 1).cdf(1) - 0.75) < 1e-12)
    #expect(
      abs(StudentT(degreesOfFreedom: 4).quantile(0.1) + StudentT(degreesOfFreedom: 4).quantile(0.9))
        < 1e-10)
  }

  @Test func anExactLineIsRecovered() throws {
    // y = 1 + 2x: β = (1, 2), residuals 0, so SE 0 and R² 1.
    let x: [Double] = [0, 1, 2, 3, 4]
    let fit = try LinearRegression(
      rows: x.map { [$0] }, y: x.map { 1 + 2 * $0 }, names: ["x"], standardize: false)
    #expect(abs(fit.coefficients[0] - 1) < 1e-12 && abs(fit.coefficients[1] - 2) < 1e-12)
    #expect(fit.standardErrors.allSatisfy { $0 < 1e-6 })
    #expect(abs(fit.rSquared - 1) < 1e-12)
  }

  @Test func simpleRegressionMatchesItsClosedForm() throws {
    // x = 1…5, y = 2, 4, 5, 4, 5. x̄ = 3, ȳ = 4, Sxx = 10, Sxy = 6: slope 0.6, intercept 2.2.
    // Residuals −0.8, 0.6, 1.0, −0.6, −0.2: RSS 2.4, σ̂² = 0.8, SE(slope) = √(0.8/10),
    // SE(intercept) = √(0.8 (1/5 + 9/10)). TSS = 6, R² = 0.6.
    let fit = try LinearRegression(
      rows: [[1], [2], [3], [4], [5]], y: [2, 4, 5, 4, 5], names: ["x"], standardize: false)
    #expect(abs(fit.coefficients[1] - 0.6) < 1e-12 && abs(fit.coefficients[0] - 2.2) < 1e-12)
    #expect(abs(fit.standardErrors[1] - (0.8 / 10).squareRoot()) < 1e-12)
    #expect(abs(fit.standardErrors[0] - (0.8 * 1.1).squareRoot()) < 1e-12)
    #expect(abs(fit.rSquared - 0.6) < 1e-12)
    #expect(fit.residualDegreesOfFreedom == 3)
    let t3 = StudentT(degreesOfFreedom: 3).quantile(0.975)
    #expect(abs(fit.confidenceHalfWidths[1] - t3 * fit.standardErrors[1]) < 1e-12)
    // Standardised: the slope per SD of x (SD = √2.5) is 0.6 · √2.5; the intercept is ȳ.
    let z = try LinearRegression(
      rows: [[1], [2], [3], [4], [5]], y: [2, 4, 5, 4, 5], names: ["x"], standardize: true)
    #expect(abs(z.coefficients[1] - 0.6 * 2.5.squareRoot()) < 1e-12)
    #expect(abs(z.coefficients[0] - 4) < 1e-12)
    #expect(abs(z.rSquared - 0.6) < 1e-12)
  }

  /// The plain twin: solve XᵀX β = Xᵀy by Gauss–Jordan with partial pivoting.
  func normalEquations(_ rows: [[Double]], _ y: [Double]) -> [Double] {
    let p = rows[0].count + 1
    let x = rows.map { [1] + $0 }
    var m = [[Double]](repeating: [Double](repeating: 0, count: p + 1), count: p)
    for i in 0..<p {
      for j in 0..<p { m[i][j] = x.indices.reduce(0) { $0 + x[$1][i] * x[$1][j] } }
      m[i][p] = x.indices.reduce(0) { $0 + x[$1][i] * y[$1] }
    }
    for c in 0..<p {
      let pivot = (c..<p).max { abs(m[$0][c]) < abs(m[$1][c]) }!
      m.swapAt(c, pivot)
      for r in 0..<p where r != c {
        let f = m[r][c] / m[c][c]
        for k in c...p { m[r][k] -= f * m[c][k] }
      }
    }
    return (0..<p).map { m[$0][p] / m[$0][$0] }
  }

  @Test func qrAgreesWithTheNormalEquations() throws {
    var rng = RandomStream(seed: 5, component: "ols")
    for _ in 0..<50 {
      let n = 8 + rng.nextInt(below: 20)
      let rows = (0..<n).map { _ in (0..<3).map { _ in rng.nextGaussian() } }
      let y = rows.map { 0.5 + 2 * $0[0] - $0[1] + 0.1 * rng.nextGaussian() }
      let fit = try LinearRegression(rows: rows, y: y, names: ["a", "b", "c"], standardize: false)
      let plain = normalEquations(rows, y)
      for (a, b) in zip(fit.coefficients, plain) { #expect(abs(a - b) < 1e-9) }
    }
  }

  @Test func impossibleDesignsAreRefusedByName() {
    #expect(throws: LinearRegression.FitError.tooFewObservations(observations: 3, coefficients: 3))
    {
      try LinearRegression(
        rows: [[1, 2], [2, 1], [3, 5]], y: [1, 2, 3], names: ["a", "b"], standardize: false)
    }
    // b = 2a: collinear.
    #expect(throws: LinearRegression.FitError.collinear(predictor: "b")) {
      try LinearRegression(
        rows: [[1, 2], [2, 4], [3, 6], [4, 8], [5, 10]], y: [1, 3, 2, 5, 4], names: ["a", "b"],
        standardize: false)
    }
    // A constant predictor cannot be standardised.
    #expect(throws: LinearRegression.FitError.collinear(predictor: "c")) {
      try LinearRegression(
        rows: [[1, 7], [2, 7], [3, 7], [4, 7]], y: [1, 3, 2, 5], names: ["a", "c"],
        standardize: true)
    }
    // The same response everywhere (a strategy that moved nothing on any dataset).
    #expect(throws: LinearRegression.FitError.constantResponse(value: 0)) {
      try LinearRegression(
        rows: [[1], [2], [3], [4]], y: [0, 0, 0, 0], names: ["a"], standardize: false)
    }
    let e = LinearRegression.FitError.constantResponse(value: 0)
    #expect(e.description.contains("nothing to explain"))
  }
}
