// A sweep over one spec value (`chorus sweep`): finished studies of one spec that differ only in
// the value at one dotted key of the resolved spec (e.g. model.config.epochs), read back as one
// row per value × strategy × statistics × size with summary.csv's amplification (mean, 95% CI)
// and accuracy columns. Studies whose resolved specs differ anywhere else (their `name` aside),
// whose dataset content differs, that lack the key or hold a non-number there, or that repeat a
// value are refused, naming the folder and the key — a sweep must change one thing only.
import ChorusCore
import Evaluation
import Foundation
import Reports

/// Reads studies that differ in one spec value into a sweep.
public enum ParameterSweep {
  /// One strategy × statistics × size of one study.
  public struct Row: Sendable, Equatable {
    /// The results folder.
    public var folder: String
    /// The study's value at the swept key.
    public var value: Double
    public var strategy: String
    public var statistics: String
    public var sizeKind: String
    public var size: Double
    /// The mean collective size in playlists (summary.csv's `budget`), NaN when not recorded.
    public var budget: Double
    public var folds: Int
    /// Mean amplification over folds and the half-width of its 95% CI.
    public var amplification: Double
    public var amplificationCI: Double
    /// summary.csv's cells of `copiedColumns`, as written there (empty when absent).
    public var copied: [CSVCell]
    /// The amplification of each fold's run (runs.csv), in fold order.
    public var perFold: [Double]

    public init(
      folder: String, value: Double, strategy: String, statistics: String, sizeKind: String,
      size: Double, budget: Double, folds: Int, amplification: Double, amplificationCI: Double,
      copied: [CSVCell], perFold: [Double] = []
    ) {
      self.folder = folder
      self.value = value
      self.strategy = strategy
      self.statistics = statistics
      self.sizeKind = sizeKind
      self.size = size
      self.budget = budget
      self.folds = folds
      self.amplification = amplification
      self.amplificationCI = amplificationCI
      self.copied = copied
      self.perFold = perFold
    }
  }

  /// A loaded sweep.
  public struct Sweep: Sendable, Equatable {
    /// The swept key, dotted (e.g. model.config.epochs).
    public var key: String
    /// The folders in order of their value, and their values.
    public var folders: [String]
    public var values: [Double]
    /// In order of value, then of each folder's summary.csv.
    public var rows: [Row]
    /// The dataset and model as the first spec names them, for the figure's caption.
    public var dataset: String
    public var model: String
    /// Differences that do not change the spec but may change last bits (code version,
    /// vector kernel level): worth a warning, not a refusal.
    public var warnings: [String]

    public init(
      key: String, folders: [String], values: [Double], rows: [Row], dataset: String,
      model: String, warnings: [String]
    ) {
      self.key = key
      self.folders = folders
      self.values = values
      self.rows = rows
      self.dataset = dataset
      self.model = model
      self.warnings = warnings
    }
  }

  /// Top-level keys of the resolved spec that may differ between the studies of a sweep.
  public static let ignoredKeys: Set<String> = ["name", "out"]

  /// summary.csv columns copied to sweep.csv as they are: recommendations of s* and the clean
  /// and with-collective accuracy of every metric, each with its CI half-width.
  public static let copiedColumns: [String] =
    ["recommendations", "recommendations_ci"]
    + PlaylistMetrics.names.flatMap { m in
      ["\(m)_clean", "\(m)_clean_ci", "\(m)_with", "\(m)_with_ci"]
    }

