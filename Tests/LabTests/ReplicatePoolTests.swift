// Replicates of one study pooled (`chorus replicates`): the pooling on a hand-computed table,
// every pooled row equal to the fold means of the studies' runs.csv, replicates.csv's cells,
// and a folder of another spec refused naming the key that differs.
import ChorusCore
import ChorusTestSupport
import Evaluation
import Foundation
import Lab
import PlaylistData
import Recommenders
import Reports
import Testing

@Suite(.serialized) struct ReplicatePoolTests {
  /// One spec (`runSmallEmbeddingStudies`, 2 epochs) run at model seeds 2, 0 and 1, made
  /// once.
  final class Studies: @unchecked Sendable {
    let dir = TemporaryDirectory()
    let seeds = [2, 0, 1]
    var folders: [String] { seeds.map { dir.file("seed-\($0)") } }

    init() throws {
      // Two DirLoF collectives of 10 in disjoint playlists, for collectives.csv.
      let pair = CollectivesStudy(settings: [
        CollectiveSetting(
          name: "pair",
          collectives: [
            CollectiveGroup(target: "chorus:target:0", strategy: .dirLoF, size: .budget(10)),
            CollectiveGroup(target: "chorus:target:1", strategy: .dirLoF, size: .budget(10)),
          ])
      ])
      try runSmallEmbeddingStudies(
        in: dir, seeds.map { ("seed-\($0)", ["epochs": 2, "seed": $0]) }, collectives: pair)
    }
  }
  static let studies = Result { try Studies() }

  @Test func poolingByHand() {
    // Two replicates, three folds: fold means 2, 3, 4; variance between the two in each
    // fold ((1 − 2)² + (3 − 2)²) / 1 = 2.
    let p = ReplicatePool.pool([[1, 2, 3], [3, 4, 5]])
    #expect(p.foldMeans == [2, 3, 4])
    #expect(p.amplification.mean == 3)
    #expect(abs(p.amplification.halfWidth - 1.96 / 3.0.squareRoot()) < 1e-12)
    #expect(abs(p.seedSD - 2.0.squareRoot()) < 1e-12)
    #expect(p.runsAboveZero == 6 && p.runs == 6)
    // A missing value (NaN) is left out of its fold; a fold with one value has no variance.
    let q = ReplicatePool.pool([[0, 2], [0, .nan]])
    #expect(q.foldMeans == [0, 2])
    #expect(q.seedSD == 0)
    #expect(q.runsAboveZero == 1 && q.runs == 3)
    // One replicate: no spread between replicates.
    #expect(ReplicatePool.pool([[1, 2]]).seedSD.isNaN)
  }

  /// runs.csv's amplification per strategy and fold.
  func perFold(_ folder: String) throws -> [String: [Double]] {
    let t = try CSVTable.read(path: folder + "/runs.csv")
    let (s, f, a) = (t.column("strategy")!, t.column("fold")!, t.column("amplification")!)
    var out: [String: [(Double, Double)]] = [:]
    for row in t.rows {
      out[row[s].string, default: []].append((row[f].double!, row[a].double ?? .nan))
    }
    return out.mapValues { $0.sorted { $0.0 < $1.0 }.map(\.1) }
  }

