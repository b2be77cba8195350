// `chorus run SPEC` and `chorus merge`: run a study (resumable, shardable) and combine the
// shards of one study into a single results folder. Prints a one-screen summary at the end.
import ChorusCore
import Foundation
import Lab
import Reports

enum RunCommand {
  static var spec: CommandSpec {
    CommandSpec(
      name: "run", abstract: "Run an experiment spec: an α sweep over strategies and folds.",
      discussion: """
        Writes spec.resolved.json, runs/ (one record per finished run, written atomically), and \
        when every run is done: runs.csv, summary.csv, songs.csv, artists.csv, externalities.csv, \
        lorenz.csv, cloud.csv, cloud-points.csv, dataset.csv, clean-accuracy.csv, the appendix \
        files (anchors.csv, precision-at-50.csv, precision-at-50-change.csv, similarity.csv for \
        vector models), collectives.csv and collectives-summary.csv with a 'collectives' block, \
        and manifest.json (last). Spec blocks 'detection', 'reranking', 'retraining' and \
        'collectives' switch on the platform's stages, fine-tuning and several collectives \
        (Experiments/README.md). Stop it at any moment \
        and start it again with --resume: the final files are identical to an uninterrupted run. \
        The whole spec is checked before anything is written; --resume refuses a folder computed \
        with another spec, other data or another chorus version, and a folder that another \
        process is writing.
        """,
      arguments: [
        ArgumentSpec("spec", help: "An experiment spec (JSON), e.g. Experiments/quickstart.json.")
      ],
      options: [
        .option(
          "out", short: "o", value: "dir", help: "Results folder.",
          default: "the spec's 'out', else results/<name>"),
        .option(
          "set", value: "key=value",
          help: "Override a spec field (dotted keys: split.folds=2, model.config.window=3).",
          repeatable: true),
        .flag("resume", help: "Finish a study whose folder already holds some runs."),
        .option(
          "shard", value: "i/n",
          help: "Run only shard i of n (1-based i), e.g. 2/8; combine shards with 'chorus merge'."),
        .flag("quiet", help: "No progress on stderr."),
        concurrentRunsOption(default: "1"),
        threadsOption, kernelsOption,
      ],
      action: { p in try run(p) })
  }

  static func run(_ p: ParsedCommand) throws -> Int32 {
    var spec = try ExperimentSpec.load(path: p.required("spec"), overrides: p.values("set"))
    if let out = p.value("out") { spec.out = out }
    var options = RunOptions()
    options.resume = p.flag("resume")
    options.showProgress = !p.flag("quiet")
    if let s = p.value("shard") { options.shard = try parseShard(s) }
    options.concurrentRuns = try parseConcurrentRuns(p) ?? 1
    let t0 = wallClock()
    let store = try ExperimentRunner(spec: spec, folder: spec.outputFolder, options: options).run()
    let elapsed = wallClock() - t0
    if store.isComplete(plan: ResultsStore.plan(spec)) {
      try StudyReport.write(folder: store.folder)
      Console.out(try SummaryText.render(folder: store.folder))
      Console.out("Report: \(store.folder)/report.md (figures in \(store.folder)/figures/)")
      Console.out(
        "Results in \(store.folder)/ (\(formatDuration(elapsed))). Open summary.csv or runs.csv in a spreadsheet."
      )
    } else {
      let done = store.finishedRuns().count
      Console.out(
        "Shard finished: \(done) of \(ResultsStore.plan(spec).count) runs are in \(store.folder). Combine the shard folders with 'chorus merge'."
      )
    }
    return 0
  }