  /// Reads every folder's spec.resolved.json and summary.csv.
  /// - Parameters:
  ///   - folders: at least two finished results folders.
  ///   - key: a dotted path into the resolved spec (`spec.resolved.json`'s "spec" object) whose
  ///     value is a number, e.g. `model.config.epochs`, `k`, `split.minTracks`.
  /// - Throws: `ChorusError` — `.usage` for fewer than two folders or a malformed key; `.data`
  ///   for an unfinished folder or a malformed file; `.config` (naming the folder and the key)
  ///   for a key missing or not a number, specs that differ elsewhere, another dataset, or a
  ///   value given twice.
  public static func load(folders: [String], key: String) throws -> Sweep {
    guard folders.count >= 2 else {
      throw ChorusError(
        .usage, "give at least two results folders (got \(folders.count))", field: "folders",
        hint: "a sweep compares studies that differ in the value at --key")
    }
    let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard !key.isEmpty, path.allSatisfy({ !$0.isEmpty }) else {
      throw ChorusError(
        .usage, "'\(key)' is not a dotted key", field: "key",
        hint: "name a numeric setting of the resolved spec, e.g. model.config.epochs")
    }
    if ignoredKeys.contains(path[0]) {
      throw ChorusError(
        .usage, "'\(path[0])' is not a setting a sweep can vary", field: "key",
        hint: "name a numeric setting of the resolved spec, e.g. model.config.epochs")
    }
    var studies: [Study] = []
    for folder in folders {
      let study = try Study(folder: folder, key: key, path: path)
      if let first = studies.first { try study.requireSameSpec(as: first, key: key) }
      if let same = studies.first(where: { $0.value == study.value }) {
        throw ChorusError(
          .config,
          "its \(key) (\(format(study.value))) is the same as that of \(same.folder)",
          file: folder, field: key, hint: "give one study per value")
      }
      studies.append(study)
    }
    var warnings: [String] = []
    let first = studies[0]
    for s in studies.dropFirst() {
      if s.chorusVersion != first.chorusVersion {
        warnings.append(
          "\(s.folder) was run by chorus \(s.chorusVersion), \(first.folder) by \(first.chorusVersion)"
        )
      }
      if s.kernels != first.kernels {
        warnings.append(
          "\(s.folder) used \(s.kernels) kernels, \(first.folder) \(first.kernels): last bits may differ"
        )
      }
    }
    studies.sort { $0.value < $1.value }
    var rows: [Row] = []
    for s in studies { rows += try s.summaryRows() }
    let model = (first.spec["model"] as? [String: Any])?["name"] as? String ?? "?"
    return Sweep(
      key: key, folders: studies.map(\.folder), values: studies.map(\.value), rows: rows,
      dataset: first.spec["dataset"] as? String ?? "?", model: model, warnings: warnings)
  }

  /// One finished study: its resolved spec, flattened, and the swept value.
  struct Study {
    let folder: String
    let spec: [String: Any]
    /// Every leaf of the spec by dotted key, as canonical JSON text (lists are leaves).
    let leaves: [String: String]
    let datasetHash: String
    let chorusVersion: String
    let kernels: String
    let value: Double

    init(folder: String, key: String, path: [String]) throws {
      var isFolder: ObjCBool = false
      guard FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder),
        isFolder.boolValue
      else {
        throw ChorusError(
          .io, "no such results folder", file: folder,
          hint: "give folders written by 'chorus run'")
      }
      try ResultsFolder.requireComplete(folder)
      let (resolved, hash) = try ResultsStore.readResolvedWithDataset(folder: folder)
      let spec = resolved.spec
      self.folder = folder
      self.spec = spec
      datasetHash = hash
      chorusVersion = resolved.chorusVersion ?? "?"
      kernels = resolved.kernels ?? "?"
      var leaves: [String: String] = [:]
      Self.flatten(spec, prefix: "", into: &leaves)
      self.leaves = leaves
      // Walk the key; a missing step names the keys that are there.
      var node: Any = spec
      for (i, step) in path.enumerated() {
        guard let object = node as? [String: Any], let next = object[step] else {
          let parent = path[..<i].joined(separator: ".")
          let known = (node as? [String: Any])?.keys.sorted().joined(separator: ", ")
          throw ChorusError(
            .config, "its resolved spec has no key '\(key)'", file: folder, field: key,
            hint: known.map {
              "keys \(parent.isEmpty ? "at the top" : "under '\(parent)'"): \($0)"
            } ?? "'\(parent)' is not an object")
        }
        node = next
      }
      guard let n = node as? NSNumber, !ConfigCoding.isBoolean(n), n.doubleValue.isFinite else {
        throw ChorusError(
          .config,
          "its '\(key)' is \(Self.describe(node)), not a number", file: folder, field: key,
          hint: "a sweep draws amplification against a numeric setting")
      }
      value = n.doubleValue
    }

    /// Objects are walked; any other value (lists too) is one leaf, as canonical JSON text.
    static func flatten(_ value: Any, prefix: String, into leaves: inout [String: String]) {
      if let object = value as? [String: Any] {
        for (k, v) in object {
          flatten(v, prefix: prefix.isEmpty ? k : prefix + "." + k, into: &leaves)
        }
      } else {
        leaves[prefix] = canonical(value)
      }
    }

    static func canonical(_ value: Any) -> String {
      if let n = value as? NSNumber, ConfigCoding.isBoolean(n) {
        return n.boolValue ? "true" : "false"
      }
      guard
        let data = try? JSONSerialization.data(
          withJSONObject: value, options: [.sortedKeys, .fragmentsAllowed])
      else { return "\(value)" }
      return String(decoding: data, as: UTF8.self)
    }

