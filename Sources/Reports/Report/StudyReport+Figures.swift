// The report's figures: amplification and the training-frequency scatter with s* as small
// multiples on shared axes, partial information as a share of full information with CIs,
// accuracy change (zoomed, and within its bounds, in % of clean), externalities by frequency
// bin and anchor category, concentration across artists (paired ΔGini, the head), and the
// dataset's shape. Each reads only the CSVs of the results folder and returns nil when the
// folder lacks its data.
import ChorusCore
import Foundation

/// What every figure needs from the results folder.
struct ReportContext {
  var folder: String
  var summary: CSVTable
  var isAlpha: Bool
  var xLabel: String
  var strategies: [String]
  var statsSources: [String]

  /// A CSV of the folder, or nil when it is missing or empty.
  func table(_ name: String) -> CSVTable? {
    let path = folder + "/" + name
    guard FileManager.default.fileExists(atPath: path), let t = try? CSVTable.read(path: path),
      !t.rows.isEmpty
    else {
      return nil
    }
    return t
  }

  /// The statistics source the per-run figures use: "full" when present, else the first.
  var mainEstimateSource: String {
    statsSources.contains("full") ? "full" : statsSources.first ?? "full"
  }
}

/// One figure and its section of report.md.
struct ReportSection {
  var file: String
  var heading: String
  var svg: String
  var text: String
}

extension StudyReport {
  static func value(_ t: CSVTable, _ row: [CSVCell], _ name: String) -> Double? {
    t.column(name).flatMap { row[$0].double }
  }

  static func string(_ t: CSVTable, _ row: [CSVCell], _ name: String) -> String {
    t.column(name).map { row[$0].string } ?? ""
  }

  /// Mean of per-fold values with the lab's 95% CI half-width (1.96 · s / √n, s with n − 1;
  /// 0 for one value), for figures that combine folds themselves. `values` is not empty.
  static func meanAndCI(_ values: [Double]) -> (mean: Double, ci: Double) {
    let n = Double(values.count)
    let mean = values.reduce(0, +) / n
    let sd =
      values.count > 1
      ? (values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / (n - 1)).squareRoot() : 0
    return (mean, 1.96 * sd / n.squareRoot())
  }

  /// The collective size of a row (its `size_kind` and `size` columns), nil without one.
  static func size(_ t: CSVTable, _ row: [CSVCell]) -> CollectiveSize? {
    guard let v = value(t, row, "size") else { return nil }
    return CollectiveSize(kind: string(t, row, "size_kind"), value: v)
  }

  /// The largest collective size of `strategy`.
  static func largestSize(_ t: CSVTable, strategy: String, statistics: String) -> CollectiveSize? {
    t.rows.filter {
      string(t, $0, "strategy") == strategy && string(t, $0, "statistics") == statistics
    }
    .compactMap { size(t, $0) }
    .max { $0.value < $1.value }
  }

  /// "α = 0.5%" or "B = 10.0" (B as the size column writes it).
  static func sizeLabel(_ size: CollectiveSize) -> String {
    guard let p = size.percent else { return "B = \(size.value)" }
    return "α = " + String(format: "%g%%", p)
  }

  /// A statistics source's name as a reader would say it, for legends and panel titles:
  /// `sample:0.1` → "own + 10% sample", `sample:0` → "own playlists only", `proxy:1.0` →
  /// "public proxy, σ = 1", `table:dir/x.csv` → "table dir/x.csv"; `full` → "full
  /// information"; any other text is returned as it is. Distinct sources keep distinct labels
  /// (the labels name series).
  static func sourceLabel(_ name: String) -> String {
    if name == "full" { return "full information" }
    guard let colon = name.firstIndex(of: ":") else { return name }
    let kind = name[..<colon]
    let param = String(name[name.index(after: colon)...])
    switch kind {
    case "sample":
      guard let q = Double(param), q.isFinite, (0...1).contains(q) else { return name }
      if q == 0 { return "own playlists only" }
      if q == 1 { return "own + all others (full)" }
      return "own + " + String(format: "%g%%", 100 * q) + " sample"
    case "proxy":
      guard let sigma = Double(param), sigma.isFinite else { return name }
      return "public proxy, σ = " + String(format: "%g", sigma)
    case "table":
      // The whole path: two tables with one file name must stay two series.
      return "table " + param
    default:
      return name
    }
  }

