// `chorus demo`: the README's first command. On a fresh clone with nothing downloaded it
// runs two small studies on the synthetic default — the lab's answer to the study's
// headline (next-track embedding with rare-track sharing) and the same strategies in the
// default co-occurrence model — and prints the study's claim beside the lab's numbers with
// their CIs. The specs are embedded (DemoStudies); the verdicts come from StrategyComparison.
import ChorusCore
import Foundation
import Lab
import Reports

enum DemoCommand {
  static var spec: CommandSpec {
    CommandSpec(
      name: "demo",
      abstract: "Show the study's headline as the lab measures it, on the embedded default.",
      discussion:
        "Runs two studies on synthetic:small (20,000 MPD-like playlists, nothing downloaded), 3 folds each: DirLoF, Random and AtTheEnd with 10 playlists (α = 0.05%) in the next-track embedding model whose rare tracks share one input row (Experiments/demo.json), and the same strategies in the default co-occurrence model (Experiments/demo-cooccurrence.json). Prints the study's claim beside the lab's amplification with 95% CIs, and writes both results folders with report.md and SVG figures. Under 3 minutes on 2 cores. Re-running reuses finished runs.",
      options: [
        .option(
          "out", short: "o", value: "dir",
          help: "Results folder of the main study; the contrast goes to <dir>-cooccurrence.",
          default: "results/demo"),
        .option(
          "dataset", value: "input",
          help: "Run on another dataset instead (e.g. synthetic:tiny for a quick look)."),
        .option(
          "set", value: "key=value", help: "Override a field of both specs.", repeatable: true),
        .option(
          "epochs", value: "n",
          help:
            "Training epochs of the embedding model in the main study (fewer epochs learn less of the shared row; notebook 06 measures 3, 10, 20, 40).",
          default: "10"),
        concurrentRunsOption(default: "2 on 2 or more cores, else 1"), threadsOption, kernelsOption,
      ],
      action: { p in try run(p) })
  }

  static func run(_ p: ParsedCommand) throws -> Int32 {
    var overrides = p.values("set")
    if let d = p.value("dataset") { overrides.append("dataset=\(d)") }
    let out = p.value("out") ?? "results/demo"
    // Decode both specs before anything runs, so a bad --set fails with nothing on disk.
    let epochs = try p.int("epochs", min: 1, max: 1000) ?? 10
    var finding = try DemoStudies.spec(
      DemoStudies.finding, overrides: overrides + ["model.config.epochs=\(epochs)"])
    var contrast = try DemoStudies.spec(DemoStudies.contrast, overrides: overrides)
    finding.out = out
    contrast.out = out + "-cooccurrence"
    var options = RunOptions()
    options.resume = true  // the demo is idempotent: it finishes or reuses its folders
    // Retraining a small model leaves part of a second core idle (the rounds' merges): two
    // runs at once, one thread each, use both (same results; notebook 02 has the timings).
    options.concurrentRuns =
      try parseConcurrentRuns(p) ?? (ParallelConfig.threads >= 2 ? 2 : 1)
    let t0 = wallClock()
    var folders: [String] = []
    for spec in [finding, contrast] {
      Console.log("demo: \(spec.name) → \(spec.outputFolder)")
      let store = try ExperimentRunner(spec: spec, folder: spec.outputFolder, options: options)
        .run()
      try StudyReport.write(folder: store.folder)
      folders.append(store.folder)
    }
    Console.out(
      try StrategyComparison.demoHeadline(
        finding: StrategyComparison(folder: folders[0]),
        contrast: StrategyComparison(folder: folders[1]), dataset: finding.dataset))
    Console.out(
      "Reports: \(folders[0])/report.md and \(folders[1])/report.md (figures in figures/*.svg; open them in a browser); every number above is in summary.csv there. \(formatDuration(wallClock() - t0))."
    )
    return 0
  }
}
