// Running a study spec in a test: quietly into a folder (the setup most Lab suites share), and
// into a temporary folder with its runs.csv read back by strategy (sanity and findings).
import ChorusCore
import ChorusTestSupport
import Foundation
import Lab
import PlaylistData
import Recommenders
import Reports

/// One row of runs.csv: every column by name, as a number (NaN when empty or not numeric).
typealias Run = [String: Double]

/// Runs `spec` into `folder` without a progress bar; returns the results store.
@discardableResult
func runQuietly(_ spec: ExperimentSpec, in folder: String) throws -> ResultsStore {
  var o = RunOptions()
  o.showProgress = false
  return try ExperimentRunner(spec: spec, folder: folder, options: o).run()
}

/// Runs `spec` in a temporary folder (no progress bar) and reads its runs.csv, the rows
/// grouped by strategy in file order.
func runsByStrategy(of spec: ExperimentSpec) throws -> [String: [Run]] {
  let dir = TemporaryDirectory()
  try runQuietly(spec, in: dir.path + "/out")
  let table = try CSVTable.read(path: dir.path + "/out/runs.csv")
  let strategy = table.column("strategy")!
  var runs: [String: [Run]] = [:]
  for row in table.rows {
    var run: Run = [:]
    for (name, cell) in zip(table.header, row) { run[name] = cell.double ?? .nan }
    runs[row[strategy].string, default: []].append(run)
  }
  return runs
}

/// Small studies of one spec, for the suites that read several finished folders (sweep,
/// replicates): on one 500-playlist generated dataset in `dir`, a next-track embedding with
/// rare-track sharing (dim 8, window 1), DirLoF and Random with 10 playlists, 3 folds of 40
/// test playlists, K = 50. Study i sets `studies[i].config` on top of that model config and
/// runs into `dir.file(studies[i].folder)`, in the order given; with `collectives`, every
/// study also runs that block.
func runSmallEmbeddingStudies(
  in dir: TemporaryDirectory, _ studies: [(folder: String, config: [String: Any])],
  collectives: CollectivesStudy? = nil
) throws {
  let path = dir.file("data.chorus")
  try BinaryCache.write(
    Fixtures.random(playlists: 500, tracks: 300, lengths: 20...40, seed: 7), to: path)
  for study in studies {
    var s = ExperimentSpec()
    s.name = study.folder
    s.dataset = path
    s.split = SplitConfig(testSize: 40, folds: 3, seed: 1)
    let base: [String: Any] = [
      "dim": 8, "window": 1, "contextDirection": "next", "popularityFeature": true,
      "popularityFeatureMaxFrequency": 2,
    ]
    s.model = try ModelSpec(
      name: "embedding", config: base.merging(study.config) { _, new in new })
    s.strategies = [.dirLoF, .random]
    s.sizes = [.budget(10)]
    s.k = 50
    s.collectives = collectives
    try runQuietly(s, in: dir.file(study.folder))
  }
}
