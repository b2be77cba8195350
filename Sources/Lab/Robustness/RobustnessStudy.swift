// Which data makes a platform robust: finished studies of the same spec on several datasets are
// joined with each dataset's characteristics, and for every strategy × statistics × size the
// response (amplification by default) is regressed on them (OLS, standardised predictors, t CIs).
// Each study's dataset is reloaded from the path its resolved spec names and checked against the
// identity recorded there, so a changed or missing file is refused, never silently measured.
import ChorusCore
import Evaluation
import Foundation
import PlaylistData
import Reports

/// A robustness study over finished results folders.
public enum RobustnessStudy {
  /// One row of a folder's summary.csv with its dataset's characteristics.
  public struct Observation: Sendable, Equatable {
    /// The results folder.
    public var folder: String
    /// The dataset as the spec names it.
    public var dataset: String
    public var characteristics: DatasetCharacteristics
    /// The group: strategy, statistics source, how the size was given, and the size.
    public var strategy: String
    public var statistics: String
    public var sizeKind: String
    public var size: Double
    /// The response's mean over folds and the half-width of its 95% CI.
    public var response: Double
    public var responseCI: Double
  }

  /// One fitted group.
  public struct Fit: Sendable {
    public var strategy: String
    public var statistics: String
    public var sizeKind: String
    public var size: Double
    /// Datasets in the fit.
    public var datasets: Int
    /// The regression, or why there is none.
    public var result: Result<LinearRegression, LinearRegression.FitError>
    /// The same regression without each design in turn (first-appearance order; a design's
    /// draws are left out together; empty when the full fit failed): with a dozen datasets
    /// one design can carry a slope, and this shows which.
    public var leaveOneOut: [Refit] = []

    /// How a term fares without each design in turn.
    public struct TermStability: Sendable, Equatable {
      /// The coefficient's smallest and largest value over the refits that succeeded.
      public var minimum: Double
      public var maximum: Double
      /// Refits that succeeded, and those among them whose 95% CI excludes 0.
      public var refits: Int
      public var excludingZero: Int
      /// Designs whose removal leaves the term's CI covering 0 (or makes the fit fail).
      public var coversZeroWithout: [String]
    }

    /// Per term (intercept first), over `leaveOneOut`; nil when the full fit failed.
    public var stability: [TermStability]? {
      guard case .success(let full) = result else { return nil }
      return full.names.indices.map { j in
        var values: [Double] = []
        var excluding = 0
        var covers: [String] = []
        for r in leaveOneOut {
          guard case .success(let fit) = r.result else {
            covers.append(r.without)
            continue
          }
          let (b, h) = (fit.coefficients[j], fit.confidenceHalfWidths[j])
          values.append(b)
          if b - h > 0 || b + h < 0 { excluding += 1 } else { covers.append(r.without) }
        }
        return TermStability(
          minimum: values.min() ?? .nan, maximum: values.max() ?? .nan, refits: values.count,
          excludingZero: excluding, coversZeroWithout: covers)
      }
    }
  }

  /// One leave-one-out refit: the design left out (a folder, or the common path of a design's
  /// draws) and the fit without it.
  public struct Refit: Sendable {
    public var without: String
    public var result: Result<LinearRegression, LinearRegression.FitError>
  }

