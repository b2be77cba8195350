// The defence frontier (`chorus frontier`): finished studies of one spec, each run behind a
// different platform defence, read back as one point per strategy and defence — what is left
// of the collective's amplification, and the accuracy the defence costs honest users (the
// clean model's accuracy with the defence minus without it, per fold, mean ± 95% CI).
// A re-ranking study records its own undefended accuracy; a filtering detection stage changes
// the clean model, so its cost is measured against a study without defence (`baseline`).
import ChorusCore
import Evaluation
import Foundation
import Reports

/// Reads defended studies into frontier points.
public enum DefenceFrontier {
  /// One strategy behind one defence.
  public struct Point: Sendable, Equatable {
    /// The results folder.
    public var folder: String
    /// The defence in words ("none", "detection 1% (filter)", "detection 1% (filter tracks)",
    /// a re-ranker's label).
    public var defence: String
    public var strategy: String
    /// Folds behind the numbers.
    public var folds: Int
    /// Mean amplification over folds and the half-width of its 95% CI.
    public var amplification: Double
    public var amplificationCI: Double
    /// Accuracy lost by honest users (positive = worse), mean over folds and 95% CI.
    public var accuracyLost: Double
    public var accuracyLostCI: Double
  }

  /// Metrics for which a smaller value is better (the loss is then defended − undefended).
  static let smallerIsBetter: Set<String> = ["clicks"]

  /// Reads every folder (and the baseline) into points, in folder order and, within a folder,
  /// in the order of its summary.csv.
  /// - Parameters:
  ///   - folders: finished results folders of studies that differ only in their defence.
  ///   - baseline: a finished study without defence, for the cost of detection filtering (and
  ///     the point "none" when it is not among `folders`).
  ///   - metric: a column of clean-accuracy.csv (`PlaylistMetrics.names`).
  ///   - size: which collective size (as in summary.csv) when the studies have several.
  /// - Throws: `ChorusError` naming the folder when it is incomplete, has several sizes or
  ///   statistics sources and no choice was given, needs a baseline that is missing, or does
  ///   not match the baseline's dataset, split, model or K.
  public static func load(
    folders: [String], baseline: String?, metric: String, size: Double?
  ) throws -> [Point] {
    guard PlaylistMetrics.names.contains(metric) else {
      throw ChorusError(
        .usage, "unknown accuracy metric '\(metric)'", field: "metric",
        hint: "choose from \(PlaylistMetrics.names.joined(separator: ", "))")
    }
    guard !folders.isEmpty else {
      throw ChorusError(.usage, "give at least one results folder", field: "folders")
    }
    let base = try baseline.map { try Study(folder: $0) }
    if let base, base.spec.detection?.filter == true || base.spec.reranking != nil {
      throw ChorusError(
        .config, "the baseline has a defence (\(base.defence))", file: base.folder,
        field: "baseline", hint: "give the study without detection filtering or re-ranking")
    }
    var studies = try folders.map { try Study(folder: $0) }
    if let base { for study in studies { try study.requireComparable(to: base) } }
    // The baseline's strategies that no defended study ran are left out.
    var onlyStrategies: Set<String>? = nil
    if let base, !studies.contains(where: { $0.folder == base.folder }) {
      onlyStrategies = Set(try studies.flatMap { try $0.summaryRows(size: size).map(\.strategy) })
      studies.insert(base, at: 0)
    }
    var points: [Point] = []
    for (i, study) in studies.enumerated() {
      let lost = try study.accuracyLost(metric: metric, baseline: base)
      let ci = MeanCI(lost)
      for row in try study.summaryRows(size: size)
      where i > 0 || onlyStrategies?.contains(row.strategy) ?? true {
        points.append(
          Point(
            folder: study.folder, defence: study.defence, strategy: row.strategy,
            folds: row.folds, amplification: row.amplification,
            amplificationCI: row.amplificationCI, accuracyLost: ci.mean,
            accuracyLostCI: ci.halfWidth))
      }
    }
    return points
  }

  /// One finished study.
  struct Study {
    let folder: String
    let spec: ExperimentSpec
    let datasetHash: String

