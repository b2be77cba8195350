// Runs a study spec in a temporary folder and reads its runs.csv by strategy: the one setup
// the sanity and findings suites share.
import ChorusCore
import ChorusTestSupport
import Foundation
import Lab
import Reports

/// One row of runs.csv: every column by name, as a number (NaN when empty or not numeric).
typealias Run = [String: Double]

/// Runs `spec` in a temporary folder (no progress bar) and reads its runs.csv, the rows
/// grouped by strategy in file order.
func runsByStrategy(of spec: ExperimentSpec) throws -> [String: [Run]] {
  let dir = TemporaryDirectory()
  var o = RunOptions()
  o.showProgress = false
  try ExperimentRunner(spec: spec, folder: dir.path + "/out", options: o).run()
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
