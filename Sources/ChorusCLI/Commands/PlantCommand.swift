// `chorus plant`: one collective action on one fold, written out as a manipulated dataset
// (any writable format, e.g. MPD slices for an external MPD-based model) plus its edit log.
// Everything is computed and validated before anything is written; `PlantOutput` writes.
import ChorusCore
import CollectiveAction
import Foundation
import PlaylistData
import Reports

enum PlantCommand {
  static var spec: CommandSpec {
    CommandSpec(
      name: "plant",
      abstract: "Plant s* in a collective's playlists and write the manipulated dataset.",
      discussion:
        "Strategies: \(Strategy.nameForms.joined(separator: ", ")). Statistics: \(EstimateSource.nameForms.joined(separator: ", ")). Writes the whole dataset with the collective's playlists rewritten and s* appended, and an edit log (pid, position, direct and indirect anchor with their true and estimated training frequencies): by default edits.csv inside the folder for --format mpd, else beside --out with its extension replaced (--out p.json writes p.edits.csv). The two appear together or not at all. When the input is MPD JSON and the output the same kind (a folder with --format mpd, or a .json file), the output is a copy of the input in which only the collective's playlists change: every other playlist keeps its JSON byte for byte (fields, repeated tracks). Otherwise the whole dataset is encoded as read (repeats dropped). An MPD output folder must be new, empty, or hold only what plant writes.",
      options: [
        .option(
          "dataset", short: "d", value: "input", help: "The dataset (path or synthetic:<preset>).",
          required: true),
        .option("strategy", short: "s", value: "name", help: "Where s* goes.", required: true),
        .option(
          "alpha", value: "a", help: "Collective size as a fraction of the training set, in (0, 1)."
        ),
        .option("budget", value: "b", help: "Collective size in playlists."),
        .option("fold", value: "k", help: "Fold index.", default: "0"),
        .option("folds", value: "n", help: "Number of folds.", default: "5"),
        .option("seed", value: "n", help: "Base seed.", default: "0"),
        .option("statistics", value: "source", help: "What the collective knows.", default: "full"),
        .option("target", value: "id", help: "External id of s*.", default: TargetTrack.defaultID),
        .option(
          "out", short: "o", value: "path",
          help: "Manipulated dataset (.chorus, .txt, .json, or a folder with --format mpd).",
          required: true),
        DatasetCommands.formatOption,
        .option(
          "edits", value: "path", help: "Edit log CSV.",
          default: "<out>/edits.csv for --format mpd, else <out minus extension>.edits.csv"),
        threadsOption,
      ],
      action: { p in try run(p) })
  }

  static func run(_ p: ParsedCommand) throws -> Int32 {
    let strategy = try Strategy(name: p.required("strategy"))
    let statistics = try EstimateSource(name: p.value("statistics") ?? "full")
    let size: CollectiveSize
    switch (try p.double("alpha"), try p.int("budget")) {
    case (let a?, nil): size = .alpha(a)
    case (nil, let b?): size = .budget(b)
    default: throw ChorusError(.usage, "give exactly one of --alpha and --budget")
    }
    let out = p.required("out")
    let format = try DatasetFormat.resolve(path: out, explicit: p.value("format"))
    let editsPath = p.value("edits") ?? defaultEditsPath(out: out, format: format)
    let config = try DatasetCommands.splitConfig(p)
    let fold = try p.int("fold", min: 0) ?? 0
    let dataset = try DatasetCommands.loadReporting(p.required("dataset"))
    let request = PlantRequest(
      strategy: strategy, size: size, statistics: statistics,
      target: TargetTrack(id: p.value("target") ?? TargetTrack.defaultID))
    let outcome = try PlantPipeline.run(
      dataset: dataset, config: config, fold: fold, request: request)
    let source: String?
    switch try DatasetSource(p.required("dataset")) {
    case .mpdFolder(let path), .mpdFile(let path): source = path
    default: source = nil
    }
    try PlantOutput.write(outcome, format: format, out: out, edits: editsPath, source: source)
    let q = outcome.quality
    Console.out(
      "planted \(strategy.name) in \(counted(Double(outcome.plant.collective.count), "playlist")) of fold \(fold); wrote \(out) and \(editsPath)"
    )
    if let rho = q.spearman {
      Console.out(
        String(
          format: "statistics %@: Spearman %.3f with the truth over %d tracks",
          statistics.description, rho, q.tracks))
    }
    return 0
  }

  static func defaultEditsPath(out: String, format: DatasetFormat) -> String {
    if format == .mpd { return out + "/edits.csv" }
    let url = URL(fileURLWithPath: out)
    return url.deletingPathExtension().path + ".edits.csv"
  }
}
