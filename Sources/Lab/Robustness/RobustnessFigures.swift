// The robustness study's figures, written beside its tables by `chorus robustness --out`:
// a coefficient plot (per strategy × statistics × size a panel, one row per predictor, the
// coefficient as a dot with its 95% t-interval as a horizontal whisker, a line at 0, R² and the
// residual degrees of freedom in the title; a group that was not fitted keeps its panel and
// says why) and the data behind it (the response against each characteristic, one point per
// study, coloured by group, the studies' folder names along the top).
import Evaluation
import Foundation
import Reports

extension RobustnessStudy {
  /// "dirlof (full), α = 0.0005" or "… 48 playlists": a group's name in figures.
  static func groupLabel(strategy: String, statistics: String, sizeKind: String, size: Double)
    -> String
  {
    let s = sizeKind == "budget" ? counted(size, "playlist") : "α = \(size)"
    return statistics == "full" ? "\(strategy), \(s)" : "\(strategy) (\(statistics)), \(s)"
  }

  /// The coefficient plot: one panel per fitted group (in the order of `fits`), predictors as
  /// rows (the first on top), each panel on its own x range holding its intervals and 0.
  /// The intercept (the mean response when standardised) is named beside the plot, not drawn.
  /// nil without any group.
  public static func coefficientFigure(
    _ fits: [Fit], predictors: [String], response: String, standardized: Bool
  ) -> PanelFigure? {
    guard !fits.isEmpty else { return nil }
    let n = predictors.count
    // Row of predictor j: n − j, so the first predictor is the top row.
    let rows = predictors.enumerated().map { (y: Double(n - $0.offset), label: $0.element) }
    /// The panel's x range: every interval and 0, padded (groups differ in scale by orders of
    /// magnitude, so each panel has its own).
    func range(_ f: Fit) -> ClosedRange<Double> {
      var ends: [Double] = [0]
      if case .success(let r) = f.result {
        for j in r.names.indices.dropFirst() {
          let h = r.confidenceHalfWidths[j].isFinite ? r.confidenceHalfWidths[j] : 0
          ends += [r.coefficients[j] - h, r.coefficients[j] + h]
        }
      }
      ends = ends.filter(\.isFinite)
      let (low, high) = (ends.min()!, ends.max()!)
      guard high > low else { return -1...1 }
      let pad = (high - low) * 0.06
      return (low - pad)...(high + pad)
    }
    let unit = standardized ? "per SD of the characteristic" : "per unit of the characteristic"
    let panels = fits.map { f -> LineChart in
      let name = groupLabel(
        strategy: f.strategy, statistics: f.statistics, sizeKind: f.sizeKind, size: f.size)
      var chart = LineChart(
        title: name, xLabel: "change in \(response) \(unit)", yLabel: "", series: [])
      switch f.result {
      case .success(let r):
        chart.title = String(
          format: "%@: R² %.2f, %d df", name, r.rSquared, r.residualDegreesOfFreedom)
        var excludes = ChartSeries(
          name: "95% CI excludes 0", points: [], style: .errorBars, colour: 1)
        var covers = ChartSeries(name: "95% CI covers 0", points: [], style: .errorBars, colour: 0)
        excludes.joined = false
        covers.joined = false
        for (j, term) in r.names.enumerated().dropFirst() {
          guard let row = predictors.firstIndex(of: term) else { continue }
          let (b, h) = (r.coefficients[j], r.confidenceHalfWidths[j])
          let point = (x: b, y: Double(n - row), ci: 0.0)
          let whisker = (x: b, y: Double(n - row), half: h.isFinite ? h : 0)
          if b - h > 0 || b + h < 0 {
            excludes.points.append(point)
            excludes.xWhiskers.append(whisker)
          } else {
            covers.points.append(point)
            covers.xWhiskers.append(whisker)
          }
        }
        chart.series = [excludes, covers].filter { !$0.points.isEmpty }
        chart.legendNotes = [
          String(format: "intercept %.4g ± %.3g", r.coefficients[0], r.confidenceHalfWidths[0]),
          "\(f.datasets) datasets",
        ]
      case .failure(let e):
        chart.title = "\(name): not fitted"
        chart.message = ["not fitted (\(f.datasets) datasets):"] + wrap(e.description, width: 44)
      }
      chart.yCategories = rows
      chart.yRange = 0.4...(Double(n) + 0.6)
      chart.xRange = range(f)
      chart.referenceX = (0, "0")
      chart.leftWidth = 130
      chart.legendWidth = 170
      chart.width = 620
      chart.height = 130 + 44 * Double(n)
      return chart
    }
    var figure = PanelFigure(
      title: "Which characteristics explain \(response): coefficients with 95% CIs",
      panels: panels, columns: min(2, panels.count))
    figure.caption = [
      "One panel per strategy and size: least squares over the datasets, "
        + (standardized ? "predictors standardised" : "predictors in their own units")
        + "; whiskers: 95% CIs from Student's t with the residual df; each panel has its own x scale."
    ]
    return figure
  }

