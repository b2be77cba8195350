// `chorus train`: train a model on one fold's training split and print its accuracy on
// the fold's test contexts, overall and per seed length, so that users can compare models.
// `--save` keeps the trained model (embedding, als, mean, transformer); `--load` evaluates a
// saved one instead of training (it must belong to the same fold's training split).
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
        .option(
          "save", value: "path",
          help: "Save the trained model (embedding, als, mean or transformer) to this file."),
        .option(
          "load", value: "path",
          help:
            "Evaluate a model saved with --save (same dataset, fold and model) instead of training."
        ),
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
    let recommender: any Recommender
    if let path = p.value("load") {
      recommender = try load(
        model, from: path, playlists: train, trackCount: dataset.trackCount,
        checkConfig: !p.values("set").isEmpty)
      Console.log("loaded \(model.name) from \(path) in \(formatDuration(wallClock() - t))")
    } else {
      recommender = try model.train(playlists: train, trackCount: dataset.trackCount)
      Console.log(
        "trained \(model.name) on \(train.count) playlists in \(formatDuration(wallClock() - t))")
    }
    let trainSeconds = wallClock() - t
    let diagnostics =
      p.flag("diagnostics")
      ? try diagnose(recommender, playlists: train, trackCount: dataset.trackCount) : nil
    if let path = p.value("save") {
      try save(recommender, model: model, to: path)
      Console.log("saved \(model.name) to \(path)")
    }
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

  /// The models whose trained weights can be saved and loaded.
  static let savableModels = ["embedding", "als", "mean", "transformer"]

  static func unsavable(_ model: ModelSpec) -> ChorusError {
    ChorusError(
      .usage, "the \(model.name) model cannot be saved or loaded",
      hint: "--save and --load work with \(savableModels.joined(separator: ", "))")
  }

  /// Writes a trained model with its own format.
  static func save(_ recommender: any Recommender, model: ModelSpec, to path: String) throws {
    switch recommender {
    case let m as EmbeddingModel: try m.save(to: path)
    case let m as ALSModel: try m.save(to: path)
    case let m as SequenceModel: try m.save(to: path)
    default: throw unsavable(model)
    }
  }

  /// Reads a model saved by `save`, checked against the training split it must belong to
  /// and, with `checkConfig` (settings given with --set), against the model's settings.
  static func load(
    _ model: ModelSpec, from path: String, playlists: PlaylistStore, trackCount: Int,
    checkConfig: Bool
  ) throws -> any Recommender {
    switch model {
    case .embedding(let c):
      return try EmbeddingModel.load(
        from: path, playlists: playlists, trackCount: trackCount, expecting: checkConfig ? c : nil)
    case .als(let c):
      return try ALSModel.load(
        from: path, playlists: playlists, trackCount: trackCount, expecting: checkConfig ? c : nil)
    case .mean(let c):
      return try SequenceModel.load(
        from: path, playlists: playlists, trackCount: trackCount, aggregator: .mean,
        expecting: checkConfig ? c : nil)
    case .transformer(let c):
      return try SequenceModel.load(
        from: path, playlists: playlists, trackCount: trackCount, aggregator: .transformer,
        expecting: checkConfig ? c : nil)
    default: throw unsavable(model)
    }
  }
}