  // MARK: - 1. Amplification, and partial information as a share of full

  /// The series of summary.csv's `column` (with its `_ci`), one per strategy — or per strategy
  /// and statistics source when the study has several — in the order of the summary.
  static func summarySeries(_ c: ReportContext, _ column: String) -> [ChartSeries] {
    let s = c.summary
    guard s.column(column) != nil else { return [] }
    var byName: [String: [(x: Double, y: Double, ci: Double)]] = [:]
    var order: [String] = []
    for r in s.rows {
      let strategy = string(s, r, "strategy")
      let name =
        c.statsSources.count > 1
        ? "\(strategy) (\(sourceLabel(string(s, r, "statistics"))))" : strategy
      if byName[name] == nil { order.append(name) }
      let x = size(s, r)?.axisValue ?? .nan
      byName[name, default: []].append(
        (x, value(s, r, column) ?? .nan, value(s, r, column + "_ci") ?? 0))
    }
    return order.map { ChartSeries(name: $0, points: byName[$0]!) }
  }

  /// For α sweeps, the top axis: at each measured α (in %), the collective's size in
  /// playlists B (mean over the folds' budgets, as summary.csv gives it).
  static func playlistAxis(_ c: ReportContext) -> (
    label: String, ticks: [(x: Double, label: String)]
  )? {
    guard c.isAlpha else { return nil }
    let s = c.summary
    var budgets: [Double: Double] = [:]
    for r in s.rows {
      guard let size = size(s, r), let b = value(s, r, "budget") else { continue }
      budgets[size.axisValue] = b
    }
    guard !budgets.isEmpty else { return nil }
    let ticks = budgets.keys.sorted().map { x in
      (x: x, label: Axis.format(budgets[x]!.rounded()))
    }
    return ("collective size B (playlists)", ticks)
  }

  /// The upper end of a shared linear axis from 0: the round tick at or above `high`.
  static func sharedTop(_ high: Double) -> Double {
    guard high.isFinite, high > 0 else { return 1 }
    return Axis.niceTicks(0, high).last.map { max($0, high) } ?? high
  }

  /// Amplification vs collective size as small multiples: one panel per strategy (and
  /// statistics source) with its 95% CI band, the other strategies as grey context lines,
  /// one y range shared by all panels, and for α sweeps the number of playlists on top.
  static func amplification(_ c: ReportContext) -> ReportSection? {
    let all = summarySeries(c, "amplification")
    guard !all.isEmpty else { return nil }
    let high =
      all.flatMap { $0.points }.map { $0.y + ($0.ci.isFinite ? $0.ci : 0) }
      .filter(\.isFinite).max() ?? 1
    let top = sharedTop(max(high, 1))
    let axis = playlistAxis(c)
    var panels: [LineChart] = []
    for (i, own) in all.enumerated() {
      var series: [ChartSeries] = all.enumerated().filter { $0.offset != i }.map { j, other in
        var context = other
        context.style = .context
        context.inLegend = false
        return context
      }
      var mine = own
      mine.colour = i
      mine.inLegend = false
      series.append(mine)
      var chart = LineChart(
        title: own.name, xLabel: c.xLabel, yLabel: "amplification", series: series)
      chart.logX = true
      chart.nonNegative = true
      chart.yRange = 0...top
      chart.referenceY = (1, "amplification = 1")
      chart.topAxis = axis
      chart.width = 520
      chart.height = axis == nil ? 400 : 434
      chart.legendWidth = 24
      panels.append(chart)
    }
    var figure = PanelFigure(
      title: "Amplification of s* vs collective size", panels: panels,
      columns: min(3, panels.count))
    figure.caption = [
      "One panel per strategy: mean over folds with its 95% CI band; the other strategies in grey; the y axis is shared."
        + (axis == nil ? "" : " Top axis: the collective's size in playlists.")
    ]
    return ReportSection(
      file: "amplification", heading: "Amplification", svg: figure.svg(),
      text:
        "How many more test-time recommendations s* receives than its share of the training data predicts, for each strategy as the collective grows; 1 (dashed) means no gain from placement. Each strategy has its own panel (band: 95% CI over folds) with the others drawn in grey behind it, on one shared y axis."
    )
  }

