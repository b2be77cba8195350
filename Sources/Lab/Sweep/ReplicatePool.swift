// Replicates of one study (`chorus replicates`): finished studies of one spec that differ only
// in a seed (by default the model's, `model.config.seed`, which `chorus run --set` changes
// without touching the split or the collectives), pooled per strategy × statistics × size.
// Within a fold the replicates differ only by training noise, so each fold's amplification is
// the mean over the replicates, and the interval is the lab's usual one over folds (mean ±
// 1.96 · SE of the fold means): it keeps the folds as the units, and averaging the replicates
// first takes the training noise out of each fold's value. Beside it: the spread between
// replicates within a fold (the training noise one seed per fold carries), each replicate's
// own mean ± CI, and how many fold × replicate runs gave s* anything. The checks (one spec,
// one dataset, distinct values) are the sweep's (ParameterSweep.load).
import ChorusCore
import Evaluation
import Foundation
import Reports

/// Pools replicates of one study.
public enum ReplicatePool {
  /// The default key: the model's seed.
  public static let defaultKey = "model.config.seed"

  /// One strategy × statistics × size, pooled over the replicates.
  public struct Row: Sendable, Equatable {
    public var strategy: String
    public var statistics: String
    public var sizeKind: String
    public var size: Double
    /// summary.csv's mean collective size in playlists (NaN when not recorded).
    public var budget: Double
    public var pooled: Pooled
    /// Each replicate's mean and CI half-width over folds (its summary.csv), in order of value.
    public var perReplicate: [MeanCI]
  }

  /// The numbers pooled from a folds × replicates table of amplifications.
  public struct Pooled: Sendable, Equatable {
    /// Mean ± 95% CI over folds of the per-fold means over replicates.
    public var amplification: MeanCI
    /// Per fold, the mean over replicates.
    public var foldMeans: [Double]
    /// √(mean over folds of the sample variance between replicates): the training noise of
    /// one run; NaN with one replicate.
    public var seedSD: Double
    /// Runs (fold × replicate) where the amplification is above 0, and all runs.
    public var runsAboveZero: Int
    public var runs: Int
  }

  /// Pools `values[r][f]`, the amplification of replicate r in fold f (every replicate has
  /// the same folds; NaN values are left out of their fold's mean and variance).
  public static func pool(_ values: [[Double]]) -> Pooled {
    let folds = values.map(\.count).max() ?? 0
    var foldMeans: [Double] = []
    var variances: [Double] = []
    var above = 0
    var runs = 0
    for f in 0..<folds {
      let xs = values.compactMap { f < $0.count ? $0[f] : nil }.filter { !$0.isNaN }
      runs += xs.count
      above += xs.filter { $0 > 0 }.count
      guard !xs.isEmpty else { continue }
      let mean = xs.reduce(0, +) / Double(xs.count)
      foldMeans.append(mean)
      if xs.count > 1 {
        variances.append(
          xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(xs.count - 1))
      }
    }
    let seedSD =
      variances.isEmpty ? .nan : (variances.reduce(0, +) / Double(variances.count)).squareRoot()
    return Pooled(
      amplification: MeanCI(foldMeans), foldMeans: foldMeans, seedSD: seedSD,
      runsAboveZero: above, runs: runs)
  }

  /// One collective of one setting of a study with a `collectives` block (collectives.csv),
  /// pooled over the replicates.
  public struct CollectiveRow: Sendable, Equatable {
    public var setting: String
    /// The collective's number in its setting (1-based, as collectives.csv).
    public var collective: Int
    public var target: String
    public var strategy: String
    public var budget: Double
    /// The fold numbers, in the order of the pooled fold means.
    public var folds: [Int]
    public var alone: Pooled
    public var together: Pooled
    /// together − alone (collectives.csv's `interference`), pooled.
    public var interference: Pooled
    /// Each replicate's mean interference over folds, in order of value.
    public var perReplicateInterference: [Double]
  }

  /// A loaded pool.
  public struct Pool: Sendable, Equatable {
    public var sweep: ParameterSweep.Sweep
    public var rows: [Row]
    /// One row per setting × collective when the studies have a `collectives` block, else
    /// empty.
    public var collectives: [CollectiveRow] = []
  }

