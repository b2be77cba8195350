// The figures of the study's appendix, from the appendix CSVs of a results folder: which songs
// each strategy anchors s* to (anchor selection), what the collective believed about the
// targeted anchors against the truth (partial information), the distribution of per-list
// precision@50 clean and with the collective, and for vector models the cosine of s* with the
// contexts the collective aimed at, and the success rate among test seeds holding a targeted
// anchor against all test playlists. Each returns nil when the folder lacks its data.
import ChorusCore
import Foundation

extension StudyReport {
  /// The rows of `t` of one strategy, statistics source and collective size.
  static func rows(
    _ t: CSVTable, strategy: String, statistics: String, size: CollectiveSize
  ) -> [[CSVCell]] {
    t.rows.filter {
      string(t, $0, "strategy") == strategy && string(t, $0, "statistics") == statistics
        && Self.size(t, $0) == size
    }
  }

  /// The smallest fold number of `t` (the fold the per-edit scatters show).
  static func firstFold(_ t: CSVTable) -> Double {
    t.rows.compactMap { value(t, $0, "fold") }.min() ?? 0
  }

  // MARK: - Anchor selection

  /// One panel per strategy at its largest collective (first fold): every edit as a point at
  /// the true training frequencies of the song before s* (x) and after it (y), coloured by the
  /// side the strategy aimed at. Edits with s* first or last have one neighbour only and are
  /// counted in the panel title, not drawn.
  static func anchorSelection(_ c: ReportContext) -> ReportSection? {
    guard let t = c.table("anchors.csv") else { return nil }
    let fold = firstFold(t)
    var panels: [LineChart] = []
    var oneSided: [String] = []
    for strategy in c.strategies {
      guard let size = largestSize(t, strategy: strategy, statistics: c.mainEstimateSource) else {
        continue
      }
      let edits = rows(t, strategy: strategy, statistics: c.mainEstimateSource, size: size)
        .filter { value(t, $0, "fold") == fold }
      guard !edits.isEmpty else { continue }
      var bySide: [String: [(x: Double, y: Double, ci: Double)]] = [:]
      for r in edits {
        guard let x = value(t, r, "direct_true_freq"), let y = value(t, r, "indirect_true_freq")
        else { continue }
        bySide[string(t, r, "targeted"), default: []].append((x, y, 0))
      }
      let drawn = bySide.values.reduce(0) { $0 + $1.count }
      guard drawn > 0 else {
        // s* always first or last (AtTheBeginning, AtTheEnd): no point has both coordinates.
        oneSided.append(strategy)
        continue
      }
      let series = [
        ("direct", "aimed at the song before s*", 0), ("indirect", "aimed at the song after s*", 1),
      ]
      .compactMap { side, label, colour -> ChartSeries? in
        guard let pts = bySide[side], !pts.isEmpty else { return nil }
        var s = ChartSeries(name: label, points: pts, style: .points, colour: colour)
        s.inLegend = true
        return s
      }
      var chart = LineChart(
        title: "\(strategy), \(sizeLabel(size)): \(drawn) of \(edits.count) edits",
        xLabel: "training frequency of the song before s* (log)",
        yLabel: "training frequency of the song after s* (log)", series: series)
      chart.logX = true
      chart.logY = true
      chart.width = 560
      chart.height = 440
      chart.legendWidth = 200
      chart.legendNotes = ["one dot per collective", "playlist (fold \(Int(fold)))"]
      panels.append(chart)
    }
    guard !panels.isEmpty else { return nil }
    shareRanges(&panels)
    var figure = PanelFigure(
      title: "Anchor selection: the songs around s* in the collective's playlists",
      panels: panels, columns: min(3, panels.count))
    figure.caption = [
      "Each strategy at its largest collective. Both axes: playlists of the fold's training data holding the song (before planting); shared by the panels.",
      "Edits where s* is first or last have one neighbour and are not drawn (the title counts the drawn edits)"
        + (oneSided.isEmpty
          ? "."
          : "; no panel for \(oneSided.joined(separator: ", ")), which always put s* first or last."),
    ]
    return ReportSection(
      file: "anchor-selection", heading: "Anchor selection", svg: figure.svg(),
      text:
        "Which songs each strategy places s* next to, one panel per strategy at its largest collective (fold \(Int(fold))): every collective playlist is a dot at the true training frequency of the song right before s* (x) and right after it (y), coloured by the side the strategy aimed at (DirLoF-like strategies aim at the song before s*, InClust at the song after it, Hybrid decides per playlist). DirLoF's dots sit at the left edge (rare songs before s*); InClust's stack on a few rows (a handful of popular songs after s*). anchors.csv holds every edit, with the collective's estimates."
    )
  }