  /// Amplification with partial information as a percentage of full information, with a 95%
  /// CI from the two means' CIs (delta method, treating them as independent: the folds are
  /// shared, so the true interval is narrower). Sizes where full information gives 0 have no
  /// ratio and are left out.
  static func partialInformation(_ c: ReportContext) -> ReportSection? {
    let s = c.summary
    guard c.statsSources.contains("full") && c.statsSources.count > 1,
      s.column("amplification") != nil
    else { return nil }
    /// A strategy at a collective size: the key that pairs partial with full information.
    struct Cell: Hashable {
      var strategy: String
      var size: CollectiveSize?
    }
    var full: [Cell: (v: Double, ci: Double)] = [:]
    for r in s.rows where string(s, r, "statistics") == "full" {
      guard let v = value(s, r, "amplification") else { continue }
      full[Cell(strategy: string(s, r, "strategy"), size: size(s, r))] = (
        v, value(s, r, "amplification_ci") ?? 0
      )
    }
    var out: [ChartSeries] = []
    let sources = c.statsSources.filter { $0 != "full" }
    for strategy in c.strategies {
      for q in sources {
        let pts = s.rows.filter {
          string(s, $0, "strategy") == strategy && string(s, $0, "statistics") == q
        }
        .compactMap { r -> (x: Double, y: Double, ci: Double)? in
          guard let size = size(s, r), let f = full[Cell(strategy: strategy, size: size)],
            f.v > 0, let v = value(s, r, "amplification")
          else { return nil }
          let ratio = v / f.v
          let vci = value(s, r, "amplification_ci") ?? 0
          // SE of v/f from the SEs of v and f (CI = 1.96 SE; the 1.96 cancels).
          let ci = (vci * vci + ratio * ratio * f.ci * f.ci).squareRoot() / f.v
          return (size.axisValue, 100 * ratio, 100 * ci)
        }
        if !pts.isEmpty {
          let name = c.strategies.count > 1 ? "\(strategy) (\(sourceLabel(q)))" : sourceLabel(q)
          out.append(ChartSeries(name: name, points: pts, style: .errorBars))
        }
      }
    }
    guard !out.isEmpty else { return nil }
    for i in out.indices {
      out[i].colour = i
      out[i].dodge = (Double(i) - Double(out.count - 1) / 2) * 7
    }
    var chart = LineChart(
      title: "Amplification with partial information, % of full information",
      xLabel: c.xLabel, yLabel: "% of full-information amplification (95% CI)", series: out)
    chart.logX = true
    chart.nonNegative = true
    chart.referenceY = (100, "as good as full information")
    chart.topAxis = playlistAxis(c)
    chart.width = 900
    chart.height = 500
    chart.legendWidth = 170
    chart.legendNotes = ["markers side by side", "share one collective size"]
    return ReportSection(
      file: "partial-information", heading: "What the collective needs to know",
      svg: chart.svg(),
      text:
        "Amplification when the collective estimates song frequencies from partial data, relative to knowing them exactly (100%), with a 95% CI combined from the two means' CIs (treated as independent, which overstates the width: both come from the same folds). Markers at one collective size are shifted sideways so that none hides another; sizes where full information gives no amplification have no ratio."
    )
  }

  // MARK: - 2. Training frequency vs recommendations

