// Running a study spec in a test: quietly into a folder (the setup most Lab suites share), and
// into a temporary folder with its runs.csv read back by strategy (sanity and findings).
import ChorusCore
import ChorusTestSupport
import Foundation
import Lab
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