  /// One x and one y range for every panel, from all drawable points (log axes: positive).
  static func shareRanges(_ panels: inout [LineChart]) {
    let pts = panels.flatMap { p in
      p.series.flatMap { $0.points }.filter {
        $0.x.isFinite && $0.y.isFinite && (!p.logX || $0.x > 0) && (!p.logY || $0.y > 0)
      }
    }
    guard let x0 = pts.map(\.x).min(), let x1 = pts.map(\.x).max(),
      let y0 = pts.map(\.y).min(), let y1 = pts.map(\.y).max()
    else { return }
    for i in panels.indices {
      let (lx, hx) = panels[i].logX ? (x0 / 1.3, x1 * 1.3) : (x0, x1)
      let (ly, hy) = panels[i].logY ? (y0 / 1.3, y1 * 1.3) : (y0, y1)
      panels[i].xRange = lx...max(hx, lx + 1e-9)
      panels[i].yRange = ly...max(hy, ly + 1e-9)
    }
  }

  // MARK: - Estimated vs true frequency

  /// One panel per statistics source other than full information: each targeted anchor's true
  /// training frequency (x) against the collective's estimate of it (y), one colour per
  /// strategy, at each strategy's largest collective (first fold); the diagonal is a perfect
  /// estimate, and a bottom row holds estimates of 0 or unknown.
  static func estimatedFrequency(_ c: ReportContext) -> ReportSection? {
    guard let t = c.table("anchors.csv") else { return nil }
    let sources = c.statsSources.filter { $0 != "full" }
    guard !sources.isEmpty else { return nil }
    let fold = firstFold(t)
    var panels: [LineChart] = []
    for source in sources {
      var series: [ChartSeries] = []
      for (i, strategy) in c.strategies.enumerated() {
        guard let size = largestSize(t, strategy: strategy, statistics: source) else { continue }
        let pts = rows(t, strategy: strategy, statistics: source, size: size)
          .filter { value(t, $0, "fold") == fold }
          .compactMap { r -> (x: Double, y: Double, ci: Double)? in
            let side = string(t, r, "targeted") == "indirect" ? "indirect" : "direct"
            guard let truth = value(t, r, "\(side)_true_freq") else { return nil }
            return (truth, value(t, r, "\(side)_estimate") ?? 0, 0)
          }
        guard !pts.isEmpty else { continue }
        series.append(
          ChartSeries(
            name: "\(strategy), \(sizeLabel(size))", points: pts, style: .points, colour: i))
      }
      guard !series.isEmpty else { continue }
      var chart = LineChart(
        title: "statistics: \(sourceLabel(source)) (\(source))",
        xLabel: "true training frequency of the targeted anchor",
        yLabel: "the collective's estimate (its own counts)", series: series)
      chart.logX = true
      chart.logY = true
      chart.zeroRow = true
      chart.diagonal = "estimate = truth"
      chart.width = 560
      chart.height = 440
      chart.legendWidth = 190
      chart.legendNotes = ["bottom row: estimate 0", "or song unknown to it"]
      panels.append(chart)
    }
    guard !panels.isEmpty else { return nil }
    shareRanges(&panels)
    var figure = PanelFigure(
      title: "What the collective believed: estimated vs true frequency of the targeted anchors",
      panels: panels, columns: panels.count == 4 ? 2 : min(3, panels.count))
    figure.caption = [
      "One dot per targeted anchor (fold \(Int(fold)), each strategy at its largest collective); log axes shared by the panels.",
      "Sample counts are not rescaled (a 10% sample counts about a tenth), so only the order along y matters to the strategies.",
    ]
    return ReportSection(
      file: "estimated-frequency", heading: "Estimated vs true frequency of the targeted anchors",
      svg: figure.svg(),
      text:
        "For every statistics source other than full information, each anchor the strategy aimed at is a dot at its true training frequency (x) and at the collective's estimate of it (y), one colour per strategy (fold \(Int(fold))). The dashed diagonal is a perfect estimate; sample counts are not rescaled, so a sample's dots lie below it by about the sample fraction (the collective's own playlists are counted in full), and what matters is whether the order survives: DirLoF's anchors should still be the truly rare songs. The bottom row holds anchors the collective estimated as 0 or did not know. summary.csv's `spearman` gives the rank correlation over all songs."
    )
  }