  /// The training-frequency scatter as small multiples: in every panel the same cloud of
  /// ordinary songs and the mean of each frequency bin, and one strategy's s*; both axes are
  /// shared, and a zero row under the log y axis holds songs (and s*) recommended to nobody
  /// and whiskers whose CI reaches 0.
  static func frequencyScatter(_ c: ReportContext) -> ReportSection? {
    guard let points = c.table("cloud-points.csv"), let cloud = c.table("cloud.csv") else {
      return nil
    }
    let firstFold = points.rows.compactMap { value(points, $0, "fold") }.min() ?? 0
    var sample = ChartSeries(
      name: "ordinary songs (sample)",
      points: points.rows.filter { value(points, $0, "fold") == firstFold }.compactMap { r in
        guard let f = value(points, r, "training_frequency"),
          let y = value(points, r, "recommendations")
        else { return nil }
        return (f, y, 0)
      }, style: .points, colour: -1)
    sample.inLegend = false
    let bins = cloud.rows.filter { value(cloud, $0, "fold") == firstFold }.compactMap {
      r -> (x: Double, y: Double, ci: Double)? in
      guard let lo = value(cloud, r, "freq_low"), let hi = value(cloud, r, "freq_high"),
        let m = value(cloud, r, "recommendations_mean")
      else { return nil }
      return ((lo * hi).squareRoot(), m, value(cloud, r, "recommendations_ci") ?? 0)
    }
    var mean = ChartSeries(
      name: "mean of all songs in the bin", points: bins, style: .dashed, colour: 7)
    mean.inLegend = false
    let s = c.summary
    var stars: [ChartSeries] = []
    for (i, strategy) in c.strategies.enumerated() {
      let pts = s.rows.filter {
        string(s, $0, "strategy") == strategy && string(s, $0, "statistics") == c.mainEstimateSource
      }
      .compactMap { r -> (x: Double, y: Double, ci: Double)? in
        guard let b = value(s, r, "budget"), let y = value(s, r, "recommendations") else {
          return nil
        }
        return (b, y, value(s, r, "recommendations_ci") ?? 0)
      }
      var star = ChartSeries(name: "s* – \(strategy)", points: pts, style: .highlight, colour: i)
      star.inLegend = false
      stars.append(star)
    }
    // Shared ranges: every positive value of every panel (zeros go to the zero row).
    let everything = sample.points + bins + stars.flatMap { $0.points }
    let xs = everything.map(\.x).filter { $0 > 0 && $0.isFinite }
    let ys = everything.flatMap { [$0.y, $0.y + $0.ci] }.filter { $0 > 0 && $0.isFinite }
    var panels: [LineChart] = []
    for star in stars {
      var chart = LineChart(
        title: star.name,
        xLabel: "training frequency (playlists holding the song, log)",
        yLabel: "R: test playlists with the song in top-R (log)", series: [sample, mean, star])
      chart.logX = true
      chart.logY = true
      chart.zeroRow = true
      chart.nonNegative = true
      // A little room on both sides, so markers at the ends are not cut by the frame.
      if let lo = xs.min(), let hi = xs.max() { chart.xRange = (lo / 1.2)...(hi * 1.2) }
      if let lo = ys.min(), let hi = ys.max() { chart.yRange = lo...hi }
      chart.width = 520
      chart.height = 420
      chart.legendWidth = 24
      panels.append(chart)
    }
    guard !panels.isEmpty else { return nil }
    var figure = PanelFigure(
      title: "Training frequency vs recommendations at test time", panels: panels,
      columns: min(3, panels.count))
    figure.caption = [
      "Grey dots: ordinary songs of fold \(Int(firstFold)) (a sample per frequency bin); dashed: the mean of all songs in the bin; large markers: s* (mean over folds, 95% CI).",
      "Bottom row: R = 0 (recommended to nobody); a whisker that reaches it has a CI including 0. Both axes are shared by the panels.",
    ]
    return ReportSection(
      file: "frequency-scatter", heading: "s* against ordinary songs", svg: figure.svg(),
      text:
        "Each grey dot is an ordinary song of fold \(Int(firstFold)) (a fixed sample per frequency bin): how often it appears in the training playlists and how often the clean model puts it in a test playlist's top-R list; the dashed line is the mean of all songs in each bin (songs with R = 0 included, so it can lie below the dots). Large markers are s* with each strategy's collective (training frequency = collective size B), one strategy per panel: markers above the cloud mean the strategy wins s* more recommendations than songs of the same popularity get. The bottom row of each panel holds R = 0 — songs, and s*, that no test playlist was recommended — instead of leaving them out of the log scale."
    )
  }