  @Test func pooledRowsAreTheFoldMeansOfTheStudies() throws {
    let s = try Self.studies.get()
    let pool = try ReplicatePool.load(folders: s.folders)
    #expect(pool.sweep.values == [0, 1, 2])
    // The seeds changed training: the runs differ between replicates.
    let bySeed = try [0, 1, 2].map { try perFold(s.dir.file("seed-\($0)")) }
    let runsFiles = try [0, 1, 2].map { try FileIO.read(s.dir.file("seed-\($0)/runs.csv")) }
    #expect(runsFiles[0] != runsFiles[1] || runsFiles[0] != runsFiles[2])
    #expect(pool.rows.map(\.strategy) == ["dirlof", "random"])
    for row in pool.rows {
      let table = bySeed.map { $0[row.strategy]! }
      #expect(table.allSatisfy { $0.count == 3 })
      let means = (0..<3).map { f in (table[0][f] + table[1][f] + table[2][f]) / 3 }
      #expect(row.pooled.foldMeans == means)
      let mean = means.reduce(0, +) / 3
      let sd = (means.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 2).squareRoot()
      #expect(abs(row.pooled.amplification.mean - mean) < 1e-12)
      #expect(abs(row.pooled.amplification.halfWidth - 1.96 * sd / 3.0.squareRoot()) < 1e-12)
      #expect(row.pooled.runs == 9)
      #expect(row.pooled.runsAboveZero == table.joined().filter { $0 > 0 }.count)
      // Each replicate's own mean over folds, in order of seed.
      for (i, r) in row.perReplicate.enumerated() {
        #expect(abs(r.mean - table[i].reduce(0, +) / 3) < 1e-9)
      }
      #expect(row.budget == 10)
    }
    // replicates.csv holds the same numbers, one row per strategy.
    let csv = ReplicatePool.table(pool)
    #expect(csv.rows.count == 2)
    for (i, row) in pool.rows.enumerated() {
      #expect(csv.rows[i][csv.column("amplification")!].double == row.pooled.amplification.mean)
      #expect(csv.rows[i][csv.column("replicates")!].double == 3)
      #expect(csv.rows[i][csv.column("values")!].string == "0 1 2")
    }
    #expect(ReplicatePool.markdown(pool).contains("of 9 |"))
  }

  /// collectives.csv's measures per setting × collective, in fold order.
  func collectiveValues(_ folder: String) throws -> [String: [[Double]]] {
    let t = try CSVTable.read(path: folder + "/collectives.csv")
    let c = ["fold", "collective", "amplification_alone", "amplification_together", "interference"]
      .map { t.column($0)! }
    var out: [String: [(Double, [Double])]] = [:]
    for row in t.rows {
      out[row[c[1]].string, default: []].append(
        (row[c[0]].double!, [row[c[2]].double!, row[c[3]].double!, row[c[4]].double!]))
    }
    return out.mapValues { $0.sorted { $0.0 < $1.0 }.map(\.1) }
  }