    static func describe(_ value: Any) -> String {
      if value is [String: Any] { return "an object" }
      if value is [Any] { return "a list" }
      let text = canonical(value)
      return text.count > 40 ? String(text.prefix(40)) + "…" : text
    }

    /// Refuses a study whose resolved spec differs from `first`'s anywhere but at `key` (and the
    /// ignored keys), or whose dataset content differs; names the first differing key in
    /// sorted order.
    func requireSameSpec(as first: Study, key: String) throws {
      let keys = Set(leaves.keys).union(first.leaves.keys).sorted()
      for k in keys where k != key && !k.hasPrefix(key + ".") {
        let top = String(k.prefix { $0 != "." })
        if ParameterSweep.ignoredKeys.contains(top) { continue }
        let (here, there) = (leaves[k], first.leaves[k])
        guard here != there else { continue }
        func shown(_ s: String?) -> String {
          guard let s else { return "absent" }
          return s.count > 40 ? String(s.prefix(40)) + "…" : s
        }
        throw ChorusError(
          .config,
          "its spec differs from that of \(first.folder) in '\(k)' (\(shown(here)) here, \(shown(there)) there), not only in '\(key)'",
          file: folder, field: k,
          hint:
            "give studies of one spec that differ only in the swept key (their names may differ)")
      }
      if datasetHash != first.datasetHash {
        throw ChorusError(
          .config,
          "its dataset's content (hash \(datasetHash)) differs from that of \(first.folder) (\(first.datasetHash))",
          file: folder, field: "dataset",
          hint: "give studies run on the same dataset")
      }
    }

    /// Every row of summary.csv.
    func summaryRows() throws -> [Row] {
      let path = folder + "/summary.csv"
      let table = try CSVTable.read(path: path)
      let names = [
        "strategy", "statistics", "size_kind", "size", "folds", "amplification",
        "amplification_ci",
      ]
      let c = names.map { table.column($0) }
      guard c.allSatisfy({ $0 != nil }) else {
        throw ChorusError(
          .data, "summary.csv lacks a column of \(names.joined(separator: ", "))", file: path,
          hint: "rebuild it with 'chorus merge' or run the study again")
      }
      let (s, st, sk, sz, fo, a, aci) = (c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!, c[6]!)
      let budget = table.column("budget")
      let copied = ParameterSweep.copiedColumns.map { table.column($0) }
      let perFold = try foldAmplifications()
      return try table.rows.enumerated().map { i, row in
        guard let size = row[sz].double, let folds = row[fo].double.flatMap(wholeCount) else {
          throw ChorusError(
            .data, "a row without its size or folds", file: path, line: i + 2,
            hint: "rebuild it with 'chorus merge' or run the study again")
        }
        return Row(
          folder: folder, value: value, strategy: row[s].string, statistics: row[st].string,
          sizeKind: row[sk].string, size: size, budget: budget.flatMap { row[$0].double } ?? .nan,
          folds: folds, amplification: row[a].double ?? .nan,
          amplificationCI: row[aci].double ?? .nan,
          copied: copied.map { c in c.map { row[$0] } ?? .empty },
          perFold: perFold[
            [row[s].string, row[st].string, row[sk].string, row[sz].string]] ?? [])
      }
    }