  /// "i/n" with 1 ≤ i ≤ n → (i − 1, n).
  static func parseShard(_ s: String) throws -> (index: Int, count: Int) {
    let parts = s.split(separator: "/")
    guard parts.count == 2, let i = Int(parts[0]), let n = Int(parts[1]), n >= 1, i >= 1, i <= n
    else {
      throw ChorusError(
        .usage, "bad shard '\(s)'",
        hint:
          "write i/n with 1 ≤ i ≤ n, e.g. --shard 3/8 (SLURM: $SLURM_ARRAY_TASK_ID/$SLURM_ARRAY_TASK_COUNT)"
      )
    }
    return (i - 1, n)
  }

  static var merge: CommandSpec {
    CommandSpec(
      name: "merge", abstract: "Combine shard folders of one study into one results folder.",
      discussion:
        "Every shard must come from the same spec, dataset and chorus version (the fingerprint in spec.resolved.json). The merged folder is identical to a single-machine run.",
      arguments: [ArgumentSpec("shards", help: "The shard folders.", variadic: true)],
      options: [
        .option("out", short: "o", value: "dir", help: "The merged results folder.", required: true)
      ],
      action: { p in
        let shards = p.variadic
        let stores = try shards.map { try ResultsStore.open(folder: $0) }
        let first = stores[0]
        let merged = try ResultsStore.prepare(
          folder: p.required("out"), spec: first.spec, dataset: first.fingerprint.dataset,
          resume: true)
        for s in stores { try merged.absorb(s) }
        let plan = ResultsStore.plan(first.spec)
        guard merged.isComplete(plan: plan) else {
          let missing = plan.count - merged.finishedRuns().count
          throw ChorusError(
            .data, "the shards are incomplete: \(missing) of \(plan.count) runs are missing",
            file: merged.folder,
            hint: "run the missing shards (or the study with --resume) and merge again")
        }
        try merged.assemble(plan: plan)
        try StudyReport.write(folder: merged.folder)
        Console.out(try SummaryText.render(folder: merged.folder))
        Console.out("Merged \(stores.count) shards into \(merged.folder)/.")
        return 0
      })
  }
}

/// `chorus report DIR`.
enum ReportCommand {
  static var spec: CommandSpec {
    CommandSpec(
      name: "report", abstract: "Write SVG figures and report.md for a results folder.",
      discussion:
        "Reads the CSVs of a finished study (chorus run writes the report too) and writes figures/*.svg and report.md beside them: amplification vs collective size, training frequency vs recommendations with s*, partial information (when the study has several statistics sources), accuracy loss with its bounds, externalities by frequency bin and anchor category, Lorenz curves per artist, the dataset's shape, the appendix's figures (anchor selection, estimated vs true anchor frequency, precision@50, similarity of s* to the targeted contexts) and the success rate among test seeds holding a targeted anchor against all test playlists (anchor-success.svg). Figures whose data the study did not produce are skipped. Given the folder of a detection sweep (Experiments/detection-sweep.sh: 'chorus detect --json' outputs named STRATEGY-bBUDGET-fFOLD.json, in the folder or in its rate-R folders), it writes figures/detection.svg instead: per flag rate the recall and precision of the flags against collective size, one colour per strategy (mean over folds, 95% CI), between flagging at random and a perfect detector, and the ROC AUC.",
      arguments: [
        ArgumentSpec(
          "dir", help: "A results folder written by 'chorus run', or a detection sweep's folder.")
      ],
      action: { p in
        let folder = p.required("dir")
        if DetectionSweepReport.isSweep(folder) {
          let files = try DetectionSweepReport.write(folder: folder)
          Console.out("wrote " + files.map { folder + "/" + $0 }.joined(separator: ", "))
          return 0
        }
        // Refuses unfinished or half-assembled folders, naming what is missing.
        let files = try StudyReport.write(folder: folder)
        Console.out("wrote " + files.map { folder + "/" + $0 }.joined(separator: ", "))
        return 0
      })
  }
}

/// The one-screen summary printed after a study: the report's summary table.
enum SummaryText {
  static func render(folder: String) throws -> String {
    SummaryTable.markdown(try CSVTable.read(path: folder + "/summary.csv"))
  }
}