  /// Reads the studies (at least two; the checks of `ParameterSweep.load`) and pools them.
  /// - Throws: as `ParameterSweep.load`; `.data` when a study lacks a row or a fold another
  ///   has.
  public static func load(folders: [String], key: String = defaultKey) throws -> Pool {
    let sweep = try ParameterSweep.load(folders: folders, key: key)
    struct Cell: Hashable {
      var strategy, statistics, sizeKind: String
      var size: Double
    }
    func cell(_ r: ParameterSweep.Row) -> Cell {
      Cell(strategy: r.strategy, statistics: r.statistics, sizeKind: r.sizeKind, size: r.size)
    }
    let first = sweep.folders[0]
    let cells = sweep.rows.filter { $0.folder == first }
    var rows: [Row] = []
    for c in cells {
      let mine = sweep.rows.filter { cell($0) == cell(c) }
      for folder in sweep.folders where !mine.contains(where: { $0.folder == folder }) {
        throw ChorusError(
          .data, "its summary.csv has no row for \(c.strategy) at \(c.sizeKind) \(c.size)",
          file: folder + "/summary.csv",
          hint: "give finished studies of one spec (they differ only in \(key))")
      }
      for r in mine where r.perFold.count != c.perFold.count {
        throw ChorusError(
          .data,
          "its runs.csv has \(r.perFold.count) folds for \(c.strategy) at \(c.sizeKind) \(c.size), \(first) has \(c.perFold.count)",
          file: r.folder + "/runs.csv",
          hint: "give finished studies of one spec (they differ only in \(key))")
      }
      rows.append(
        Row(
          strategy: c.strategy, statistics: c.statistics, sizeKind: c.sizeKind, size: c.size,
          budget: c.budget, pooled: pool(mine.map(\.perFold)),
          perReplicate: mine.map {
            MeanCI(mean: $0.amplification, halfWidth: $0.amplificationCI, count: $0.folds)
          }))
    }
    return Pool(
      sweep: sweep, rows: rows, collectives: try collectiveRows(folders: sweep.folders, key: key))
  }