    /// runs.csv's amplification per strategy, statistics, size kind and size (as text), in
    /// fold order.
    func foldAmplifications() throws -> [[String]: [Double]] {
      let path = folder + "/runs.csv"
      let table = try CSVTable.read(path: path)
      let names = ["fold", "strategy", "statistics", "size_kind", "size", "amplification"]
      let c = names.map { table.column($0) }
      guard c.allSatisfy({ $0 != nil }) else {
        throw ChorusError(
          .data, "runs.csv lacks a column of \(names.joined(separator: ", "))", file: path,
          hint: "rebuild it with 'chorus merge' or run the study again")
      }
      var out: [[String]: [(fold: Double, value: Double)]] = [:]
      for row in table.rows {
        let key = [c[1]!, c[2]!, c[3]!, c[4]!].map { row[$0].string }
        out[key, default: []].append(
          (row[c[0]!].double ?? 0, row[c[5]!].double ?? .nan))
      }
      return out.mapValues { $0.sorted { $0.fold < $1.fold }.map(\.value) }
    }
  }

  /// `x` as a count (a whole number from 0 to 10^9), else nil: a damaged cell must not trap.
  static func wholeCount(_ x: Double) -> Int? {
    x >= 0 && x <= 1e9 && x == x.rounded() ? Int(x) : nil
  }

  /// A value as the spec holds it: whole numbers without a decimal point.
  public static func format(_ v: Double) -> String {
    v == v.rounded() && abs(v) < 1e15 ? String(Int(v)) : "\(v)"
  }

  /// A number, or an empty cell for NaN (as summary.csv writes a missing mean).
  static func cell(_ v: Double) -> CSVCell { v.isFinite ? .number(v) : .empty }

  static func valueCell(_ v: Double) -> CSVCell {
    v == v.rounded() && abs(v) < 1e15 ? .int(Int(v)) : .number(v)
  }

  /// The rows as a CSV table: the key's value (column named by the key), folder, the group
  /// columns, folds, amplification with its CI half-width and bounds, then `copiedColumns`.
  public static func table(_ sweep: Sweep) -> CSVTable {
    var t = CSVTable(
      header: [
        sweep.key, "folder", "strategy", "statistics", "size_kind", "size", "budget", "folds",
        "amplification", "amplification_ci", "amplification_lower", "amplification_upper",
      ] + copiedColumns)
    for r in sweep.rows {
      let m = MeasuredValue(mean: r.amplification, halfWidth: r.amplificationCI, folds: r.folds)
      let known = r.amplification.isFinite
      t.append(
        [
          valueCell(r.value), .text(SafeText.spreadsheetCell(r.folder)),
          .text(SafeText.spreadsheetCell(r.strategy)),
          .text(SafeText.spreadsheetCell(r.statistics)), .text(r.sizeKind), cell(r.size),
          cell(r.budget), .int(r.folds), cell(r.amplification), cell(r.amplificationCI),
          known ? cell(m.lower) : .empty, known ? cell(m.upper) : .empty,
        ] + r.copied)
    }
    return t
  }

  /// The size in words: "α = 0.0005 (10 playlists)" or "10 playlists".
  static func sizeLabel(kind: String, size: Double, budget: Double) -> String {
    if kind == "budget" { return counted(size, "playlist") }
    let b = budget.isFinite ? ", \(counted(budget, "playlist"))" : ""
    return "α = \(MeasuredValue.number(size, digits: 6))\(b)"
  }

  /// The series' name: the strategy, with the statistics source when it is not `full` or the
  /// sweep has several.
  static func seriesName(_ r: Row, severalStatistics: Bool) -> String {
    seriesName(strategy: r.strategy, statistics: r.statistics, severalStatistics: severalStatistics)
  }

  /// The same name from the strategy and statistics source.
  static func seriesName(strategy: String, statistics: String, severalStatistics: Bool) -> String {
    severalStatistics || statistics != "full" ? "\(strategy) (\(statistics))" : strategy
  }

  /// The rows as a Markdown table, by strategy and size, the values in order; numbers as
  /// `MeasuredValue` writes them. NDCG is the accuracy shown (every metric is in sweep.csv).
  public static func markdown(_ sweep: Sweep) -> String {
    let several = Set(sweep.rows.map(\.statistics)).count > 1
    let ndcgClean = copiedColumns.firstIndex(of: "ndcg_clean")!
    let ndcgWith = copiedColumns.firstIndex(of: "ndcg_with")!
    let recommendations = copiedColumns.firstIndex(of: "recommendations")!
    func measured(_ r: Row, _ i: Int) -> String {
      guard let v = r.copied[i].double else { return "n/a" }
      return MeasuredValue(mean: v, halfWidth: r.copied[i + 1].double ?? .nan, folds: r.folds)
        .formatted()
    }
    var out =
      "| strategy | size | \(SafeText.markdown(sweep.key)) | amplification | recommendations of s* | clean ndcg | ndcg with the collective | folds |\n"
    out += "|---|---|---:|---:|---:|---:|---:|---:|\n"
    let series = orderedUnique(sweep.rows.map { seriesName($0, severalStatistics: several) })
    let sizes = orderedUnique(sweep.rows.map { "\($0.sizeKind) \($0.size)" })
    let order = sweep.rows.indices.sorted { i, j in
      let (a, b) = (sweep.rows[i], sweep.rows[j])
      let ka = (
        series.firstIndex(of: seriesName(a, severalStatistics: several))!,
        sizes.firstIndex(of: "\(a.sizeKind) \(a.size)")!
      )
      let kb = (
        series.firstIndex(of: seriesName(b, severalStatistics: several))!,
        sizes.firstIndex(of: "\(b.sizeKind) \(b.size)")!
      )
      return (ka.0, ka.1, a.value, i) < (kb.0, kb.1, b.value, j)
    }
    for r in order.map({ sweep.rows[$0] }) {
      out +=
        "| \(SafeText.markdown(seriesName(r, severalStatistics: several))) | "
        + SafeText.markdown(sizeLabel(kind: r.sizeKind, size: r.size, budget: r.budget))
        + " | \(format(r.value)) | "
        + MeasuredValue(mean: r.amplification, halfWidth: r.amplificationCI, folds: r.folds)
        .formatted() + " | \(measured(r, recommendations)) | \(measured(r, ndcgClean)) | "
        + "\(measured(r, ndcgWith)) | \(r.folds) |\n"
    }
    return out
  }

  static func orderedUnique(_ xs: [String]) -> [String] {
    var seen = Set<String>()
    return xs.filter { seen.insert($0).inserted }
  }

  /// How far right of its strategy's marker the single folds' dots sit, in pixels.
  public static let dotsShift = 7.0

  /// The figure: amplification against the key's value, one line (markers with 95% CI
  /// whiskers) per strategy, one panel per collective size, a dashed line at 1.
  public static func figure(_ sweep: Sweep) -> PanelFigure {
    let several = Set(sweep.rows.map(\.statistics)).count > 1
    let series = orderedUnique(sweep.rows.map { seriesName($0, severalStatistics: several) })
    struct Size: Equatable {
      var kind: String
      var size: Double
    }
    var sizes: [Size] = []
    for r in sweep.rows where !sizes.contains(Size(kind: r.sizeKind, size: r.size)) {
      sizes.append(Size(kind: r.sizeKind, size: r.size))
    }
    sizes.sort { ($0.kind, $0.size) < ($1.kind, $1.size) }
    let values = sweep.values
    let (low, high) = (values.min()!, values.max()!)
    let pad = max(high - low, 1e-9) * 0.05
    let n = Double(series.count)
    let folds = Set(sweep.rows.map(\.folds)).sorted()
    let charts = sizes.map { size -> LineChart in
      let mine = sweep.rows.filter { $0.sizeKind == size.kind && $0.size == size.size }
      let budgets = mine.map(\.budget).filter(\.isFinite)
      var chart = LineChart(
        title: sizeLabel(kind: size.kind, size: size.size, budget: budgets.first ?? .nan),
        xLabel: sweep.key, yLabel: "amplification of s*",
        series: series.enumerated().flatMap { i, name -> [ChartSeries] in
          let rows = mine.filter { seriesName($0, severalStatistics: several) == name }
          let pts = rows.map { (x: $0.value, y: $0.amplification, ci: $0.amplificationCI) }
          guard !pts.isEmpty else { return [] }
          var s = ChartSeries(
            name: name, points: pts, style: .errorBars, colour: i % LineChart.palette.count)
          // Strategies share the x values: shift each a few pixels so no whisker hides another.
          s.dodge = (Double(i) - (n - 1) / 2) * 4
          // Each fold's own value as a faint dot behind: with few folds the spread says more
          // than the interval (which is cut at 0).
          var dots = ChartSeries(
            name: "\(name), single folds",
            points: rows.flatMap { r in r.perFold.map { (x: r.value, y: $0, ci: 0.0) } },
            style: .points, colour: i % LineChart.palette.count)
          dots.inLegend = false
          // Beside the whisker, not on it.
          dots.dodge = s.dodge + dotsShift
          return dots.points.isEmpty ? [s] : [s, dots]
        })
      chart.xRange = (low - pad)...(high + pad)
      if values.count <= 12 { chart.xTicks = values }
      chart.nonNegative = true
      chart.referenceY = (1, "ordinary song")
      if mine.contains(where: { !$0.perFold.isEmpty }) {
        chart.legendNotes = ["dots: single folds"]
      }
      chart.legendWidth = max(190, Double(series.map(\.count).max() ?? 0) * 6.7 + 50)
      return chart
    }
    var figure = PanelFigure(
      title: "Amplification against \(sweep.key)", panels: charts,
      columns: min(3, max(1, charts.count)))
    let foldText =
      folds.count == 1
      ? counted(Double(folds[0]), "fold") : "\(folds.map(String.init).joined(separator: "/")) folds"
    figure.caption = [
      "\(sweep.dataset), \(sweep.model): one marker per study, mean over \(foldText);",
      "whiskers 95% CIs (cut at 0)"
        + (sweep.rows.contains { !$0.perFold.isEmpty } ? "; faint dots: single folds." : "."),
      "The studies differ only in \(sweep.key).",
    ]
    return figure
  }
}