  // MARK: - Precision@50 distribution

  /// One panel per strategy at its largest collective: the distribution (CDF over test lists,
  /// pooled over folds) of per-list precision@50, clean and with the collective, with the
  /// number of lists that gained or lost a hit in the title.
  static func precisionDistribution(_ c: ReportContext) -> ReportSection? {
    guard let t = c.table("precision-at-50.csv") else { return nil }
    let changes = c.table("precision-at-50-change.csv")
    var panels: [LineChart] = []
    var depth = 50
    for (i, strategy) in c.strategies.enumerated() {
      guard let size = largestSize(t, strategy: strategy, statistics: c.mainEstimateSource) else {
        continue
      }
      let part = rows(t, strategy: strategy, statistics: c.mainEstimateSource, size: size)
      if let d = part.first.flatMap({ value(t, $0, "depth") }) { depth = Int(d) }
      func cdf(_ series: String) -> [(x: Double, y: Double, ci: Double)] {
        var counts: [Double: Double] = [:]
        for r in part where string(t, r, "series") == series {
          guard let p = value(t, r, "precision"), let n = value(t, r, "lists") else { continue }
          counts[p, default: 0] += n
        }
        let total = counts.values.reduce(0, +)
        guard total > 0 else { return [] }
        var running = 0.0
        return counts.keys.sorted().map { p in
          running += counts[p]!
          return (p, 100 * running / total, 0)
        }
      }
      // The clean curve wide and grey underneath, the collective's dashed on top: where they
      // coincide (the usual case) both stay visible.
      let clean = ChartSeries(name: "clean", points: cdf("clean"), style: .line, colour: -1)
      let with = ChartSeries(
        name: "with the collective", points: cdf("with"), style: .dashed, colour: i)
      guard !clean.points.isEmpty || !with.points.isEmpty else { continue }
      var notes = ["pooled over folds"]
      if let ch = changes {
        let r = rows(ch, strategy: strategy, statistics: c.mainEstimateSource, size: size)
        let sum = { (col: String) in Int(r.compactMap { value(ch, $0, col) }.reduce(0, +)) }
        notes += [
          "of \(sum("lists")) test lists:", "\(sum("lists_gained")) gained a hit,",
          "\(sum("lists_lost")) lost one",
        ]
      }
      var chart = LineChart(
        title: "\(strategy), \(sizeLabel(size))", xLabel: "precision@\(depth) of a test list",
        yLabel: "% of test lists at or below it", series: [clean, with])
      chart.yRange = 0...100
      chart.width = 560
      chart.height = 420
      chart.legendWidth = 180
      chart.legendNotes = notes
      panels.append(chart)
    }
    guard !panels.isEmpty else { return nil }
    let xs = panels.flatMap { $0.series.flatMap { $0.points.map(\.x) } }
    let top = sharedTop(xs.max() ?? 1)
    for i in panels.indices { panels[i].xRange = 0...top }
    var figure = PanelFigure(
      title: "Precision of the top-\(depth) lists, clean and with the collective",
      panels: panels, columns: min(3, panels.count))
    figure.caption = [
      "Cumulative share of test lists by their precision@\(depth) (relevant held-out tracks among the first \(depth) recommendations ÷ \(depth)); shared x axis."
    ]
    return ReportSection(
      file: "precision-distribution", heading: "Precision of the top-\(depth) lists",
      svg: figure.svg(),
      text:
        "The distribution over test playlists of precision@\(depth) — the share of a list's first \(depth) recommendations that are held-out tracks of the playlist — for the clean model (solid grey, underneath) and with each strategy's largest collective (dashed), pooled over folds. Curves on top of each other mean the collective leaves the quality of individual lists as it was; the notes beside each panel count the lists that gained or lost at least one hit. precision-at-50.csv holds the histograms, precision-at-50-change.csv the paired counts and means per run."
    )
  }

