// `chorus replicates`: one study run at several model seeds, pooled. Prints one row per
// strategy × size and with --out writes replicates.csv and replicates.md. The reading,
// checking and pooling live in Lab (ReplicatePool).
import ChorusCore
import Foundation
import Lab

enum ReplicatesCommand {
  static var spec: CommandSpec {
    CommandSpec(
      name: "replicates",
      abstract:
        "Pool one study run at several model seeds: amplification with training noise averaged out.",
      discussion:
        "A retrained model's R(s*) moves with its seed, and a study gives one seed per fold. Run the spec again with other model seeds, each into its own folder — for S in 1 2 3 4: chorus run SPEC --set model.config.seed=$S --out DIR-seed$S (the split and the collectives stay the same; only training changes) — and give the folders here, with the seed-0 run. Each fold's amplification becomes the mean over the seeds, and the 95% CI is taken over folds as everywhere in the lab. Also shown: every seed's own mean ± CI, the SD between seeds within a fold (the training noise of one run), and in how many fold × seed runs s* was recommended at all. Studies with a 'collectives' block also get each collective's amplification alone and together and the interference pooled the same way. Studies whose resolved specs differ anywhere but at --key (their name aside), that ran on other data, or that repeat a seed are refused, naming the folder and the key. Example: chorus replicates results/demo results/demo-seed1 results/demo-seed2 --out results/demo-replicates",
      arguments: [
        ArgumentSpec(
          "folders", help: "Finished results folders of one spec (at least two).", variadic: true)
      ],
      options: [
        .option(
          "key", value: "dotted.key",
          help:
            "The setting the replicates differ in, as a dotted key of the resolved spec (split.seed replicates the split instead; then the collectives differ too).",
          default: ReplicatePool.defaultKey),
        .option(
          "out", short: "o", value: "dir",
          help:
            "Also write replicates.csv (one row per strategy × statistics × size: the pooled amplification with its CI and bounds, the fold means, the SD between seeds, runs above 0, each seed's mean and CI), for studies with a 'collectives' block replicates-collectives.csv (one row per setting × collective: alone, together and interference pooled the same way) and replicates.md (the tables) to this new or empty folder."
        ),
      ],
      action: { p in try run(p) })
  }

  static func run(_ p: ParsedCommand) throws -> Int32 {
    let pool = try ReplicatePool.load(
      folders: p.variadic, key: p.value("key") ?? ReplicatePool.defaultKey)
    let markdown = ReplicatePool.markdown(pool)
    if let out = p.value("out") {
      let csv = ReplicatePool.table(pool).text
      let collectives = pool.collectives.isEmpty ? nil : ReplicatePool.collectivesTable(pool).text
      try FileIO.writeFolderAtomically(
        to: out, replaceable: ["replicates.csv", "replicates.md", "replicates-collectives.csv"]
      ) { staging in
        try FileIO.writeAtomically(csv, to: staging + "/replicates.csv")
        if let collectives {
          try FileIO.writeAtomically(collectives, to: staging + "/replicates-collectives.csv")
        }
        try FileIO.writeAtomically(markdown, to: staging + "/replicates.md")
      }
    }
    let sweep = pool.sweep
    Console.out(
      "\(sweep.folders.count) replicates of one study, \(sweep.key) = \(sweep.values.map(ParameterSweep.format).joined(separator: ", ")) (\(sweep.dataset), \(sweep.model))\n"
    )
    for w in sweep.warnings { Console.out("warning: \(w.terminalSafe)\n") }
    Console.out(markdown)
    if let out = p.value("out") {
      let files =
        pool.collectives.isEmpty
        ? "replicates.csv and replicates.md"
        : "replicates.csv, replicates-collectives.csv and replicates.md"
      Console.out("Wrote \(files) to \(out.terminalSafe)\n")
    }
    return 0
  }
}