  /// The response against each characteristic: one panel per predictor, one point per study
  /// and group (mean over folds with its 95% CI), one colour per group, the studies' folder
  /// names along the top axis at their characteristic; every panel on one y range.
  /// nil without observations.
  /// - Precondition: every predictor is a known characteristic.
  public static func scatterFigure(
    _ observations: [Observation], predictors: [String], response: String
  ) -> PanelFigure? {
    guard !observations.isEmpty else { return nil }
    var groups: [String] = []
    for o in observations {
      let g = groupLabel(
        strategy: o.strategy, statistics: o.statistics, sizeKind: o.sizeKind, size: o.size)
      if !groups.contains(g) { groups.append(g) }
    }
    let ys = observations.flatMap { o -> [Double] in
      let h = o.responseCI.isFinite ? o.responseCI : 0
      return [o.response - h, o.response + h]
    }.filter(\.isFinite)
    // Amplification cannot be negative: its CIs stop at 0, as in the study's figures.
    let nonNegative = response == "amplification"
    let yLow = nonNegative ? 0 : min(0, ys.min() ?? 0)
    let yHigh = max(ys.max() ?? 1, yLow + 1e-9)
    let k = Double(groups.count)
    let panels = predictors.map { name -> LineChart in
      let series = groups.enumerated().map { i, g -> ChartSeries in
        let mine = observations.filter {
          groupLabel(
            strategy: $0.strategy, statistics: $0.statistics, sizeKind: $0.sizeKind, size: $0.size)
            == g
        }
        var s = ChartSeries(
          name: g,
          points: mine.map {
            (
              x: $0.characteristics.value(name)!, y: $0.response,
              ci: $0.responseCI.isFinite ? $0.responseCI : 0
            )
          }, style: .errorBars, colour: i % LineChart.palette.count)
        s.joined = false
        s.dodge = (Double(i) - (k - 1) / 2) * 4
        return s
      }
      var seen = Set<String>()
      var ticks: [(x: Double, label: String)] = []
      for o in observations where seen.insert(o.folder).inserted {
        ticks.append(
          (o.characteristics.value(name)!, URL(fileURLWithPath: o.folder).lastPathComponent))
      }
      var chart = LineChart(title: name, xLabel: name, yLabel: response, series: series)
      chart.topAxis = ("study (results folder)", mergeClose(ticks))
      chart.yRange = yLow...yHigh
      chart.nonNegative = nonNegative
      if response == "amplification" { chart.referenceY = (1, "amplification = 1") }
      let xs = ticks.map(\.x)
      if let a = xs.min(), let b = xs.max() {
        let pad = max(b - a, abs(a) * 0.1, 1e-9) * 0.08
        chart.xRange = (a - pad)...(b + pad)
      }
      chart.width = 600
      chart.height = 420
      chart.legendWidth = 200
      chart.legendNotes = ["mean over folds, 95% CI", "markers side by side"]
      return chart
    }
    var figure = PanelFigure(
      title: "\(response) against each dataset characteristic", panels: panels,
      columns: min(3, panels.count))
    figure.caption = [
      "One point per study and group; the top axis names each study's folder at its value; shared y axis."
    ]
    return figure
  }

  /// Labels closer than 8% of their span merged into one ("d01+d03") at their mean position,
  /// so that studies with nearly equal values stay readable on the top axis.
  static func mergeClose(_ ticks: [(x: Double, label: String)]) -> [(x: Double, label: String)] {
    let sorted = ticks.sorted { $0.x < $1.x }
    guard let first = sorted.first, let last = sorted.last else { return [] }
    // Equal values (no span) all merge.
    let gap = max(0.08 * (last.x - first.x), .leastNonzeroMagnitude)
    var groups: [[(x: Double, label: String)]] = []
    for t in sorted {
      if let g = groups.last, t.x - g[0].x < gap {
        groups[groups.count - 1].append(t)
      } else {
        groups.append([t])
      }
    }
    return groups.map { g in
      (x: g.map(\.x).reduce(0, +) / Double(g.count), label: g.map(\.label).joined(separator: "+"))
    }
  }

  /// `text` in lines of at most about `width` characters, split at spaces.
  static func wrap(_ text: String, width: Int) -> [String] {
    var lines: [String] = []
    var line = ""
    for word in text.split(separator: " ") {
      if !line.isEmpty && line.count + 1 + word.count > width {
        lines.append(line)
        line = ""
      }
      line += (line.isEmpty ? "" : " ") + word
    }
    if !line.isEmpty { lines.append(line) }
    return lines
  }
}
