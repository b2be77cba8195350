// The several-collectives records of a results folder (runs/collectives-f<fold>-c<setting>.json,
// written atomically as each setting finishes) and the two CSVs assembled from them in plan
// order: collectives.csv (one row per fold × setting × collective) and collectives-summary.csv
// (mean and 95% CI over folds). Studies without a `collectives` block write neither; studies
// whose collectives set `homogeneity` gain the columns homogeneity and member_similarity, and
// studies with a `detection` block the detector's ROC AUC, precision and recall against each
// collective's rewritten playlists alone and against all of the setting's together.
import ChorusCore
import Evaluation
import Foundation
import Reports

extension ResultsStore {
  /// The CSVs of the several-collectives part.
  static let collectivesFiles = ["collectives.csv", "collectives-summary.csv"]

  func collectivesPath(_ key: CollectivesKey) -> String { runsFolder + "/\(key.id).json" }

  /// Whether the record of `key` exists (records are only ever complete: written atomically).
  public func hasCollectivesRecord(_ key: CollectivesKey) -> Bool {
    FileManager.default.fileExists(atPath: collectivesPath(key))
  }

  /// Writes a setting's record atomically.
  public func writeCollectivesRecord(_ r: CollectivesRecord) throws {
    try FileIO.writeAtomically(try Self.encoder.encode(r), to: collectivesPath(r.key))
  }

  /// Reads a setting's record.
  /// - Throws: `ChorusError(.data)` naming the file when it cannot be read.
  public func readCollectivesRecord(_ key: CollectivesKey) throws -> CollectivesRecord {
    let path = collectivesPath(key)
    do {
      return try Self.decoder.decode(CollectivesRecord.self, from: try FileIO.read(path))
    } catch let e as DecodingError {
      throw ChorusError(
        .data, "unreadable collectives record: \(ConfigCoding.describe(e))", file: path,
        hint: "delete the file and run again with --resume")
    }
  }

  /// Whether every (fold, setting) of the spec has its record (true without the block).
  var collectivesComplete: Bool {
    CollectivesRunner.plan(spec).allSatisfy(hasCollectivesRecord)
  }

  /// The files the manifest lists for this spec's several-collectives part.
  var collectivesManifestFiles: [String] {
    spec.collectives == nil ? [] : Self.collectivesFiles
  }

  /// Writes collectives.csv and collectives-summary.csv (nothing without the block).
  func assembleCollectives() throws {
    let plan = CollectivesRunner.plan(spec)
    guard !plan.isEmpty else { return }
    let records = try plan.map { try readCollectivesRecord($0) }
    let id = [
      "setting", "memberships", "collective", "target", "strategy", "statistics", "size_kind",
      "size",
    ]
    let homogeneous = spec.collectives?.usesHomogeneity == true
    let detects = spec.detection != nil
    let measures =
      ["budget", "followers", "shared_playlists"]
      + (homogeneous ? ["member_similarity"] : [])
      + [
        "recommendations_alone", "recommendations_together", "amplification_alone",
        "amplification_together", "interference", "interference_pct",
      ]
      + (detects
        ? [
          "detect_auc_alone", "detect_precision_alone", "detect_recall_alone",
          "detect_auc_together", "detect_precision_together", "detect_recall_together",
        ] : [])
    /// The spec's settings of a collective: follow, and homogeneity when the study uses it.
    let settingsHeader = ["follow"] + (homogeneous ? ["homogeneity"] : [])
    func settingCells(_ c: CollectiveRow) -> [CSVCell] {
      [.number(c.follow)] + (homogeneous ? [.number(c.homogeneity ?? 0)] : [])
    }
    func idCells(_ r: CollectivesRecord, _ c: CollectiveRow) -> [CSVCell] {
      [
        .text(SafeText.spreadsheetCell(r.name)), .text(r.memberships.rawValue),
        .int(c.collective + 1), .text(SafeText.spreadsheetCell(c.target)), .text(c.strategy),
        .text(c.statistics), .text(c.size.kind), .number(c.size.value),
      ]
    }
    func values(_ c: CollectiveRow) -> [CSVCell] {
      [.int(c.budget), .int(c.followers), .int(c.shared)]
        + (homogeneous ? [c.memberSimilarity.map(CSVCell.number) ?? .empty] : [])
        + [
          .int(c.alone.recommendations), .int(c.together.recommendations),
          .number(c.alone.amplification), .number(c.together.amplification),
          .number(c.interference), .number(c.interferencePercent),
        ]
        + (detects
          ? [c.detectionAlone, c.detectionTogether].flatMap { d in
            [d?.rocAUC, d?.precision, d?.recall].map { Self.cell($0) }
          } : [])
    }
    var table = CSVTable(header: ["fold"] + id + settingsHeader + measures)
    for r in records {
      for c in r.rows {
        table.append([.int(r.key.fold)] + idCells(r, c) + settingCells(c) + values(c))
      }
    }
    try table.write(to: folder + "/collectives.csv")

    var header = id + settingsHeader + ["folds"]
    for m in measures { header += [m, m + "_ci"] }
    header.append("interference_pct_of_means")
    var summary = CSVTable(header: header)
    for (i, setting) in (spec.collectives?.settings ?? []).enumerated() {
      let mine = records.filter { $0.key.setting == i }
      for j in setting.collectives.indices {
        let rows = mine.map { $0.rows[j] }
        var line = idCells(mine[0], rows[0]) + settingCells(rows[0]) + [.int(rows.count)]
        for c in measures.indices {
          let xs = rows.compactMap { values($0)[c].double }.filter(\.isFinite)
          let ci = MeanCI(xs)
          line += xs.isEmpty ? [.empty, .empty] : [.number(ci.mean), .number(ci.halfWidth)]
        }
        let alone = MeanCI(rows.map(\.alone.amplification)).mean
        let together = MeanCI(rows.map(\.together.amplification)).mean
        line.append(alone > 0 ? .number(100 * (together - alone) / alone) : .empty)
        summary.append(line)
      }
    }
    try summary.write(to: folder + "/collectives-summary.csv")
  }
}
