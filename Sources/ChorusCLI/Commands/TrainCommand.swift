// `chorus train`: train a model on one fold's training split and print its accuracy on
// the fold's test contexts, overall and per seed length, so that users can compare models.
import ChorusCore
import Evaluation
import Foundation
import PlaylistData
import Recommenders

enum TrainCommand {
  static var spec: CommandSpec {
    CommandSpec(
      name: "train", abstract: "Train a model on a fold and report its accuracy.",
      discussion:
        "Models: \(ModelSpec.names.joined(separator: ", ")). Settings are changed with --set key=value (e.g. --set window=3 --set contextDecay=0.5).",
      options: [
        .option(
          "dataset", short: "d", value: "input", help: "The dataset (path or synthetic:<preset>).",
          default: "synthetic:small"),
        .option(
          "model", short: "m", value: "name", help: "Model to train.", default: "cooccurrence"),
        .option("fold", value: "k", help: "Fold index.", default: "0"),
        .option("folds", value: "n", help: "Number of folds.", default: "5"),
        .option("seed", value: "n", help: "Base seed.", default: "0"),
        .option(
          "test-size", value: "n", help: "Test playlists (a multiple of 10).",
          default: "min(10000, 5% of eligible)"),
        .option("k", value: "n", help: "Length of each recommendation list.", default: "500"),
        .option("set", value: "key=value", help: "Override a model setting.", repeatable: true),
        .flag("json", help: "Print JSON instead of a table."),
        .flag(
          "diagnostics",
          help:
            "For als, mean and transformer: norms and cosines of rare vs frequent tracks' vectors and one-track queries, at the start (ALS or random) and after training."
        ),
        threadsOption, kernelsOption,
      ],
      action: { p in try run(p) })
  }

  static func run(_ p: ParsedCommand) throws -> Int32 {
    let model = try ModelSpec(name: p.value("model") ?? "cooccurrence", overrides: p.values("set"))
    let k = try p.int("k") ?? 500
    guard k > 0 else { throw ChorusError(.usage, "option '--k' must be positive, got \(k)") }
    if p.flag("diagnostics") && !["als", "mean", "transformer"].contains(model.name) {
      throw ChorusError(
        .usage, "--diagnostics needs a model with track vectors; got '\(model.name)'",
        hint: "use --model als, mean or transformer")
    }
    let config = try DatasetCommands.splitConfig(p)
    let fold = try p.int("fold", min: 0) ?? 0
    let dataset = try DatasetCommands.loadReporting(p.value("dataset") ?? "synthetic:small")
    let split = try FoldSplit(store: dataset.playlists, config: config, fold: fold)
    let train = split.trainingStore(in: dataset.playlists)
    var t = wallClock()
    let recommender = try model.train(playlists: train, trackCount: dataset.trackCount)
    let trainSeconds = wallClock() - t
    let diagnostics =
      p.flag("diagnostics")
      ? try diagnose(recommender, playlists: train, trackCount: dataset.trackCount) : nil
    Console.log(
      "trained \(model.name) on \(train.count) playlists in \(formatDuration(trainSeconds))")
    t = wallClock()
    let progress = ProgressBar("recommending", total: split.test.count)
    let table = recommender.recommendAll(
      split.contexts(in: dataset.playlists), k: k, progress: progress)
    progress.finish()
    let recommendSeconds = wallClock() - t
    let report = AccuracyReport(table: table, split: split, dataset: dataset)
    if p.flag("json") {
      struct Output: Encodable {
        var model: String
        var fold: Int
        var k: Int
        var trainSeconds: Double
        var recommendSeconds: Double
        var overall: PlaylistMetrics
        var perSeedLength: [PlaylistMetrics]
        var diagnostics: [String: SequenceDiagnostics]?
      }
      Console.out(
        try jsonString(
          Output(
            model: model.name, fold: fold, k: k, trainSeconds: trainSeconds,
            recommendSeconds: recommendSeconds, overall: report.overall,
            perSeedLength: report.perSeedLength, diagnostics: diagnostics)))
    } else {
      Console.out("model \(model.name), fold \(fold), \(split.test.count) test playlists, K = \(k)")
      Console.out(
        "train \(formatDuration(trainSeconds)), recommend \(formatDuration(recommendSeconds))")
      Console.out(report.markdownTable)
      for (stage, d) in (diagnostics ?? [:]).sorted(by: { $0.key < $1.key }) {
        Console.out("\nvectors \(stage):\n\(d.markdownTable)")
      }
    }
    return 0
  }

  /// Rare vs frequent tracks' vectors of a vector model: `start` (the sequence model's
  /// initial table) and `trained`; nil for models without track vectors.
  static func diagnose(
    _ recommender: any Recommender, playlists: PlaylistStore, trackCount: Int
  ) throws -> [String: SequenceDiagnostics]? {
    if let als = recommender as? ALSModel { return ["trained": SequenceDiagnostics(als: als)] }
    guard let sequence = recommender as? SequenceModel else { return nil }
    return [
      "start": try SequenceDiagnostics.initial(
        playlists: playlists, trackCount: trackCount, config: sequence.config),
      "trained": SequenceDiagnostics(model: sequence),
    ]
  }
}