  /// Reads every folder's summary.csv and reloads its dataset.
  /// - Parameter response: a numeric column of summary.csv (e.g. `amplification`).
  /// - Throws: `ChorusError` naming the folder when it is incomplete, its dataset cannot be
  ///   loaded or is not the one the study ran on, or the response column is missing.
  public static func load(folders: [String], response: String) throws -> [Observation] {
    var characteristicsByHash: [String: DatasetCharacteristics] = [:]
    var out: [Observation] = []
    for folder in folders {
      try ResultsFolder.requireComplete(folder)
      let (datasetSpec, recordedHash) = try recordedDataset(folder)
      let characteristics: DatasetCharacteristics
      if let known = characteristicsByHash[recordedHash] {
        characteristics = known
      } else {
        let dataset: Dataset
        do {
          dataset = try DatasetSource(datasetSpec).load()
        } catch let e as ChorusError {
          throw ChorusError(
            e.kind, "cannot load the dataset '\(datasetSpec)' of this study: \(e.message)",
            file: folder,
            hint:
              "run 'chorus robustness' from the folder the study was run from (paths in the spec are relative to it)"
          )
        }
        let identity = DatasetIdentity(dataset)
        guard identity.hash == recordedHash else {
          throw ChorusError(
            .data,
            "the dataset '\(datasetSpec)' is not the one this study ran on (content hash \(identity.hash), recorded \(recordedHash))",
            file: folder, hint: "restore the original dataset file or run the study again")
        }
        characteristics = DatasetCharacteristics(dataset: dataset)
        characteristicsByHash[recordedHash] = characteristics
      }
      let table = try CSVTable.read(path: folder + "/summary.csv")
      guard let r = table.column(response) else {
        throw ChorusError(
          .config, "summary.csv has no column '\(response)'", file: folder + "/summary.csv",
          field: "response", hint: "name a numeric column of summary.csv, e.g. amplification")
      }
      let c = ["strategy", "statistics", "size_kind", "size"].map { table.column($0) }
      guard let s = c[0], let st = c[1], let sk = c[2], let sz = c[3] else {
        throw ChorusError(
          .data, "summary.csv lacks the strategy/statistics/size columns",
          file: folder + "/summary.csv",
          hint: "rebuild it with 'chorus merge' or run the study again")
      }
      let ci = table.column(response + "_ci")
      for row in table.rows {
        guard let size = row[sz].double, let value = row[r].double else { continue }
        out.append(
          Observation(
            folder: folder, dataset: datasetSpec, characteristics: characteristics,
            strategy: row[s].string, statistics: row[st].string, sizeKind: row[sk].string,
            size: size, response: value, responseCI: ci.flatMap { row[$0].double } ?? .nan))
      }
    }
    return out
  }

  /// The dataset string and content hash recorded in a folder's spec.resolved.json.
  static func recordedDataset(_ folder: String) throws -> (String, String) {
    let path = folder + "/spec.resolved.json"
    guard let data = try? FileIO.read(path),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let spec = object["spec"] as? [String: Any], let dataset = spec["dataset"] as? String,
      let identity = object["dataset"] as? [String: Any], let hash = identity["hash"] as? String
    else {
      throw ChorusError(
        .data, "spec.resolved.json does not name the dataset and its hash", file: path,
        hint: "run the study again with this version of chorus")
    }
    return (dataset, hash)
  }

  /// One regression per strategy × statistics × size over the datasets that have it.
  /// - Parameter predictors: names from `DatasetCharacteristics.names`.
  /// - Precondition: every predictor is a known characteristic.
  public static func fit(_ observations: [Observation], predictors: [String], standardize: Bool)
    -> [Fit]
  {
    precondition(predictors.allSatisfy { DatasetCharacteristics.names.contains($0) })
    struct Key: Hashable {
      var strategy, statistics, sizeKind: String
      var size: Double
    }
    var order: [Key] = []
    var groups: [Key: [Observation]] = [:]
    for o in observations {
      let key = Key(
        strategy: o.strategy, statistics: o.statistics, sizeKind: o.sizeKind, size: o.size)
      if groups[key] == nil { order.append(key) }
      groups[key, default: []].append(o)
    }
    func regress(_ group: [Observation]) -> Result<LinearRegression, LinearRegression.FitError> {
      let rows = group.map { o in predictors.map { o.characteristics.value($0)! } }
      do {
        return .success(
          try LinearRegression(
            rows: rows, y: group.map(\.response), names: predictors, standardize: standardize))
      } catch let e as LinearRegression.FitError {
        return .failure(e)
      } catch {
        preconditionFailure("LinearRegression throws only FitError")
      }
    }
    return order.map { key in
      let group = groups[key]!
      let result = regress(group)
      var fit = Fit(
        strategy: key.strategy, statistics: key.statistics, sizeKind: key.sizeKind,
        size: key.size, datasets: group.count, result: result)
      if case .success = result {
        // One refit per design: the draws of one design (folders that differ only in a
        // trailing -sK, as robustness-sweep.sh names them) are left out together, since
        // leaving out one draw keeps its twin.
        let designOf = group.map { design(of: $0.folder) }
        var designs: [String] = []
        for d in designOf where !designs.contains(d) { designs.append(d) }
        fit.leaveOneOut = designs.map { d in
          Refit(
            without: d,
            result: regress(zip(group, designOf).filter { $0.1 != d }.map(\.0)))
        }
      }
      return fit
    }
  }