  /// collectives.csv of every study, pooled per setting × collective: [] when no study has
  /// the file.
  /// - Throws: `.data` naming the file when only some studies have it, when it lacks a column,
  ///   or when a study lacks a setting × collective × fold the first one has.
  static func collectiveRows(folders: [String], key: String) throws -> [CollectiveRow] {
    let paths = folders.map { $0 + "/collectives.csv" }
    let present = paths.map { FileManager.default.fileExists(atPath: $0) }
    guard present.contains(true) else { return [] }
    let hint = "give finished studies of one spec (they differ only in \(key))"
    if let missing = present.firstIndex(of: false) {
      let having = folders[present.firstIndex(of: true)!]
      throw ChorusError(
        .data, "there is no collectives.csv, but \(having) has one", file: folders[missing],
        hint: hint)
    }
    struct Key: Hashable {
      var setting: String
      var collective: Int
    }
    struct Measured {
      var target = "", strategy = "", budget = Double.nan
      /// fold → (alone, together, interference)
      var byFold: [Int: (Double, Double, Double)] = [:]
    }
    var tables: [(order: [Key], rows: [Key: Measured])] = []
    for path in paths {
      let table = try CSVTable.read(path: path)
      let names = [
        "fold", "setting", "collective", "target", "strategy", "budget", "amplification_alone",
        "amplification_together", "interference",
      ]
      let c = names.map { table.column($0) }
      guard c.allSatisfy({ $0 != nil }) else {
        throw ChorusError(
          .data, "collectives.csv lacks a column of \(names.joined(separator: ", "))",
          file: path, hint: "rebuild it with 'chorus merge' or run the study again")
      }
      let c0 = c.map { $0! }
      var order: [Key] = []
      var rows: [Key: Measured] = [:]
      for (i, row) in table.rows.enumerated() {
        let whole = ParameterSweep.wholeCount
        guard let fold = row[c0[0]].double.flatMap(whole),
          let number = row[c0[2]].double.flatMap(whole)
        else {
          throw ChorusError(
            .data, "a row without a whole fold or collective number", file: path, line: i + 2,
            hint: "rebuild it with 'chorus merge' or run the study again")
        }
        let k = Key(setting: row[c0[1]].string, collective: number)
        if rows[k] == nil {
          order.append(k)
          rows[k] = Measured(
            target: row[c0[3]].string, strategy: row[c0[4]].string,
            budget: row[c0[5]].double ?? .nan)
        }
        rows[k]!.byFold[fold] = (
          row[c0[6]].double ?? .nan, row[c0[7]].double ?? .nan, row[c0[8]].double ?? .nan
        )
      }
      tables.append((order, rows))
    }
    let first = tables[0]
    var out: [CollectiveRow] = []
    for k in first.order {
      let m = first.rows[k]!
      let folds = m.byFold.keys.sorted()
      var values: [[(Double, Double, Double)]] = []
      for (t, path) in zip(tables, paths) {
        let theirs = t.rows[k]?.byFold.keys.sorted() ?? []
        guard theirs == folds, let mine = t.rows[k] else {
          func shown(_ f: [Int]) -> String {
            f.isEmpty ? "none" : f.map(String.init).joined(separator: " ")
          }
          throw ChorusError(
            .data,
            "setting '\(k.setting)' collective \(k.collective) has folds \(shown(theirs)) here, \(shown(folds)) in \(paths[0])",
            file: path, hint: hint)
        }
        values.append(folds.map { mine.byFold[$0]! })
      }
      let interference = values.map { $0.map(\.2) }
      out.append(
        CollectiveRow(
          setting: k.setting, collective: k.collective, target: m.target, strategy: m.strategy,
          budget: m.budget, folds: folds, alone: pool(values.map { $0.map(\.0) }),
          together: pool(values.map { $0.map(\.1) }), interference: pool(interference),
          perReplicateInterference: interference.map { MeanCI($0.filter { !$0.isNaN }).mean }))
    }
    return out
  }

  /// Numbers joined by spaces, as `MeasuredValue` writes them.
  static func joined(_ xs: [Double]) -> String {
    xs.map { MeasuredValue.number($0, digits: 4) }.joined(separator: " ")
  }

  /// replicates.csv: one row per strategy × statistics × size.
  public static func table(_ pool: Pool) -> CSVTable {
    var t = CSVTable(header: [
      "strategy", "statistics", "size_kind", "size", "budget", "folds", "replicates", "key",
      "values", "amplification", "amplification_ci", "amplification_lower",
      "amplification_upper", "fold_means", "seed_sd", "runs_above_zero", "runs",
      "replicate_amplification", "replicate_amplification_ci",
    ])
    let cell = ParameterSweep.cell
    for r in pool.rows {
      let a = r.pooled.amplification
      t.append([
        .text(SafeText.spreadsheetCell(r.strategy)), .text(SafeText.spreadsheetCell(r.statistics)),
        .text(r.sizeKind), cell(r.size), cell(r.budget), .int(r.pooled.foldMeans.count),
        .int(r.perReplicate.count), .text(SafeText.spreadsheetCell(pool.sweep.key)),
        .text(pool.sweep.values.map(ParameterSweep.format).joined(separator: " ")),
        cell(a.mean), cell(a.halfWidth), cell(a.lower), cell(a.upper),
        .text(joined(r.pooled.foldMeans)), cell(r.pooled.seedSD), .int(r.pooled.runsAboveZero),
        .int(r.pooled.runs), .text(joined(r.perReplicate.map(\.mean))),
        .text(joined(r.perReplicate.map(\.halfWidth))),
      ])
    }
    return t
  }