    init(folder: String) throws {
      try ResultsFolder.requireComplete(folder)
      let path = folder + "/spec.resolved.json"
      let (resolved, hash) = try ResultsStore.readResolvedWithDataset(folder: folder)
      do {
        self.spec = try ExperimentSpec.decode(resolved.spec)
      } catch let e as ChorusError {
        throw ChorusError(
          .data, "its resolved spec is not valid: \(e.message)", file: path, field: e.field,
          hint: "run the study again with this version of chorus")
      }
      self.folder = folder
      datasetHash = hash
    }

    /// The defence in words.
    var defence: String {
      var parts: [String] = []
      if let d = spec.detection {
        parts.append(d.label)
      }
      if let r = spec.reranking { parts.append(r.label) }
      return parts.isEmpty ? "none" : parts.joined(separator: " + ")
    }

    /// Refuses a study that differs from the baseline in anything but its defence and its
    /// strategies, sizes and statistics (dataset, split, folds, model, K, target).
    func requireComparable(to base: Study) throws {
      func refuse(_ what: String) -> ChorusError {
        ChorusError(
          .config, "its \(what) differs from the baseline's (\(base.folder))", file: folder,
          hint: "compare studies of one spec that differ only in their defence")
      }
      if datasetHash != base.datasetHash { throw refuse("dataset") }
      if spec.split != base.spec.split || spec.foldList != base.spec.foldList {
        throw refuse("split")
      }
      if spec.model != base.spec.model { throw refuse("model") }
      if spec.k != base.spec.k { throw refuse("K") }
      if spec.target != base.spec.target { throw refuse("target") }
    }

    /// Per fold: the defended clean accuracy minus the undefended, signed so that positive
    /// means honest users lose.
    func accuracyLost(metric: String, baseline: Study?) throws -> [Double] {
      let sign = DefenceFrontier.smallerIsBetter.contains(metric) ? 1.0 : -1.0
      let clean = try cleanAccuracy(metric: metric)
      if spec.detection?.filter == true {
        // The clean model itself changed: compare with the study without defence.
        guard let baseline else {
          throw ChorusError(
            .usage,
            "this study filters with its detection stage; the accuracy without it is in a study without defence",
            file: folder, field: "baseline",
            hint: "give that study with --baseline DIR")
        }
        let undefended = try baseline.cleanAccuracy(metric: metric)
        return try spec.foldList.map { f in
          guard let a = clean[f], let b = undefended[f] else {
            throw ChorusError(
              .data, "fold \(f) is missing from clean-accuracy.csv here or in the baseline",
              file: folder)
          }
          return sign * (a - b)
        }
      }
      guard spec.reranking != nil else {
        return spec.foldList.map { _ in 0 }  // the clean model and lists are the undefended ones
      }
      // A re-ranking study records the honest users' cost per run (the same in every run of
      // a fold): defended clean − undefended clean.
      let runs = try CSVTable.read(path: folder + "/runs.csv")
      guard let fold = runs.column("fold"), let loss = runs.column("\(metric)_defence_loss")
      else {
        throw ChorusError(
          .data, "runs.csv has no column '\(metric)_defence_loss'", file: folder + "/runs.csv",
          hint: "run the study again with this version of chorus")
      }
      var byFold: [Int: Double] = [:]
      for row in runs.rows {
        if let f = row[fold].double, let v = row[loss].double, byFold[Int(f)] == nil {
          byFold[Int(f)] = v
        }
      }
      return try spec.foldList.map { f in
        guard let v = byFold[f] else {
          throw ChorusError(.data, "fold \(f) has no run in runs.csv", file: folder)
        }
        return sign * v
      }
    }

    /// Per fold: the clean model's overall `metric` (the "all" rows of clean-accuracy.csv).
    func cleanAccuracy(metric: String) throws -> [Int: Double] {
      let path = folder + "/clean-accuracy.csv"
      let table = try CSVTable.read(path: path)
      guard let fold = table.column("fold"), let length = table.column("seed_length"),
        let m = table.column(metric)
      else {
        throw ChorusError(
          .data, "clean-accuracy.csv lacks the fold, seed_length or \(metric) column",
          file: path, hint: "run the study again with this version of chorus")
      }
      var out: [Int: Double] = [:]
      for row in table.rows where row[length].string == "all" {
        if let f = row[fold].double, let v = row[m].double { out[Int(f)] = v }
      }
      return out
    }

