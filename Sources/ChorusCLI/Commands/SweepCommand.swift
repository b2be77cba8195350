// `chorus sweep`: amplification against one spec value, from finished studies of one spec that
// differ only in that value (e.g. model.config.epochs). Prints one row per strategy × size ×
// value and with --out writes sweep.csv, sweep.svg and sweep.md. The reading and checking live
// in Lab (ParameterSweep), the drawing in Reports.
import ChorusCore
import Foundation
import Lab

enum SweepCommand {
  static var spec: CommandSpec {
    CommandSpec(
      name: "sweep",
      abstract: "Amplification against one spec value, across studies that differ only in it.",
      discussion:
        "Give the results folders of one spec run at several values of one setting, e.g. made with 'chorus run SPEC --set model.config.epochs=E --out DIR' for a few E. --key names the setting as a dotted path into the resolved spec each folder holds (spec.resolved.json, every default filled in): model.config.epochs, model.config.window, model.config.dim, model.config.learningRate, k, split.minTracks, … The value there must be a number. Studies whose resolved specs differ anywhere else (their name aside), that ran on another dataset, or that repeat a value are refused, naming the folder and the first differing key. Each folder gives one point per strategy, statistics source and collective size: its mean amplification over folds with the 95% CI, as in its summary.csv. Example: chorus sweep --key model.config.epochs results/epochs-3 results/epochs-10 results/epochs-20 --out results/epochs-sweep",
      arguments: [
        ArgumentSpec("folders", help: "Finished results folders (at least two).", variadic: true)
      ],
      options: [
        .option(
          "key", value: "dotted.key",
          help: "The swept setting in the resolved spec, e.g. model.config.epochs.",
          required: true),
        .option(
          "out", short: "o", value: "dir",
          help:
            "Also write sweep.csv (one row per value × strategy × statistics × size: the value, amplification with its CI, recommendations and the clean and with-collective accuracy columns of summary.csv), sweep.svg (amplification against the value, one line per strategy, 95% CI whiskers, each fold as a faint dot, a panel per collective size) and sweep.md (this table) to this new or empty folder."
        ),
      ],
      action: { p in try run(p) })
  }

  static func run(_ p: ParsedCommand) throws -> Int32 {
    let sweep = try ParameterSweep.load(folders: p.variadic, key: p.required("key"))
    let markdown = ParameterSweep.markdown(sweep)
    if let out = p.value("out") {
      let csv = ParameterSweep.table(sweep).text
      let svg = ParameterSweep.figure(sweep).svg()
      try FileIO.writeFolderAtomically(
        to: out, replaceable: ["sweep.csv", "sweep.svg", "sweep.md"]
      ) { staging in
        try FileIO.writeAtomically(csv, to: staging + "/sweep.csv")
        try FileIO.writeAtomically(svg, to: staging + "/sweep.svg")
        try FileIO.writeAtomically(markdown, to: staging + "/sweep.md")
      }
    }
    Console.out(
      "\(sweep.folders.count) studies of one spec, \(sweep.key) = \(sweep.values.map(ParameterSweep.format).joined(separator: ", "))\n"
    )
    for w in sweep.warnings { Console.out("warning: \(w.terminalSafe)\n") }
    Console.out(markdown)
    if let out = p.value("out") {
      Console.out("Wrote sweep.csv, sweep.svg and sweep.md to \(out.terminalSafe)\n")
    }
    return 0
  }
}