  // MARK: - 4. Accuracy loss with bounds

  /// Accuracy with the collective minus without, in two rows of one panel per metric: on top
  /// the measured change alone, zoomed to its 95% CIs (markers side by side per size), below
  /// it within the adversarial and optimistic bounds; both with a right axis in percent of
  /// the clean value, so a change of 1e-4 reads against the metric's own size.
  static func accuracyLoss(_ c: ReportContext) -> ReportSection? {
    let s = c.summary
    let metrics: [(String, String)] = [
      ("ndcg", "NDCG"), ("r_precision", "R-precision"), ("clicks", "clicks"),
    ]
    guard s.column("ndcg_loss") != nil else { return nil }
    let main = s.rows.filter { string(s, $0, "statistics") == c.mainEstimateSource }
    var measured: [LineChart] = []
    var bounded: [LineChart] = []
    for (metric, label) in metrics {
      let cleans = main.compactMap { value(s, $0, "\(metric)_clean") }
      let clean = cleans.isEmpty ? Double.nan : cleans.reduce(0, +) / Double(cleans.count)
      let relative: (label: String, scale: Double)? =
        clean.isFinite && clean != 0 ? ("% of clean \(label)", 100 / clean) : nil
      var top: [ChartSeries] = []
      var bottom: [ChartSeries] = []
      let n = Double(c.strategies.count)
      for (i, strategy) in c.strategies.enumerated() {
        let rows = main.filter { string(s, $0, "strategy") == strategy }
        func pts(_ col: String, ci: Bool) -> [(x: Double, y: Double, ci: Double)] {
          rows.compactMap { r in
            guard let v = value(s, r, col), let size = Self.size(s, r) else { return nil }
            return (size.axisValue, v, ci ? value(s, r, col + "_ci") ?? 0 : 0)
          }
        }
        var m = ChartSeries(
          name: strategy, points: pts("\(metric)_loss", ci: true), style: .errorBars, colour: i)
        m.dodge = (Double(i) - (n - 1) / 2) * 6
        top.append(m)
        var line = ChartSeries(
          name: strategy, points: pts("\(metric)_loss", ci: false), style: .line, colour: i)
        line.inLegend = true
        var adversarial = ChartSeries(
          name: "\(strategy) adversarial", points: pts("\(metric)_loss_adversarial", ci: false),
          style: .dashed, colour: i)
        adversarial.inLegend = false
        var optimistic = ChartSeries(
          name: "\(strategy) optimistic", points: pts("\(metric)_loss_optimistic", ci: false),
          style: .dotted, colour: i)
        optimistic.inLegend = false
        bottom += [line, adversarial, optimistic]
      }
      func panel(_ title: String, _ series: [ChartSeries]) -> LineChart {
        var chart = LineChart(
          title: title, xLabel: c.xLabel, yLabel: "change in \(label) (with − clean)",
          series: series)
        chart.logX = true
        chart.referenceY = (0, "no change")
        chart.rightAxis = relative
        chart.width = 720
        chart.legendWidth = 150
        return chart
      }
      var a = panel("\(label): measured (95% CI)", top)
      a.legendNotes = ["markers side by side", "share one size"]
      var b = panel("\(label): within its bounds", bottom)
      b.legendNotes = ["solid: measured", "dashed: adversarial", "dotted: optimistic"]
      measured.append(a)
      bounded.append(b)
    }
    var figure = PanelFigure(
      title: "Cost to the platform: accuracy with the collective minus without",
      panels: measured + bounded, columns: 3)
    figure.caption = [
      "Top: the measured change alone, on its own scale. Bottom: the same change between its adversarial and optimistic bounds. Right axes: the change in % of the clean value."
    ]
    return ReportSection(
      file: "accuracy-loss", heading: "Cost to the platform", svg: figure.svg(),
      text:
        "The platform's accuracy with the collective minus without it (negative: a loss), for NDCG, R-precision (the study's variant) and clicks (clicks count pages of 10 until the first hit, so a rise is a loss). Top row: the measured change with its 95% CI, zoomed to its own size; bottom row: the same change (solid) between the adversarial bound (dashed: each s* in a top-R list cost the list its first relevant track) and the optimistic bound (dotted: s* counts as relevant). The right axes give the change in percent of the clean model's value. Values near 0 mean the manipulation is nearly invisible in accuracy. runs.csv also holds the official R-precision, precision and recall."
    )
  }