  @Test func collectivesArePooledFromEachStudysCollectivesCSV() throws {
    let s = try Self.studies.get()
    let pool = try ReplicatePool.load(folders: s.folders)
    #expect(pool.collectives.map(\.collective) == [1, 2])
    let bySeed = try [0, 1, 2].map { try collectiveValues(s.dir.file("seed-\($0)")) }
    var sawInterference = false
    for row in pool.collectives {
      #expect(row.setting == "pair" && row.strategy == "dirlof" && row.budget == 10)
      #expect(row.folds == [0, 1, 2])
      let table = bySeed.map { $0[String(row.collective)]! }
      for (m, pooled) in [row.alone, row.together, row.interference].enumerated() {
        let runs: [[Double]] = (0..<3).map { f in table.map { $0[f][m] } }
        let means: [Double] = runs.map { $0.reduce(0, +) / 3 }
        #expect(zip(pooled.foldMeans, means).allSatisfy { abs($0 - $1) < 1e-12 })
        #expect(pooled.runs == 9)
        let above: Int = runs.joined().filter { $0 > 0 }.count
        #expect(pooled.runsAboveZero == above)
      }
      // Interference is together − alone, run by run, so pooled the same way.
      for f in 0..<3 {
        #expect(
          abs(row.interference.foldMeans[f] - (row.together.foldMeans[f] - row.alone.foldMeans[f]))
            < 1e-9)
      }
      for (i, r) in row.perReplicateInterference.enumerated() {
        #expect(abs(r - table[i].map { $0[2] }.reduce(0, +) / 3) < 1e-9)
      }
      sawInterference = sawInterference || table.joined().contains { $0[2] != 0 }
    }
    // The fixture is not degenerate: some run's song was moved by the other collective.
    #expect(sawInterference)
    let csv = ReplicatePool.collectivesTable(pool)
    #expect(csv.rows.count == 2)
    #expect(
      csv.rows[1][csv.column("interference")!].double
        == pool.collectives[1].interference.amplification.mean)
    #expect(csv.rows[0][csv.column("replicates")!].double == 3)
    #expect(
      ReplicatePool.markdown(pool).contains("| pair | 2 | chorus:target:1 (dirlof, B = 10) |"))
  }

  /// A copy of the seed-0 study (`folders[1]`) in a new temporary folder (kept alive by the
  /// returned directory), for tests that damage or edit it.
  func copyOfSeedZero(_ s: Studies, as name: String) throws -> (TemporaryDirectory, String) {
    let dir = TemporaryDirectory()
    let copy = dir.file(name)
    try FileManager.default.copyItem(atPath: s.folders[1], toPath: copy)
    return (dir, copy)
  }

  @Test func aStudyLackingACollectivesFoldIsRefused() throws {
    let s = try Self.studies.get()
    let (dir, copy) = try copyOfSeedZero(s, as: "seed-0-copy")
    defer { withExtendedLifetime(dir) {} }
    // Drop fold 2's rows from the copy's collectives.csv.
    let path = copy + "/collectives.csv"
    let lines = try String(decoding: FileIO.read(path), as: UTF8.self).split(separator: "\n")
    let kept = [lines[0]] + lines.dropFirst().filter { !$0.hasPrefix("2,") }
    #expect(kept.count < lines.count)
    try FileIO.writeAtomically(kept.joined(separator: "\n") + "\n", to: path)
    #expect {
      try ReplicatePool.load(folders: [s.folders[0], copy, s.folders[2]])
    } throws: { error in
      let e = error as! ChorusError
      // Sorted by seed, the copy (seed 0) comes first; the next study differs from it.
      return e.kind == .data && e.file == s.folders[2] + "/collectives.csv"
        && e.message.contains("collective 1 has folds 0 1 2 here, 0 1 in \(path)")
    }
  }

  @Test func aDamagedFoldCellIsRefusedNotTrapped() throws {
    let s = try Self.studies.get()
    let (dir, copy) = try copyOfSeedZero(s, as: "seed-0-copy")
    defer { withExtendedLifetime(dir) {} }
    for (file, damaged) in [("collectives.csv", "inf"), ("summary.csv", "1e300")] {
      let path = copy + "/" + file
      let original = try FileIO.read(path)
      var table = try CSVTable.read(path: path)
      let column = file == "collectives.csv" ? "fold" : "folds"
      table.rows[0][table.column(column)!] = .text(damaged)
      try FileIO.writeAtomically(table.text, to: path)
      #expect {
        try ReplicatePool.load(folders: [s.folders[0], copy])
      } throws: { error in
        let e = error as! ChorusError
        return e.kind == .data && e.file == path && e.line == 2
      }
      try original.write(to: URL(fileURLWithPath: path))
    }
  }

  @Test func aFolderOfAnotherSpecIsRefused() throws {
    let s = try Self.studies.get()
    let (dir, copy) = try copyOfSeedZero(s, as: "other")
    defer { withExtendedLifetime(dir) {} }
    let path = copy + "/spec.resolved.json"
    var object = try JSONSerialization.jsonObject(with: FileIO.read(path)) as! [String: Any]
    var spec = object["spec"] as! [String: Any]
    var model = spec["model"] as! [String: Any]
    var config = model["config"] as! [String: Any]
    config["seed"] = 7
    config["epochs"] = 3
    model["config"] = config
    spec["model"] = model
    object["spec"] = spec
    try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(
      to: URL(fileURLWithPath: path))
    let e = #expect(throws: ChorusError.self) {
      try ReplicatePool.load(folders: [s.folders[0], copy])
    }
    #expect(e?.field == "model.config.epochs" && e?.file == copy)
  }
}