  /// The design a results folder belongs to: its path without a trailing "-s" and digits
  /// (robustness-sweep.sh's name for another draw of the same design), else the path itself.
  static func design(of folder: String) -> String {
    var path = folder
    while path.count > 1 && path.hasSuffix("/") { path.removeLast() }
    guard let dash = path.range(of: "-s", options: .backwards) else { return path }
    let digits = path[dash.upperBound...]
    guard !digits.isEmpty, digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return path }
    return String(path[..<dash.lowerBound])
  }

  /// leave-one-out.csv: per group, term and left-out design (a folder, or the common path of a
  /// design's draws), the refitted coefficient and its CI half-width, or why the refit failed.
  public static func leaveOneOutTable(_ fits: [Fit]) -> CSVTable {
    var t = CSVTable(
      header: [
        "strategy", "statistics", "size_kind", "size", "without", "term", "coefficient", "ci",
        "problem",
      ])
    for f in fits {
      let group: [CSVCell] = [
        .text(f.strategy), .text(f.statistics), .text(f.sizeKind), .number(f.size),
      ]
      for r in f.leaveOneOut {
        let without = CSVCell.text(SafeText.spreadsheetCell(r.without))
        switch r.result {
        case .success(let fit):
          for j in fit.names.indices {
            t.append(
              group + [
                without, .text(fit.names[j]), .number(fit.coefficients[j]),
                .number(fit.confidenceHalfWidths[j]), .empty,
              ])
          }
        case .failure(let e):
          t.append(group + [without, .empty, .empty, .empty, .text(e.description)])
        }
      }
    }
    return t
  }

  /// Pearson correlations between the predictors over the distinct datasets of `observations`
  /// (row-major, predictors × predictors). Near ±1 means the regression cannot tell the two apart.
  /// - Precondition: every predictor is a known characteristic.
  public static func predictorCorrelations(_ observations: [Observation], predictors: [String])
    -> [[Double]]
  {
    var seen = Set<String>()
    var rows: [[Double]] = []
    for o in observations where seen.insert(o.folder).inserted {
      rows.append(predictors.map { o.characteristics.value($0)! })
    }
    let n = Double(rows.count)
    let columns = predictors.indices.map { j in rows.map { $0[j] } }
    let means = columns.map { $0.reduce(0, +) / n }
    return predictors.indices.map { a in
      predictors.indices.map { b in
        var sab = 0.0
        var saa = 0.0
        var sbb = 0.0
        for i in rows.indices {
          let x = columns[a][i] - means[a]
          let y = columns[b][i] - means[b]
          sab += x * y
          saa += x * x
          sbb += y * y
        }
        return saa > 0 && sbb > 0 ? sab / (saa * sbb).squareRoot() : .nan
      }
    }
  }

  /// observations.csv: folder, dataset, every characteristic, the group and the response.
  public static func observationsTable(_ observations: [Observation], response: String)
    -> CSVTable
  {
    var t = CSVTable(
      header: ["folder", "dataset"] + DatasetCharacteristics.names
        + ["strategy", "statistics", "size_kind", "size", response, response + "_ci"])
    for o in observations {
      t.append(
        [
          .text(SafeText.spreadsheetCell(o.folder)), .text(SafeText.spreadsheetCell(o.dataset)),
        ] + o.characteristics.values.map { .number($0) }
          + [
            .text(o.strategy), .text(o.statistics), .text(o.sizeKind), .number(o.size),
            .number(o.response), .number(o.responseCI),
          ])
    }
    return t
  }

  /// coefficients.csv: one row per group and term (intercept first), with SE, the CI half-width,
  /// R², datasets, and the reason when a group could not be fitted.
  public static func coefficientsTable(_ fits: [Fit]) -> CSVTable {
    var t = CSVTable(
      header: [
        "strategy", "statistics", "size_kind", "size", "term", "coefficient", "standard_error",
        "ci", "r_squared", "datasets", "problem",
      ])
    for f in fits {
      let group: [CSVCell] = [
        .text(f.strategy), .text(f.statistics), .text(f.sizeKind), .number(f.size),
      ]
      switch f.result {
      case .success(let r):
        for j in r.names.indices {
          t.append(
            group + [
              .text(r.names[j]), .number(r.coefficients[j]), .number(r.standardErrors[j]),
              .number(r.confidenceHalfWidths[j]), .number(r.rSquared), .int(f.datasets), .empty,
            ])
        }
      case .failure(let e):
        t.append(
          group + [.empty, .empty, .empty, .empty, .empty, .int(f.datasets), .text(e.description)])
      }
    }
    return t
  }

  /// "−7.58 … −5.93; CI excludes 0 in 12 of 12". Where the full fit's CI excludes 0 and a few
  /// refits' do not, it names the left-out designs (last path component) that carry the term.
  /// - Parameter designs: refits attempted (one per design), failed ones included.
  static func stabilityText(_ s: Fit.TermStability, of designs: Int, fullExcludesZero: Bool)
    -> String
  {
    guard s.refits > 0 else { return "no refit succeeded" }
    var text = String(
      format: "%.4g … %.4g; CI excludes 0 in %d of %d", s.minimum, s.maximum,
      s.excludingZero, designs)
    if fullExcludesZero && !s.coversZeroWithout.isEmpty
      && s.coversZeroWithout.count * 2 <= designs
    {
      let names = s.coversZeroWithout.map { URL(fileURLWithPath: $0).lastPathComponent }
      text += " (covers 0 without " + SafeText.markdown(names.joined(separator: ", ")) + ")"
    }
    return text
  }

  /// A markdown table per group: term, coefficient ± CI, whether the CI excludes 0, and how the
  /// coefficient moves when each design in turn is left out.
  public static func markdown(_ fits: [Fit], response: String, standardized: Bool) -> String {
    var out = ""
    for f in fits {
      let size = f.sizeKind == "budget" ? "\(Int(f.size)) playlists" : "α = \(f.size)"
      out +=
        "### \(SafeText.markdown(f.strategy)) (\(SafeText.markdown(f.statistics)), \(size)): \(response), \(f.datasets) datasets\n\n"
      switch f.result {
      case .success(let r):
        out +=
          "| term | coefficient\(standardized ? " per SD" : "") | 95% CI | CI excludes 0 | without any one design |\n|---|---:|---:|---|---|\n"
        let stability = f.stability ?? []
        for j in r.names.indices {
          let lo = r.coefficients[j] - r.confidenceHalfWidths[j]
          let hi = r.coefficients[j] + r.confidenceHalfWidths[j]
          out += String(
            format: "| %@ | %.4g | [%.4g, %.4g] | %@ | %@ |\n", r.names[j], r.coefficients[j], lo,
            hi, lo > 0 || hi < 0 ? "yes" : "no",
            j < stability.count
              ? stabilityText(
                stability[j], of: f.leaveOneOut.count, fullExcludesZero: lo > 0 || hi < 0)
              : "")
        }
        out += String(
          format: "\nR² %.3f, %d residual degrees of freedom.\n\n", r.rSquared,
          r.residualDegreesOfFreedom)
      case .failure(let e):
        out += "not fitted: \(e.description)\n\n"
      }
    }
    return out
  }
}