  // MARK: - 5. Externalities

  /// ΔR of other songs by training-frequency bin and anchor category: one panel per strategy
  /// at its largest collective, every panel on the same x and y ranges.
  static func externalities(_ c: ReportContext) -> ReportSection? {
    guard let t = c.table("externalities.csv") else { return nil }
    var panels: [LineChart] = []
    let categories = [
      ("direct", "direct anchors"), ("indirect", "indirect anchors"), ("other", "other songs"),
    ]
    var sizeNote = ""
    for strategy in c.strategies {
      guard let size = largestSize(t, strategy: strategy, statistics: c.mainEstimateSource) else {
        continue
      }
      sizeNote = sizeLabel(size)
      let rows = t.rows.filter {
        string(t, $0, "strategy") == strategy && string(t, $0, "statistics") == c.mainEstimateSource
          && Self.size(t, $0) == size
      }
      var series: [ChartSeries] = []
      for (j, (category, label)) in categories.enumerated() {
        // Pool the folds: song-weighted mean, SE from the per-fold CIs.
        var byBin: [Double: (n: Double, sum: Double, varSum: Double, lo: Double, hi: Double)] = [:]
        for r in rows where string(t, r, "category") == category {
          guard let lo = value(t, r, "freq_low"), let hi = value(t, r, "freq_high"),
            let n = value(t, r, "songs"), n > 0,
            let m = value(t, r, "delta_r_mean")
          else { continue }
          let se = (value(t, r, "delta_r_ci") ?? 0) / 1.96
          var e = byBin[lo] ?? (0, 0, 0, lo, hi)
          e.n += n
          e.sum += n * m
          e.varSum += n * n * se * se
          byBin[lo] = e
        }
        let pts = byBin.values.sorted { $0.lo < $1.lo }.map { e in
          ((e.lo * e.hi).squareRoot(), e.sum / e.n, 1.96 * e.varSum.squareRoot() / e.n)
        }
        if !pts.isEmpty {
          series.append(ChartSeries(name: label, points: pts, style: .line, colour: [1, 2, 0][j]))
        }
      }
      guard !series.isEmpty else { continue }
      var chart = LineChart(
        title: "\(strategy), \(sizeLabel(size))",
        xLabel: "training frequency of the song (log scale)",
        yLabel: "ΔR per song (mean, 95% CI)", series: series)
      chart.logX = true
      chart.referenceY = (0, "no change")
      chart.width = 600
      chart.legendWidth = 150
      panels.append(chart)
    }
    guard !panels.isEmpty else { return nil }
    // One x and one y range for every panel, from all of their points and CIs.
    let all = panels.flatMap { $0.series.flatMap { $0.points } }.filter {
      $0.x > 0 && $0.x.isFinite && $0.y.isFinite
    }
    let ys = all.flatMap { [$0.y - $0.ci, $0.y + $0.ci] }.filter(\.isFinite) + [0]
    // All zero (nothing changed): a small symmetric range around 0 instead of none.
    let (low, high) = ys.min()! < ys.max()! ? (ys.min()!, ys.max()!) : (-1, 1)
    let ticks = Axis.niceTicks(low, high)
    let yRange = min(ticks.first!, low)...max(ticks.last!, high)
    let xRange = all.map(\.x).min().map { $0...all.map(\.x).max()! }
    for i in panels.indices {
      panels[i].yRange = yRange
      panels[i].xRange = xRange
    }
    var figure = PanelFigure(
      title: "Externalities: change in recommendations of other songs, by training frequency",
      panels: panels, columns: 3)
    figure.caption = ["All panels share both axes."]
    return ReportSection(
      file: "externalities", heading: "Who pays: externalities on other songs", svg: figure.svg(),
      text:
        "For each strategy at its largest collective (\(sizeNote) for the last one), the mean change ΔR = R − R₀ in test-time top-R appearances of other songs, by training-frequency bin (powers of two), pooled over folds, split into direct anchors (the song right before s* in a collective playlist), indirect anchors (right after) and all other songs. The panels share both axes, so their heights compare. songs.csv and artists.csv hold every song and artist that changed."
    )
  }