  // MARK: - Similarity of s* to the targeted contexts

  /// One panel per strategy: the mean cosine of s* with the query vectors of test seeds whose
  /// last track is a targeted anchor, and with all other seeds, against collective size (mean
  /// over folds with its 95% CI); shared y axis.
  static func contextSimilarity(_ c: ReportContext) -> ReportSection? {
    guard let t = c.table("similarity.csv") else { return nil }
    var panels: [LineChart] = []
    for (i, strategy) in c.strategies.enumerated() {
      let part = t.rows.filter {
        string(t, $0, "strategy") == strategy
          && string(t, $0, "statistics") == c.mainEstimateSource
      }
      func series(_ column: String) -> [(x: Double, y: Double, ci: Double)] {
        var byX: [Double: [Double]] = [:]
        for r in part {
          guard let size = size(t, r), let v = value(t, r, column), v.isFinite else { continue }
          byX[size.axisValue, default: []].append(v)
        }
        return byX.keys.sorted().map { x in
          let (mean, ci) = meanAndCI(byX[x]!)
          return (x, mean, ci)
        }
      }
      var targeted = ChartSeries(
        name: "seeds ending in a targeted anchor", points: series("targeted_cosine_mean"),
        style: .errorBars, colour: i)
      targeted.dodge = -4
      var others = ChartSeries(
        name: "all other seeds", points: series("other_cosine_mean"), style: .errorBars,
        colour: 7)
      others.dodge = 4
      guard !targeted.points.isEmpty || !others.points.isEmpty else { continue }
      var chart = LineChart(
        title: strategy, xLabel: c.xLabel, yLabel: "cosine of s* with the seed's query",
        series: [targeted, others])
      chart.logX = true
      chart.referenceY = (0, "orthogonal")
      chart.topAxis = playlistAxis(c)
      chart.width = 600
      chart.height = chart.topAxis == nil ? 420 : 454
      chart.legendWidth = 250
      chart.legendNotes = ["mean over folds, 95% CI", "markers side by side"]
      panels.append(chart)
    }
    guard !panels.isEmpty else { return nil }
    let ys =
      panels.flatMap { $0.series.flatMap { $0.points.flatMap { [$0.y - $0.ci, $0.y + $0.ci] } } }
      .filter(\.isFinite) + [0]
    let ticks = Axis.niceTicks(ys.min()!, ys.max()!)
    // A margin above and below, so the "orthogonal" line at 0 never lies on the frame.
    let pad = 0.05 * (ticks.last! - ticks.first!)
    let range = (min(ticks.first!, ys.min()!) - pad)...(max(ticks.last!, ys.max()!) + pad)
    for i in panels.indices { panels[i].yRange = range }
    var figure = PanelFigure(
      title: "How close s* is to the contexts the collective aimed at",
      panels: panels, columns: min(3, panels.count))
    figure.caption = [
      "Cosine between s*'s scoring vector and the query vector of each test seed, averaged per fold over seeds whose last track is a targeted anchor and over the others; shared y axis."
    ]
    return ReportSection(
      file: "context-similarity", heading: "Similarity of s* to the targeted contexts",
      svg: figure.svg(),
      text:
        "For a vector model: the cosine between the vector the model scores s* by and the query vector of each test playlist's seed, averaged per fold separately over seeds whose last track is an anchor the strategy aimed at and over all other seeds (mean over folds with its 95% CI). A strategy that works through its anchors brings s* closer to their contexts than to the rest; few test seeds end in a targeted anchor at small collectives, so those intervals are wide (similarity.csv gives the counts)."
    )
  }
}

