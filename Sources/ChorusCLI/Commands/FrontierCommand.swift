// `chorus frontier`: the defence frontier from finished studies of one spec that differ only in
// the platform's defence. Prints one row per strategy × defence (amplification left, accuracy
// lost by honest users) and with --out writes frontier.csv and frontier.svg. The reading and
// pairing live in Lab (DefenceFrontier), the drawing in Reports.
import ChorusCore
import Foundation
import Lab

enum FrontierCommand {
  static var spec: CommandSpec {
    CommandSpec(
      name: "frontier",
      abstract: "Amplification left against accuracy lost by honest users, per defence.",
      discussion:
        "Give the results folders of one spec run behind different defences (a 'detection' stage with filter, a 'reranking' stage, or none), e.g. made by Experiments/defence-frontier.sh. Each folder gives one point per strategy: its mean amplification over folds (95% CI) and the clean model's accuracy with the defence minus without it, per fold, signed so that positive means honest users lose. A re-ranking study records its own accuracy without the stage; a study that filters with detection trains a different clean model, so its cost needs --baseline, the same spec run without defence (which also becomes the 'none' point). The studies must share dataset, split, folds, model, K and target with the baseline.",
      arguments: [
        ArgumentSpec("folders", help: "Finished results folders.", variadic: true)
      ],
      options: [
        .option(
          "baseline", value: "dir",
          help: "The same spec without defence (needed for detection filtering)."),
        .option(
          "metric", value: "name",
          help:
            "Accuracy metric: r_precision, r_precision_official, ndcg, clicks, precision or recall.",
          default: "ndcg"),
        .option(
          "size", value: "value",
          help: "The collective size (α or B as in summary.csv) when the studies have several."),
        .option(
          "out", short: "o", value: "dir",
          help: "Also write frontier.csv and frontier.svg to this new or empty folder."),
      ],
      action: { p in try run(p) })
  }

  static func run(_ p: ParsedCommand) throws -> Int32 {
    let metric = p.value("metric") ?? "ndcg"
    let points = try DefenceFrontier.load(
      folders: p.variadic, baseline: p.value("baseline"), metric: metric,
      size: try p.double("size"))
    if let out = p.value("out") {
      let csv = DefenceFrontier.table(points, metric: metric).text
      let svg = DefenceFrontier.figure(points, metric: metric).svg()
      try FileIO.writeFolderAtomically(to: out, replaceable: ["frontier.csv", "frontier.svg"]) {
        staging in
        try FileIO.writeAtomically(csv, to: staging + "/frontier.csv")
        try FileIO.writeAtomically(svg, to: staging + "/frontier.svg")
      }
    }
    Console.out(DefenceFrontier.markdown(points, metric: metric))
    return 0
  }
}
