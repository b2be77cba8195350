// `chorus report DIR` on a detection sweep (Experiments/detection-sweep.sh): the sweep's
// `chorus detect --json` outputs, one per strategy, collective size and fold, named
// `STRATEGY-bBUDGET-fFOLD.json`, in DIR or in its `rate-R/` folders (one per flag rate). The
// figure: per flag rate, the share of the collective the platform's flags catch (recall) and
// the share of flags that hit it (precision) against collective size, one colour per strategy
// (mean over folds with its 95% CI), between what flagging at random and a perfect detector
// would give at that rate; and the rate-free ROC AUC against collective size. The combined
// detector (every trait) is drawn, or the only one when a single trait was scored.
import ChorusCore
import Foundation

/// The figure of a detection sweep folder.
public enum DetectionSweepReport {
  /// One `chorus detect --json` output: the drawn detector's numbers for one run.
  public struct Run: Sendable, Equatable {
    public var strategy: String
    public var budget: Int
    public var fold: Int
    public var flagRate: Double
    public var detector: String
    public var playlists: Int
    public var planted: Int
    public var flagged: Int
    public var truePositives: Int
    public var rocAUC: Double?
  }

  /// Whether `folder` is a detection sweep: no study manifest, and at least one file named
  /// like the sweep's outputs in it or in a `rate-*` folder.
  public static func isSweep(_ folder: String) -> Bool {
    guard !FileManager.default.fileExists(atPath: folder + "/" + ResultsFolder.manifestName)
    else { return false }
    return !((try? files(folder)) ?? []).isEmpty
  }

  /// The sweep's output files, in sorted order (DIR first, then each `rate-*` folder).
  static func files(_ folder: String) throws -> [String] {
    let fm = FileManager.default
    var dirs = [folder]
    for name in try fm.contentsOfDirectory(atPath: folder).sorted() where name.hasPrefix("rate-") {
      var isDir: ObjCBool = false
      if fm.fileExists(atPath: folder + "/" + name, isDirectory: &isDir), isDir.boolValue {
        dirs.append(folder + "/" + name)
      }
    }
    return try dirs.flatMap { dir in
      try fm.contentsOfDirectory(atPath: dir).sorted().filter { name(of: $0) != nil }.map {
        dir + "/" + $0
      }
    }
  }

  /// (strategy, budget, fold) from `STRATEGY-bBUDGET-fFOLD.json`, or nil.
  static func name(of file: String) -> (String, Int, Int)? {
    guard file.hasSuffix(".json") else { return nil }
    let parts = file.dropLast(5).split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count >= 3, parts[parts.count - 2].first == "b", parts.last?.first == "f",
      let budget = Int(parts[parts.count - 2].dropFirst()), let fold = Int(parts.last!.dropFirst())
    else { return nil }
    let strategy = parts.dropLast(2).joined(separator: "-")
    return strategy.isEmpty ? nil : (strategy, budget, fold)
  }

  /// Reads every output of the sweep.
  /// - Throws: `ChorusError(.data)` naming a file that is not `chorus detect --json` output.
  public static func load(_ folder: String) throws -> [Run] {
    try files(folder).map { path in
      let (strategy, budget, fold) = name(of: URL(fileURLWithPath: path).lastPathComponent)!
      func bad(_ what: String) -> ChorusError {
        ChorusError(
          .data, "not the output of 'chorus detect --json': \(what)", file: path,
          hint: "remove the file, or run the sweep again (Experiments/detection-sweep.sh)")
      }
      guard let data = try? FileIO.read(path),
        let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
      else { throw bad("not a JSON object") }
      if object["falsePositiveRate"] is NSNumber {
        throw ChorusError(
          .data,
          "a calibrated run ('chorus detect --false-positive-rate'): a detection sweep compares flag rates",
          file: path,
          hint: "move the file out of the sweep's folder, or run it with --flag-rate instead")
      }
      guard let rate = (object["flagRate"] as? NSNumber)?.doubleValue,
        let rows = object["rows"] as? [[String: Any]], let row = rows.last,
        let detector = row["detector"] as? String, let m = row["metrics"] as? [String: Any],
        let playlists = (m["playlists"] as? NSNumber)?.intValue,
        let planted = (m["planted"] as? NSNumber)?.intValue,
        let flagged = (m["flagged"] as? NSNumber)?.intValue,
        let hits = (m["truePositives"] as? NSNumber)?.intValue
      else { throw bad("no flagRate, or no rows with detector and metrics") }
      // The last row is the combination of the traits (or the only trait).
      return Run(
        strategy: strategy, budget: budget, fold: fold, flagRate: rate, detector: detector,
        playlists: playlists, planted: planted, flagged: flagged, truePositives: hits,
        rocAUC: (m["rocAUC"] as? NSNumber)?.doubleValue)
    }
  }

  /// Writes `figures/detection.svg` into the sweep folder; returns the path written (relative).
  @discardableResult
  public static func write(folder: String) throws -> [String] {
    let runs = try load(folder)
    guard let figure = figure(runs) else {
      throw ChorusError(
        .data, "the detection sweep has no run to draw", file: folder,
        hint: "run Experiments/detection-sweep.sh into this folder first")
    }
    try ResultsFolder.refuseSymlink(folder + "/figures")
    try FileIO.ensureDirectory(folder + "/figures")
    try FileIO.writeAtomically(figure.svg(), to: folder + "/figures/detection.svg")
    return ["figures/detection.svg"]
  }