  // MARK: - 6. Concentration

  /// Concentration across artists: the change in the Gini coefficient of recommendations per
  /// artist (with − clean, paired by fold) against collective size, and the head of the
  /// distribution — the share of clean and of gained recommendations held by the top artists.
  static func concentration(_ c: ReportContext) -> ReportSection? {
    guard let t = c.table("lorenz.csv") else { return nil }
    let firstFold = t.rows.compactMap { value(t, $0, "fold") }.min() ?? 0
    let inFold = t.rows.filter { value(t, $0, "fold") == firstFold }
    func curve(_ rows: [[CSVCell]]) -> [(x: Double, y: Double, ci: Double)] {
      rows.compactMap { r in
        guard let p = value(t, r, "population"), let s = value(t, r, "share") else { return nil }
        return (p, s, 0)
      }
    }
    // The Gini coefficient of each (fold, series key), from the first row of each curve.
    var cleanGini: [Double: Double] = [:]
    struct Cell: Hashable {
      var strategy: String
      var size: CollectiveSize
    }
    var withGini: [Cell: [Double: Double]] = [:]
    for r in t.rows {
      guard let fold = value(t, r, "fold"), let g = value(t, r, "gini") else { continue }
      switch string(t, r, "series") {
      case "clean": cleanGini[fold] = g
      case "with" where string(t, r, "statistics") == c.mainEstimateSource:
        guard let size = size(t, r) else { break }
        withGini[Cell(strategy: string(t, r, "strategy"), size: size), default: [:]][fold] = g
      default: break
      }
    }
    var deltas: [ChartSeries] = []
    let n = Double(c.strategies.count)
    for (i, strategy) in c.strategies.enumerated() {
      let sizes = Set(
        t.rows.filter { string(t, $0, "strategy") == strategy }.compactMap { size(t, $0) })
      let pts = sizes.compactMap { size -> (x: Double, y: Double, ci: Double)? in
        guard let byFold = withGini[Cell(strategy: strategy, size: size)] else { return nil }
        let d = byFold.compactMap { fold, g in cleanGini[fold].map { g - $0 } }
        guard !d.isEmpty else { return nil }
        let (mean, ci) = meanAndCI(d)
        return (size.axisValue, mean, ci)
      }
      .sorted { $0.x < $1.x }
      guard !pts.isEmpty else { continue }
      var series = ChartSeries(name: strategy, points: pts, style: .errorBars, colour: i)
      series.dodge = (Double(i) - (n - 1) / 2) * 6
      deltas.append(series)
    }
    var headSeries: [ChartSeries] = []
    let clean = inFold.filter { string(t, $0, "series") == "clean" }
    if let g = clean.first.flatMap({ value(t, $0, "gini") }) {
      headSeries.append(
        ChartSeries(
          name: String(format: "clean (Gini %.4f)", g), points: curve(clean), style: .line,
          colour: 7))
    }
    var sizeNote = ""
    for (i, strategy) in c.strategies.enumerated() {
      guard let size = largestSize(t, strategy: strategy, statistics: c.mainEstimateSource) else {
        continue
      }
      sizeNote = sizeLabel(size)
      let part = inFold.filter {
        string(t, $0, "strategy") == strategy && string(t, $0, "statistics") == c.mainEstimateSource
          && Self.size(t, $0) == size && string(t, $0, "series") == "gained"
      }
      guard let g = part.first.flatMap({ value(t, $0, "gini") }) else { continue }
      headSeries.append(
        ChartSeries(
          name: String(format: "%@ gained (Gini %.4f)", strategy, g), points: curve(part),
          style: .line, colour: i))
    }
    guard !deltas.isEmpty || !headSeries.isEmpty else { return nil }
    var panels: [LineChart] = []
    if !deltas.isEmpty {
      var chart = LineChart(
        title: "Change in the Gini coefficient (with − clean)", xLabel: c.xLabel,
        yLabel: "ΔGini of recommendations per artist", series: deltas)
      chart.logX = true
      chart.referenceY = (0, "no change")
      chart.width = 700
      chart.legendWidth = 170
      chart.legendNotes = ["paired by fold, 95% CI", "markers side by side"]
      panels.append(chart)
    }
    // The head, where a long tail keeps its mass: the share held by the top x% of artists.
    func head(_ s: ChartSeries) -> ChartSeries {
      var h = s
      h.points = s.points.compactMap { p in p.x < 1 ? (100 * (1 - p.x), 100 * (1 - p.y), 0) : nil }
      return h
    }
    if !headSeries.isEmpty {
      var top = LineChart(
        title: "The head: share held by the top artists", xLabel: "top x% of artists (log scale)",
        yLabel: "% of (gained) recommendations they hold", series: headSeries.map(head))
      top.logX = true
      top.yRange = 0...100
      top.width = 760
      top.legendWidth = 250
      top.legendNotes = ["black: clean recommendations", "colours: gained recommendations"]
      panels.append(top)
    }
    let figure = PanelFigure(
      title: "Concentration of recommendations across artists", panels: panels, columns: 2)
    return ReportSection(
      file: "concentration", heading: "Concentration across artists", svg: figure.svg(),
      text:
        "Left: how much the collective changes the Gini coefficient of test-time top-R recommendations per artist, with − clean, paired by fold (mean and 95% CI over folds) — at these sizes the Lorenz curves with and without the collective lie on top of each other, so the difference is what carries information. Right: the head of the distribution (fold \(Int(firstFold)), log scale): the share of all clean recommendations (black) and of the recommendations artists gained with each strategy's largest collective (colours; \(sizeNote) for the last one) held by the top x% of artists. lorenz.csv holds the full Lorenz curves."
    )
  }

