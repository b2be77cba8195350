// `chorus demo`: the README's first command. On a fresh clone with nothing downloaded it
// runs the quickstart study (Experiments/quickstart.json, embedded here too) on the
// synthetic default, prints the summary and three headline numbers, and says where the
// results are. Re-running it finishes or reuses the same results folder.
import ChorusCore
import Foundation
import Lab
import Reports

enum DemoCommand {
  /// The quickstart spec, used when Experiments/quickstart.json is not beside the binary's
  /// working directory. Keep in sync with that file (a test checks it).
  static let quickstart = """
    {
      "name": "quickstart",
      "dataset": "synthetic:small",
      "split": { "minTracks": 20, "folds": 3, "seed": 0 },
      "model": { "name": "cooccurrence", "config": {} },
      "strategies": ["dirlof", "inclust", "hybrid:tau=2", "random", "at-the-end"],
      "alphas": [0.0001, 0.0002, 0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05],
      "statistics": ["full"],
      "k": 500,
      "out": "results/quickstart"
    }
    """

  static var spec: CommandSpec {
    CommandSpec(
      name: "demo",
      abstract: "Run the quickstart study on the embedded synthetic default (no download).",
      discussion:
        "Runs Experiments/quickstart.json: synthetic:small (20,000 MPD-like playlists), the co-occurrence model, DirLoF / InClust / Hybrid / Random / AtTheEnd over α from 0.01% to 5%, 3 folds, then writes report.md and the SVG figures. About 25 seconds on 2 cores.",
      options: [
        .option("out", short: "o", value: "dir", help: "Results folder.", default: "results/demo"),
        .option(
          "dataset", value: "input",
          help: "Run on another dataset instead (e.g. synthetic:tiny for a quick look)."),
        .option("set", value: "key=value", help: "Override a spec field.", repeatable: true),
        threadsOption,
      ],
      action: { p in try run(p) })
  }

  static func run(_ p: ParsedCommand) throws -> Int32 {
    let file = "Experiments/quickstart.json"
    var overrides = p.values("set")
    if let d = p.value("dataset") { overrides.append("dataset=\(d)") }
    var spec: ExperimentSpec
    if FileManager.default.fileExists(atPath: file) {
      spec = try ExperimentSpec.load(path: file, overrides: overrides)
    } else {
      var dict = try JSONSerialization.jsonObject(with: Data(quickstart.utf8)) as! [String: Any]
      for o in overrides { try ExperimentSpec.applyOverride(o, to: &dict) }
      spec = try ExperimentSpec.decode(dict)
    }
    spec.out = p.value("out") ?? "results/demo"
    var options = RunOptions()
    options.resume = true  // the demo is idempotent: it finishes or reuses its folder
    let t0 = wallClock()
    let store = try ExperimentRunner(spec: spec, folder: spec.outputFolder, options: options).run()
    try StudyReport.write(folder: store.folder)
    Console.out(try SummaryText.render(folder: store.folder))
    Console.out(try headline(folder: store.folder))
    Console.out(
      "Report: \(store.folder)/report.md (open the SVG figures in \(store.folder)/figures/ in a browser)"
    )
    Console.out(
      "Results in \(store.folder)/ (\(formatDuration(wallClock() - t0))): summary.csv, runs.csv, songs.csv, artists.csv, externalities.csv, lorenz.csv, cloud.csv, cloud-points.csv, dataset.csv."
    )
    return 0
  }

  /// The three headline numbers: the best strategy at the smallest collective, Random there,
  /// and the largest accuracy loss of the study.
  static func headline(folder: String) throws -> String {
    let t = try CSVTable.read(path: folder + "/summary.csv")
    func col(_ n: String) -> Int { t.column(n)! }
    let sizes = Set(t.rows.compactMap { $0[col("size")].double }).sorted()
    guard let smallest = sizes.first else { return "" }
    let atSmallest = t.rows.filter { $0[col("size")].double == smallest }
    let best = atSmallest.max {
      ($0[col("amplification")].double ?? -1) < ($1[col("amplification")].double ?? -1)
    }!
    let random = atSmallest.first { $0[col("strategy")].string == "random" }
    let worstLoss = t.rows.compactMap { $0[col("ndcg_loss")].double }.min() ?? 0
    let b = best[col("budget")].double ?? 0
    let bestAmp = best[col("amplification")].double ?? 0
    var out: String
    if bestAmp > 0 {
      func ci(_ row: [CSVCell]) -> Double { row[col("amplification_ci")].double ?? .nan }
      let recs = best[col("recommendations")].double ?? 0
      out = String(
        format:
          "Headline: at the smallest collective (%.0f playlists on average), the best strategy is %@ with amplification %.2f ± %.2f (95%% CI over %@ folds; s* in %.1f test playlists' top-R on average)",
        b, best[col("strategy")].string, bestAmp, ci(best), best[col("folds")].string, recs)
      if let random {
        out += String(
          format: "; Random reaches %.2f ± %.2f", random[col("amplification")].double ?? .nan,
          ci(random))
      }
    } else {
      out = String(
        format:
          "Headline: at the smallest collective (%.0f playlists on average) no strategy got s* into any test playlist's top-R (amplification 0 for all)",
        b)
    }
    out += String(format: ". The largest NDCG change across the study is %.2e.", worstLoss)
    return out
  }
}