  /// replicates-collectives.csv: one row per setting × collective (studies with a
  /// `collectives` block).
  public static func collectivesTable(_ pool: Pool) -> CSVTable {
    var header = [
      "setting", "collective", "target", "strategy", "budget", "folds", "replicates", "key",
      "values",
    ]
    for m in ["alone", "together", "interference"] {
      header += [m, m + "_ci", m + "_lower", m + "_upper", m + "_fold_means", m + "_seed_sd"]
    }
    header += ["replicate_interference"]
    var t = CSVTable(header: header)
    let cell = ParameterSweep.cell
    for r in pool.collectives {
      var row: [CSVCell] = [
        .text(SafeText.spreadsheetCell(r.setting)), .int(r.collective),
        .text(SafeText.spreadsheetCell(r.target)), .text(SafeText.spreadsheetCell(r.strategy)),
        cell(r.budget), .int(r.folds.count), .int(r.perReplicateInterference.count),
        .text(SafeText.spreadsheetCell(pool.sweep.key)),
        .text(pool.sweep.values.map(ParameterSweep.format).joined(separator: " ")),
      ]
      for p in [r.alone, r.together, r.interference] {
        let a = p.amplification
        row += [
          cell(a.mean), cell(a.halfWidth), cell(a.lower), cell(a.upper),
          .text(joined(p.foldMeans)), cell(p.seedSD),
        ]
      }
      row.append(.text(joined(r.perReplicateInterference)))
      t.append(row)
    }
    return t
  }

  /// The pool as a Markdown table.
  public static func markdown(_ pool: Pool) -> String {
    let several = Set(pool.rows.map(\.statistics)).count > 1
    var out =
      "| strategy | size | amplification, pooled (mean ± 95% CI over folds) | per fold | each replicate (mean ± CI over folds) | SD between replicates within a fold | runs with s* recommended |\n"
    out += "|---|---|---:|---|---|---:|---:|\n"
    for r in pool.rows {
      let name = ParameterSweep.seriesName(
        strategy: r.strategy, statistics: r.statistics, severalStatistics: several)
      let a = r.pooled.amplification
      let each = r.perReplicate.map {
        MeasuredValue(mean: $0.mean, halfWidth: $0.halfWidth, folds: $0.count).formatted()
      }
      out +=
        "| \(SafeText.markdown(name)) | "
        + SafeText.markdown(
          ParameterSweep.sizeLabel(kind: r.sizeKind, size: r.size, budget: r.budget))
        + " | "
        + MeasuredValue(mean: a.mean, halfWidth: a.halfWidth, folds: a.count).formatted()
        + " | \(joined(r.pooled.foldMeans)) | \(each.joined(separator: " · ")) | "
        + (r.pooled.seedSD.isFinite ? MeasuredValue.number(r.pooled.seedSD, digits: 3) : "n/a")
        + " | \(r.pooled.runsAboveZero) of \(r.pooled.runs) |\n"
    }
    if !pool.collectives.isEmpty { out += "\n" + collectivesMarkdown(pool) }
    return out
  }

  /// The collectives' rows as a Markdown table: alone, together and interference pooled,
  /// interference per fold, its SD between replicates and each replicate's mean.
  static func collectivesMarkdown(_ pool: Pool) -> String {
    var out =
      "Several collectives at once (collectives.csv), amplification with each collective's own B:\n\n"
    out +=
      "| setting | # | song (strategy, B) | alone, pooled | together, pooled | interference (together − alone), pooled | interference per fold | SD between replicates within a fold (interference) | each replicate's interference (mean over folds) |\n"
    out += "|---|---:|---|---:|---:|---:|---|---:|---|\n"
    func shown(_ p: Pooled) -> String {
      let a = p.amplification
      return MeasuredValue(mean: a.mean, halfWidth: a.halfWidth, folds: a.count).formatted()
    }
    for r in pool.collectives {
      let sd = r.interference.seedSD
      out +=
        "| \(SafeText.markdown(r.setting)) | \(r.collective) | "
        + "\(SafeText.markdown(r.target)) (\(SafeText.markdown(r.strategy)), B = "
        + "\(ParameterSweep.format(r.budget))) | \(shown(r.alone)) | \(shown(r.together)) | \(shown(r.interference)) | "
        + "\(joined(r.interference.foldMeans)) | "
        + (sd.isFinite ? MeasuredValue.number(sd, digits: 3) : "n/a")
        + " | \(joined(r.perReplicateInterference)) |\n"
    }
    return out
  }
}