  /// Mean ± 95% CI over folds of `value` per (strategy, budget) at one rate.
  static func points(
    _ runs: [Run], strategy: String, _ value: (Run) -> Double?
  ) -> [(x: Double, y: Double, ci: Double)] {
    let budgets = Set(runs.filter { $0.strategy == strategy }.map(\.budget)).sorted()
    return budgets.compactMap { b in
      let values = runs.filter { $0.strategy == strategy && $0.budget == b }.compactMap(value)
        .filter(\.isFinite)
      guard !values.isEmpty else { return nil }
      let (mean, ci) = StudyReport.meanAndCI(values)
      return (Double(b), mean, ci)
    }
  }

  /// Per flag rate a recall and a precision panel, and one ROC AUC panel; nil without runs.
  public static func figure(_ runs: [Run]) -> PanelFigure? {
    guard !runs.isEmpty else { return nil }
    let rates = Set(runs.map(\.flagRate)).sorted()
    let strategies = StudyReport.orderedUnique(runs.map(\.strategy))
    let budgets = Set(runs.map(\.budget)).sorted().map(Double.init)
    let xRange = (budgets.first! / 1.5)...(budgets.last! * 1.5)
    let n = Double(strategies.count)
    let detector = runs[0].detector
    func percent(_ r: Double) -> String { String(format: "%g%%", r * 100) }
    func chart(
      _ title: String, yLabel: String, _ series: [ChartSeries], range: ClosedRange<Double>
    ) -> LineChart {
      var c = LineChart(
        title: title, xLabel: "collective size B (playlists, log scale)", yLabel: yLabel,
        series: series)
      c.logX = true
      c.xTicks = budgets
      c.xRange = xRange
      c.yRange = range
      c.nonNegative = true
      c.width = 560
      c.height = 420
      c.legendWidth = 180
      return c
    }
    func strategySeries(_ runs: [Run], _ value: @escaping (Run) -> Double?) -> [ChartSeries] {
      strategies.enumerated().map { i, s in
        var series = ChartSeries(
          name: s, points: points(runs, strategy: s, value), style: .errorBars,
          colour: i % LineChart.palette.count)
        series.dodge = (Double(i) - (n - 1) / 2) * 5
        return series
      }
    }
    /// A grey line through the mean of `value` over every run of each size (a bound that
    /// depends only on the size and the rate), in the legend.
    func bound(_ runs: [Run], _ name: String, _ style: SeriesStyle, _ value: (Run) -> Double)
      -> ChartSeries
    {
      let pts = budgets.compactMap { b -> (x: Double, y: Double, ci: Double)? in
        let v = runs.filter { Double($0.budget) == b }.map(value)
        return v.isEmpty ? nil : (b, v.reduce(0, +) / Double(v.count), 0)
      }
      return ChartSeries(name: name, points: pts, style: style, colour: -1)
    }
    var recall: [LineChart] = []
    var precision: [LineChart] = []
    for rate in rates {
      let at = runs.filter { $0.flagRate == rate }
      var r = chart(
        "recall at flag rate \(percent(rate))", yLabel: "share of the collective flagged",
        strategySeries(at) { $0.planted > 0 ? Double($0.truePositives) / Double($0.planted) : nil }
          + [
            bound(at, "perfect detector", .dashed) {
              $0.planted > 0 ? min(1, Double($0.flagged) / Double($0.planted)) : 0
            },
            bound(at, "flagging at random", .dotted) {
              $0.playlists > 0 ? Double($0.flagged) / Double($0.playlists) : 0
            },
          ], range: 0...1)
      r.legendNotes = ["mean over folds, 95% CI", "markers side by side"]
      recall.append(r)
      var p = chart(
        "precision at flag rate \(percent(rate))", yLabel: "share of flags that hit the collective",
        strategySeries(at) { $0.flagged > 0 ? Double($0.truePositives) / Double($0.flagged) : nil }
          + [
            bound(at, "perfect detector", .dashed) {
              $0.flagged > 0 ? min(1, Double($0.planted) / Double($0.flagged)) : 0
            },
            bound(at, "flagging at random", .dotted) {
              $0.playlists > 0 ? Double($0.planted) / Double($0.playlists) : 0
            },
          ], range: 0...1)
      p.legendNotes = recall[0].legendNotes
      precision.append(p)
    }
    // The AUC does not depend on the flag rate: one value per run, from the first rate that has
    // the run.
    var seen = Set<String>()
    let once = runs.sorted { $0.flagRate < $1.flagRate }.filter {
      seen.insert("\($0.strategy)|\($0.budget)|\($0.fold)").inserted
    }
    var auc = chart(
      "ROC AUC (any flag rate)", yLabel: "ROC AUC", strategySeries(once) { $0.rocAUC }, range: 0...1
    )
    auc.referenceY = (0.5, "chance")
    auc.legendNotes = recall[0].legendNotes
    // Row 1: recall per rate and the AUC; row 2: precision per rate.
    var figure = PanelFigure(
      title:
        "Which strategies are stealthy: detection of the collective by the \(detector) detector",
      panels: recall + [auc] + precision, columns: rates.count + 1)
    let folds = Set(runs.map(\.fold)).count
    figure.caption = [
      "The platform flags its most suspicious playlists at each flag rate; mean over \(folds) fold\(folds == 1 ? "" : "s") with 95% CIs.",
      "Grey: what a perfect detector (dashed) and flags drawn at random (dotted) would give at that rate.",
    ]
    return figure
  }
}