  // MARK: - 7. The dataset

  static func datasetShape(_ c: ReportContext) -> ReportSection? {
    guard let t = c.table("dataset.csv") else { return nil }
    let freq = t.rows.filter { string(t, $0, "histogram") == "track_frequency" }.compactMap {
      r -> (x: Double, y: Double, ci: Double)? in
      guard let lo = value(t, r, "low"), let hi = value(t, r, "high"), let n = value(t, r, "count")
      else { return nil }
      return ((lo * (hi + 1)).squareRoot(), n, 0)
    }
    let lengths = t.rows.filter { string(t, $0, "histogram") == "playlist_length" }.compactMap {
      r -> (x: Double, y: Double, ci: Double)? in
      guard let l = value(t, r, "low"), let n = value(t, r, "count") else { return nil }
      return (l, n, 0)
    }
    guard !freq.isEmpty || !lengths.isEmpty else { return nil }
    var a = LineChart(
      title: "Track frequencies (long tail)",
      xLabel: "playlists holding the track (log scale, bins of powers of 2)",
      yLabel: "tracks (log scale)",
      series: [ChartSeries(name: "tracks per bin", points: freq, style: .bars, colour: 0)])
    a.logX = true
    a.logY = true
    a.width = 640
    a.legendWidth = 140
    var b = LineChart(
      title: "Playlist lengths", xLabel: "distinct tracks in the playlist", yLabel: "playlists",
      series: [ChartSeries(name: "playlists", points: lengths, style: .bars, colour: 2)])
    b.width = 640
    b.legendWidth = 140
    let once =
      t.rows.first { string(t, $0, "histogram") == "track_frequency" && value(t, $0, "low") == 1 }
      .flatMap { value(t, $0, "count") } ?? 0
    let tracks = freq.reduce(0) { $0 + $1.y }
    let text = String(
      format:
        "The dataset the study ran on (all playlists, before the split): the left panel counts tracks by how many playlists hold them (%.1f%% of the %.0f tracks are in exactly one playlist), the right one playlists by length.",
      tracks > 0 ? 100 * once / tracks : 0, tracks)
    return ReportSection(
      file: "dataset", heading: "About the data",
      svg: PanelFigure(title: "The dataset", panels: [a, b], columns: 2).svg(),
      text: text)
  }
}
