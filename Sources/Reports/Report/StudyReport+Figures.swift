// The report's figures beyond amplification: the training-frequency scatter with s*, accuracy
// loss with its adversarial and optimistic bounds, externalities by frequency bin and anchor
// category, Lorenz curves of recommendations per artist, and the dataset's shape. Each reads
// only the CSVs of the results folder and returns nil when the folder lacks its data.
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

  // MARK: - 2. Training frequency vs recommendations

  static func frequencyScatter(_ c: ReportContext) -> ReportSection? {
    guard let points = c.table("cloud-points.csv"), let cloud = c.table("cloud.csv") else {
      return nil
    }
    let firstFold = points.rows.compactMap { value(points, $0, "fold") }.min() ?? 0
    var series: [ChartSeries] = []
    var sample = ChartSeries(
      name: "ordinary songs (sample)",
      points: points.rows.filter { value(points, $0, "fold") == firstFold }.compactMap { r in
        guard let f = value(points, r, "training_frequency"),
          let y = value(points, r, "recommendations")
        else { return nil }
        return (f, y, 0)
      }, style: .points, colour: -1)
    sample.inLegend = true
    series.append(sample)
    let bins = cloud.rows.filter { value(cloud, $0, "fold") == firstFold }.compactMap {
      r -> (x: Double, y: Double, ci: Double)? in
      guard let lo = value(cloud, r, "freq_low"), let hi = value(cloud, r, "freq_high"),
        let m = value(cloud, r, "recommendations_mean")
      else { return nil }
      return ((lo * hi).squareRoot(), m, value(cloud, r, "recommendations_ci") ?? 0)
    }
    series.append(
      ChartSeries(name: "mean of all songs in the bin", points: bins, style: .dashed, colour: 7))
    let s = c.summary
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
      series.append(
        ChartSeries(name: "s* – \(strategy)", points: pts, style: .highlight, colour: i))
    }
    var chart = LineChart(
      title: "Training frequency vs recommendations at test time",
      xLabel: "training frequency (playlists holding the song, log scale)",
      yLabel: "R: test playlists with the song in top-R (log)", series: series)
    chart.logX = true
    chart.logY = true
    chart.legendWidth = 230
    chart.width = 820
    chart.legendNotes = ["s*: mean over folds per size", "songs with R = 0 are not drawn"]
    return ReportSection(
      file: "frequency-scatter", heading: "s* against ordinary songs", svg: chart.svg(),
      text:
        "Each grey dot is an ordinary song of fold \(Int(firstFold)) (a fixed sample per frequency bin): how often it appears in the training playlists and how often the clean model puts it in a test playlist's top-R list; the dashed line is the mean of all songs in each bin (songs with R = 0 included, so it can lie below the dots). Large markers are s* with each strategy's collective (training frequency = collective size B): markers above the cloud mean the strategy wins s* more recommendations than songs of the same popularity get."
    )
  }

  // MARK: - 4. Accuracy loss with bounds

  static func accuracyLoss(_ c: ReportContext) -> ReportSection? {
    let s = c.summary
    let metrics: [(String, String)] = [
      ("ndcg", "NDCG"), ("r_precision", "R-precision"), ("clicks", "clicks"),
    ]
    guard s.column("ndcg_loss") != nil else { return nil }
    var panels: [LineChart] = []
    for (metric, label) in metrics {
      var series: [ChartSeries] = []
      for (i, strategy) in c.strategies.enumerated() {
        let rows = s.rows.filter {
          string(s, $0, "strategy") == strategy
            && string(s, $0, "statistics") == c.mainEstimateSource
        }
        func pts(_ col: String, ci: Bool) -> [(x: Double, y: Double, ci: Double)] {
          rows.compactMap { r in
            guard let v = value(s, r, col), let size = Self.size(s, r) else { return nil }
            return (size.axisValue, v, ci ? value(s, r, col + "_ci") ?? 0 : 0)
          }
        }
        series.append(
          ChartSeries(
            name: strategy, points: pts("\(metric)_loss", ci: true), style: .line, colour: i))
        var adversarial = ChartSeries(
          name: "\(strategy) adversarial", points: pts("\(metric)_loss_adversarial", ci: false),
          style: .dashed, colour: i)
        adversarial.inLegend = false
        var optimistic = ChartSeries(
          name: "\(strategy) optimistic", points: pts("\(metric)_loss_optimistic", ci: false),
          style: .dotted, colour: i)
        optimistic.inLegend = false
        series += [adversarial, optimistic]
      }
      var chart = LineChart(
        title: "\(label): with − clean", xLabel: c.xLabel, yLabel: "change in \(label)",
        series: series)
      chart.logX = true
      chart.referenceY = (0, "no change")
      chart.width = 640
      chart.legendWidth = 170
      chart.legendNotes = [
        "solid: measured (95% CI)", "dashed: adversarial bound", "dotted: optimistic bound",
      ]
      panels.append(chart)
    }
    let figure = PanelFigure(
      title: "Cost to the platform: accuracy with the collective minus without", panels: panels,
      columns: 3)
    return ReportSection(
      file: "accuracy-loss", heading: "Cost to the platform", svg: figure.svg(),
      text:
        "The platform's accuracy with the collective minus without it, for NDCG, R-precision (the study's variant) and clicks (clicks count pages of 10 until the first hit, so a rise is a loss). Dashed: the adversarial bound (each s* in a top-R list cost the list its first relevant track); dotted: the optimistic bound (s* counts as relevant). Values near 0 mean the manipulation is nearly invisible in accuracy. runs.csv also holds the official R-precision, precision and recall."
    )
  }

  // MARK: - 5. Externalities

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
    let figure = PanelFigure(
      title: "Externalities: change in recommendations of other songs, by training frequency",
      panels: panels, columns: 3)
    return ReportSection(
      file: "externalities", heading: "Who pays: externalities on other songs", svg: figure.svg(),
      text:
        "For each strategy at its largest collective (\(sizeNote) for the last one), the mean change ΔR = R − R₀ in test-time top-R appearances of other songs, by training-frequency bin (powers of two), pooled over folds, split into direct anchors (the song right before s* in a collective playlist), indirect anchors (right after) and all other songs. songs.csv and artists.csv hold every song and artist that changed."
    )
  }

  // MARK: - 6. Concentration

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
    var withSeries: [ChartSeries] = []
    var gainedSeries: [ChartSeries] = []
    let clean = inFold.filter { string(t, $0, "series") == "clean" }
    if let g = clean.first.flatMap({ value(t, $0, "gini") }) {
      withSeries.append(
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
      let rows = inFold.filter {
        string(t, $0, "strategy") == strategy && string(t, $0, "statistics") == c.mainEstimateSource
          && Self.size(t, $0) == size
      }
      for (name, style) in [("with", SeriesStyle.dashed), ("gained", SeriesStyle.line)] {
        let part = rows.filter { string(t, $0, "series") == name }
        guard let g = part.first.flatMap({ value(t, $0, "gini") }) else { continue }
        let s = ChartSeries(
          name: String(format: "%@ (Gini %.4f)", strategy, g), points: curve(part), style: style,
          colour: i)
        if name == "with" { withSeries.append(s) } else { gainedSeries.append(s) }
      }
    }
    guard !withSeries.isEmpty else { return nil }
    func lorenz(_ title: String, _ series: [ChartSeries], _ y: String) -> LineChart {
      var chart = LineChart(
        title: title, xLabel: "share of artists (least recommended first)", yLabel: y,
        series: series)
      chart.xRange = 0...1
      chart.yRange = 0...1
      chart.diagonal = "perfect equality"
      chart.width = 700
      chart.legendWidth = 230
      return chart
    }
    var panels = [lorenz("Recommendations per artist", withSeries, "share of recommendations")]
    if !gainedSeries.isEmpty {
      panels.append(
        lorenz("Gained recommendations per artist", gainedSeries, "share of gained recommendations")
      )
    }
    // The head, where a long tail keeps its mass: the share held by the top x% of artists.
    func head(_ s: ChartSeries) -> ChartSeries {
      var h = s
      h.points = s.points.compactMap { p in p.x < 1 ? (100 * (1 - p.x), 100 * (1 - p.y), 0) : nil }
      return h
    }
    var top = LineChart(
      title: "The head: share held by the top artists", xLabel: "top x% of artists (log scale)",
      yLabel: "% of (gained) recommendations they hold",
      series: withSeries.prefix(1).map(head) + gainedSeries.map(head))
    top.logX = true
    top.yRange = 0...100
    top.width = 700
    top.legendWidth = 230
    top.legendNotes = ["black: clean recommendations", "colours: gained recommendations"]
    panels.append(top)
    let figure = PanelFigure(
      title: "Concentration: Lorenz curves of recommendations per artist (fold \(Int(firstFold)))",
      panels: panels, columns: 3)
    return ReportSection(
      file: "concentration", heading: "Concentration across artists", svg: figure.svg(),
      text:
        "Left: the Lorenz curve of test-time top-R recommendations per artist for the clean model (black) and with each strategy's largest collective (dashed; \(sizeNote) for the last one); the Gini coefficient is in the legend. Middle: how the recommendations that artists gained (ΔR⁺ per artist) are spread: a curve hugging the bottom right means a few artists took almost all of the gain. Right: the same curves read from the top (log scale), where a long-tailed distribution keeps its mass: the share of all clean recommendations (black) and of the gained ones (colours) held by the top x% of artists."
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