extension StudyReport {
  // MARK: - Success through the targeted anchors

  /// The side the strategy aimed at in anchors.csv ("direct": the song before s*, "indirect":
  /// the song after it), when every edit of the strategy aimed at the same side; else nil.
  static func targetedSide(_ c: ReportContext, strategy: String) -> String? {
    guard let t = c.table("anchors.csv") else { return nil }
    let sides = Set(
      t.rows.filter {
        string(t, $0, "strategy") == strategy
          && string(t, $0, "statistics") == c.mainEstimateSource
      }.map { string(t, $0, "targeted") })
    guard sides.count == 1, let side = sides.first, ["direct", "indirect"].contains(side) else {
      return nil
    }
    return side
  }

  /// One panel per strategy: the success rate (share of test playlists with s* in their top-R)
  /// among test playlists whose seed holds an anchor the strategy aimed at, and among all test
  /// playlists, against collective size — mean over the folds (of runs.csv) where it is
  /// defined, with its 95% CI; shared y axis. The top axis gives the number of targeted anchors
  /// (distinct songs) when anchors.csv says which side the strategy aimed at. The study's
  /// appendix figure of InClust's success by its number of indirect anchors.
  static func anchorSuccess(_ c: ReportContext) -> ReportSection? {
    /// A mean count per fold: 9.3, 189.5, 347.
    func oneDecimal(_ v: Double) -> String {
      MeasuredValue.number((v * 10).rounded() / 10, digits: 7)
    }
    guard let t = c.table("runs.csv"), t.column("success_seed_anchor") != nil,
      t.column("success_all") != nil
    else { return nil }
    struct Cell {
      var x: Double
      var size: CollectiveSize
      var values: [String: [Double]] = [:]
    }
    let columns = [
      "success_seed_anchor", "success_all", "seed_anchor_playlists", "direct_anchors",
      "indirect_anchors",
    ]
    var panels: [LineChart] = []
    var noSeeds: [String] = []
    var table =
      "| strategy | size | targeted anchors | test seeds holding one | success among them | success among all test playlists |\n|---|---|---:|---:|---:|---:|\n"
    for (i, strategy) in c.strategies.enumerated() {
      var cells: [Double: Cell] = [:]
      for r in t.rows
      where string(t, r, "strategy") == strategy
        && string(t, r, "statistics") == c.mainEstimateSource
      {
        guard let size = size(t, r) else { continue }
        var cell = cells[size.axisValue] ?? Cell(x: size.axisValue, size: size)
        for col in columns {
          if let v = value(t, r, col), v.isFinite { cell.values[col, default: []].append(v) }
        }
        cells[size.axisValue] = cell
      }
      let sorted = cells.values.sorted { $0.x < $1.x }
      guard !sorted.isEmpty else { continue }
      let side = targetedSide(c, strategy: strategy)
      let anchorColumn = side.map { $0 == "indirect" ? "indirect_anchors" : "direct_anchors" }
      for cell in sorted {
        func measured(_ col: String) -> String {
          guard let v = cell.values[col], !v.isEmpty else { return "– (no seed holds one)" }
          let (mean, ci) = meanAndCI(v)
          let text = MeasuredValue(mean: mean, halfWidth: ci, folds: v.count).formatted()
          // Fewer folds than the run has: say over how many (one fold says so itself).
          return v.count >= 2 && v.count < (cell.values["success_all"]?.count ?? 0)
            ? text + " (\(counted(Double(v.count), "fold")))" : text
        }
        let anchors = anchorColumn.flatMap { cell.values[$0] }.map {
          oneDecimal(meanAndCI($0).mean)
        }
        let seedsHolding = cell.values["seed_anchor_playlists"].map {
          oneDecimal(meanAndCI($0).mean)
        }
        table +=
          "| \(SafeText.markdown(strategy)) | \(sizeLabel(cell.size)) | \(anchors ?? "n/a") | \(seedsHolding ?? "n/a") | \(measured("success_seed_anchor")) | \(measured("success_all")) |\n"
      }
      guard sorted.contains(where: { !($0.values["success_seed_anchor"] ?? []).isEmpty }) else {
        // No test seed holds one of its anchors at any size (DirLoF's rare songs): no panel.
        noSeeds.append(strategy)
        continue
      }
      func series(_ col: String) -> [(x: Double, y: Double, ci: Double)] {
        sorted.compactMap { cell in
          guard let v = cell.values[col], !v.isEmpty else { return nil }
          let (mean, ci) = meanAndCI(v)
          return (cell.x, mean, ci)
        }
      }
      var seeds = ChartSeries(
        name: "seeds with a targeted anchor", points: series("success_seed_anchor"),
        style: .errorBars, colour: i % LineChart.palette.count)
      seeds.dodge = -4
      var all = ChartSeries(
        name: "all test playlists", points: series("success_all"), style: .errorBars, colour: 7)
      all.dodge = 4
      var chart = LineChart(
        title: strategy, xLabel: c.xLabel, yLabel: "success rate (s* in the top-R)",
        series: [seeds, all])
      chart.logX = true
      chart.nonNegative = true
      chart.width = 710
      chart.legendWidth = 250
      chart.legendNotes = ["mean over folds, 95% CI", "markers side by side"]
      if let col = anchorColumn {
        let ticks = sorted.compactMap { cell -> (x: Double, label: String)? in
          guard let v = cell.values[col], !v.isEmpty else { return nil }
          return (cell.x, oneDecimal(meanAndCI(v).mean))
        }
        chart.topAxis = (
          "targeted anchors: songs \(side == "indirect" ? "after" : "before") s* (mean per fold)",
          ticks
        )
      }
      chart.height = chart.topAxis == nil ? 420 : 454
      panels.append(chart)
    }
    guard !panels.isEmpty else { return nil }
    let high =
      panels.flatMap { $0.series.flatMap { $0.points } }.map { $0.y + $0.ci }.filter(\.isFinite)
      .max() ?? 1
    let top = sharedTop(max(high, 1e-3))
    for i in panels.indices { panels[i].yRange = 0...top }
    var figure = PanelFigure(
      title: "Success through the anchors: seeds holding a targeted anchor vs all test playlists",
      panels: panels, columns: min(3, panels.count))
    figure.caption = [
      "Share of test playlists with s* in their top-R; mean over the folds where defined, 95% CI."
    ]
    if !noSeeds.isEmpty {
      figure.caption.append(
        "No panel for \(noSeeds.joined(separator: ", ")): no test seed holds one of its anchors.")
    }
    return ReportSection(
      file: "anchor-success", heading: "Success through the targeted anchors",
      svg: figure.svg(),
      text:
        "The study's appendix figure (InClust's success by its number of indirect anchors), for every strategy: the share of test playlists with s* among their top-R recommendations, among those whose seed holds an anchor the strategy aimed at (coloured; the song after s* for InClust, the one before it for DirLoF-like strategies) and among all test playlists (black), as the collective grows. A strategy that works through its anchors succeeds more often where the seed holds one. The top axis counts the targeted anchors (distinct songs, mean per fold) when anchors.csv shows the strategy aimed at one side only. A size where no test seed holds a targeted anchor has no coloured marker. From runs.csv (`success_seed_anchor`, `seed_anchor_playlists`, `success_all`, `direct_anchors`, `indirect_anchors`):\n\n"
        + table)
  }
}
