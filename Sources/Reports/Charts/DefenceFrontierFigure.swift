// The defence-frontier figure: per strategy (one panel each), every platform defence as one
// marker at (accuracy lost by honest users, amplification left to the collective), with the
// amplification's and the accuracy lost's 95% CIs. Down and left is better for the platform; a defence's colour is the
// same in every panel, and the no-defence point sits at zero cost.
import Foundation

/// Small multiples of defence settings: cost to honest users against what the collective keeps.
public struct DefenceFrontierFigure: Sendable {
  /// One defence for one strategy.
  public struct Point: Sendable, Equatable {
    /// The panel (a strategy).
    public var panel: String
    /// The series (a defence setting); its colour is fixed by first appearance.
    public var series: String
    /// Accuracy lost by honest users (positive = worse).
    public var x: Double
    /// The accuracy lost's 95% CI half-width (0: none drawn).
    public var xCI: Double
    /// Amplification and its 95% CI half-width.
    public var y: Double
    public var yCI: Double

    public init(
      panel: String, series: String, x: Double, y: Double, yCI: Double, xCI: Double = 0
    ) {
      self.panel = panel
      self.series = series
      self.x = x
      self.xCI = xCI
      self.y = y
      self.yCI = yCI
    }
  }

  public var points: [Point]
  /// The accuracy metric's name, for the x axis (e.g. ndcg).
  public var metric: String

  public init(points: [Point], metric: String) {
    self.points = points
    self.metric = metric
  }

  /// Panels in order of first appearance, at most three per row.
  public func figure() -> PanelFigure {
    var panels: [String] = []
    var series: [String] = []
    for p in points {
      if !panels.contains(p.panel) { panels.append(p.panel) }
      if !series.contains(p.series) { series.append(p.series) }
    }
    // One x range for every panel (a defence costs honest users the same whatever the
    // strategy), padded so that markers at the extremes stay off the frame, and including 0.
    // The horizontal whiskers (the accuracy lost's CI) are inside the range too.
    let xs =
      points.flatMap { p -> [Double] in
        let half = p.xCI.isFinite ? p.xCI : 0
        return [p.x - half, p.x + half]
      }.filter(\.isFinite) + [0]
    let (low, high) = (xs.min()!, xs.max()!)
    let pad = max(high - low, 1e-6) * 0.08
    let n = Double(series.count)
    let charts = panels.map { panel -> LineChart in
      let mine = points.filter { $0.panel == panel }
      var chart = LineChart(
        title: panel, xLabel: "\(metric) lost by honest users (undefended − defended clean)",
        yLabel: "amplification of s*",
        series: series.enumerated().compactMap { i, name in
          let pts = mine.filter { $0.series == name }.map { (x: $0.x, y: $0.y, ci: $0.yCI) }
          guard !pts.isEmpty else { return nil }
          var s = ChartSeries(
            name: name, points: pts, style: .errorBars, colour: i % LineChart.palette.count)
          // Defences that cost (almost) nothing share x ≈ 0: shift each a few pixels.
          s.dodge = (Double(i) - (n - 1) / 2) * 4
          s.xWhiskers = mine.filter { $0.series == name }.map { (x: $0.x, y: $0.y, half: $0.xCI) }
          return s
        })
      chart.xRange = (low - pad)...(high + pad)
      chart.nonNegative = true
      // Wide enough for the longest defence label (12 px text, about 6.7 px a character).
      chart.legendWidth = max(260, Double(series.map(\.count).max() ?? 0) * 6.7 + 50)
      chart.referenceY = (1, "ordinary song")
      return chart
    }
    var figure = PanelFigure(
      title: "Defence frontier: amplification left vs accuracy lost",
      panels: charts, columns: min(3, max(1, charts.count)))
    // Short lines: a single panel is only one chart wide.
    figure.caption = [
      "One marker per defence: mean over folds; whiskers 95% CIs of amplification (vertical)",
      "and of accuracy lost (horizontal). Markers are shifted a few pixels apart;",
      "lower and further left is better for the platform.",
    ]
    return figure
  }
}