    struct SummaryRow {
      var strategy: String
      var folds: Int
      var amplification: Double
      var amplificationCI: Double
    }

    /// summary.csv's rows at the chosen size (the only one when `size` is nil).
    func summaryRows(size: Double?) throws -> [SummaryRow] {
      let path = folder + "/summary.csv"
      let table = try CSVTable.read(path: path)
      let names = ["strategy", "statistics", "size", "folds", "amplification", "amplification_ci"]
      let c = names.map { table.column($0) }
      guard c.allSatisfy({ $0 != nil }) else {
        throw ChorusError(
          .data, "summary.csv lacks a column of \(names.joined(separator: ", "))", file: path,
          hint: "rebuild it with 'chorus merge' or run the study again")
      }
      let (s, st, sz, fo, a, aci) = (c[0]!, c[1]!, c[2]!, c[3]!, c[4]!, c[5]!)
      let sizes = Array(Set(table.rows.compactMap { $0[sz].double })).sorted()
      let statistics = Set(table.rows.map { $0[st].string })
      guard statistics.count == 1 else {
        throw ChorusError(
          .config, "the study has \(statistics.count) statistics sources", file: folder,
          hint: "the frontier compares one statistics source; run the studies with one")
      }
      let chosen: Double
      if let size {
        guard sizes.contains(size) else {
          throw ChorusError(
            .usage, "no collective size \(size) in this study", file: folder, field: "size",
            hint: "its sizes: \(sizes.map { "\($0)" }.joined(separator: ", "))")
        }
        chosen = size
      } else {
        guard sizes.count == 1 else {
          throw ChorusError(
            .usage, "the study has \(sizes.count) collective sizes", file: folder, field: "size",
            hint: "pick one with --size (\(sizes.map { "\($0)" }.joined(separator: ", ")))")
        }
        chosen = sizes[0]
      }
      return table.rows.filter { $0[sz].double == chosen }.map { row in
        SummaryRow(
          strategy: row[s].string, folds: Int(row[fo].double ?? 0),
          amplification: row[a].double ?? .nan, amplificationCI: row[aci].double ?? 0)
      }
    }
  }

  /// The points as a CSV table.
  public static func table(_ points: [Point], metric: String) -> CSVTable {
    var t = CSVTable(header: [
      "strategy", "defence", "folder", "folds", "amplification", "amplification_ci",
      "\(metric)_lost", "\(metric)_lost_ci",
    ])
    for p in points {
      t.append([
        .text(SafeText.spreadsheetCell(p.strategy)), .text(SafeText.spreadsheetCell(p.defence)),
        .text(SafeText.spreadsheetCell(p.folder)), .int(p.folds), .number(p.amplification),
        .number(p.amplificationCI), .number(p.accuracyLost), .number(p.accuracyLostCI),
      ])
    }
    return t
  }

  /// The points as a Markdown table, by strategy; values as `MeasuredValue` writes them (noise
  /// prints as 0, one fold has no interval).
  public static func markdown(_ points: [Point], metric: String) -> String {
    var out = "| strategy | defence | amplification | \(metric) lost by honest users | folds |\n"
    out += "|---|---|---:|---:|---:|\n"
    // By strategy, and within one in the order read (the baseline first).
    let order = points.indices.sorted {
      (points[$0].strategy, $0) < (points[$1].strategy, $1)
    }
    for p in order.map({ points[$0] }) {
      out +=
        "| \(SafeText.markdown(p.strategy)) | \(SafeText.markdown(p.defence)) | "
        + MeasuredValue(mean: p.amplification, halfWidth: p.amplificationCI, folds: p.folds)
        .formatted() + " | "
        + MeasuredValue(mean: p.accuracyLost, halfWidth: p.accuracyLostCI, folds: p.folds)
        .formatted() + " | \(p.folds) |\n"
    }
    return out
  }

  /// The figure: one panel per strategy, one marker (with both CIs) per defence.
  public static func figure(_ points: [Point], metric: String) -> PanelFigure {
    DefenceFrontierFigure(
      points: points.map {
        DefenceFrontierFigure.Point(
          panel: $0.strategy, series: $0.defence, x: $0.accuracyLost, y: $0.amplification,
          yCI: $0.amplificationCI, xCI: $0.accuracyLostCI)
      }, metric: metric
    ).figure()
  }
}
