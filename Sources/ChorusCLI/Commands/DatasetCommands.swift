// `chorus dataset …`: generate the synthetic MPD-like data, convert between formats,
// print statistics, export a fold's split, and subsample playlists. Thin: parse options, call
// PlaylistData, report. Every write is atomic, so a failed command leaves no partial output.
import ChorusCore
import Foundation
import PlaylistData

enum DatasetCommands {
  static var group: CommandSpec {
    CommandSpec(
      name: "dataset", abstract: "Generate, convert, inspect and split playlist datasets.",
      subcommands: [generate, stats, convert, split, subsample])
  }

  static let formatOption = OptionSpec.option(
    "format", value: "format",
    help:
      "Output format: mpd (a folder of mpd.slice.*.json), json (one slice file), text, chorus (binary cache).",
    default: "from the extension of --out")

  /// The dataset argument of the commands that read one.
  static let datasetInput = ArgumentSpec(
    "input",
    help:
      "A dataset: folder of MPD slices, .json, .txt, .tsv/.csv, .chorus, or synthetic:<preset>.")

  /// Refuses an `--out` that already exists (a file or a folder), before any work: dataset
  /// commands never replace what is there.
  /// - Throws: `ChorusError(.usage)` naming the path.
  static func refuseExistingOutput(_ out: String) throws {
    if FileManager.default.fileExists(atPath: out) {
      throw ChorusError(
        .usage, "the output already exists; nothing was written", file: out, field: "out",
        hint: "choose a new --out, or remove the old one first")
    }
  }

  static var generate: CommandSpec {
    CommandSpec(
      name: "generate", abstract: "Generate a synthetic MPD-like dataset.",
      discussion:
        "Presets: tiny (~2,000 playlists), small (~20,000; the demo default), medium (~100,000), mpd (1,000,000 playlists, ~66M entries). The same preset and seed always give the same dataset.",
      options: [
        .option("preset", value: "name", help: "tiny, small, medium or mpd.", default: "small"),
        .option(
          "playlists", value: "n", help: "Number of playlists (overrides the preset's size).",
          default: "the preset's"),
        .option(
          "set", value: "key=value",
          help:
            "Override a parameter of the synthetic process (e.g. trackExponent=3.5, lengthMean=40); a changed universe no longer matches the presets' track ids.",
          repeatable: true),
        .option("seed", value: "n", help: "Random seed.", default: "0"),
        .option(
          "out", short: "o", value: "path",
          help:
            "Where to write (.chorus, .txt, .json, or a folder with --format mpd); refused if it exists.",
          required: true),
        formatOption, threadsOption,
      ],
      action: { p in
        let presetName = p.value("preset") ?? "small"
        guard let preset = SyntheticPreset(rawValue: presetName) else {
          throw ChorusError(
            .usage, "unknown preset '\(presetName)'",
            hint: "use one of \(SyntheticPreset.allCases.map(\.rawValue).joined(separator: ", "))")
        }
        guard let seed = UInt64(p.value("seed") ?? "0") else {
          throw ChorusError(.usage, "option '--seed' expects a non-negative integer")
        }
        let out = p.required("out")
        let format = try DatasetFormat.resolve(path: out, explicit: p.value("format"))
        try refuseExistingOutput(out)
        let t0 = wallClock()
        let config = try ConfigCoding.apply(
          p.values("set"), to: SyntheticConfig(), context: "the synthetic process")
        let playlists = try p.int("playlists", min: 1, max: 50_000_000) ?? preset.playlistCount
        if let problem = config.validationError() {
          throw ChorusError(
            .config, "invalid synthetic process: \(problem)", field: "set",
            hint: "change the --set value named in the message")
        }
        let overrides = p.values("set")
        Console.log(
          "generating synthetic:\(preset.rawValue) (seed \(seed)), \(playlists) playlists"
            + (overrides.isEmpty ? "" : ", " + overrides.joined(separator: ", ")) + "…")
        let dataset = SyntheticGenerator.generate(config: config, playlists: playlists, seed: seed)
        let t1 = wallClock()
        Console.log("writing \(format.rawValue) to \(out)…")
        try format.write(dataset, to: out)
        Console.log(
          "generated in \(formatDuration(t1 - t0)), written in \(formatDuration(wallClock() - t1))")
        Console.out(
          "\(out): \(dataset.playlistCount) playlists, \(dataset.playlists.entryCount) entries, \(dataset.trackCount) tracks, \(dataset.artistCount) artists"
        )
        return 0
      })
  }

  static var stats: CommandSpec {
    CommandSpec(
      name: "stats", abstract: "Print a dataset's statistics (size, long tail, concentration).",
      arguments: [datasetInput],
      options: [
        .flag("json", help: "Print JSON instead of text."),
        .option("top", value: "n", help: "How many top tracks and artists to list.", default: "10"),
        threadsOption,
      ],
      action: { p in
        let dataset = try loadReporting(p.required("input"))
        let top = try p.int("top", min: 0) ?? 10
        let s = DatasetStatistics(dataset: dataset, top: top)
        if p.flag("json") {
          Console.out(try jsonString(s))
        } else {
          Console.out(s.text)
        }
        return 0
      })
  }

  static var convert: CommandSpec {
    CommandSpec(
      name: "convert",
      abstract: "Convert a dataset to another format (e.g. MPD JSON to a .chorus cache).",
      arguments: [ArgumentSpec("input", help: "The dataset to read.")],
      options: [
        .option(
          "out", short: "o", value: "path", help: "Where to write (refused if it exists).",
          required: true),
        formatOption, threadsOption,
      ],
      action: { p in
        let out = p.required("out")
        let format = try DatasetFormat.resolve(path: out, explicit: p.value("format"))
        try refuseExistingOutput(out)
        let dataset = try loadReporting(p.required("input"))
        let t0 = wallClock()
        try format.write(dataset, to: out)
        Console.log("written in \(formatDuration(wallClock() - t0))")
        Console.out(
          "\(out): \(dataset.playlistCount) playlists, \(dataset.playlists.entryCount) entries, \(dataset.trackCount) tracks, \(dataset.artistCount) artists"
        )
        return 0
      })
  }

  static var split: CommandSpec {
    CommandSpec(
      name: "split", abstract: "Show (and optionally export) one fold's train/test split.",
      discussion:
        "With --out, writes training.<ext> (the training playlists, in the format of --format, default chorus), test-seeds.json (the test playlists' seed contexts as MPD slice JSON, for external models), test-truth.csv (pid,position,track_id of the held-out tracks) and collective-order.csv (the order in which collectives are drawn).",
      arguments: [ArgumentSpec("input", help: "The dataset.")],
      options: [
        .option("fold", value: "k", help: "Fold index.", default: "0"),
        .option("folds", value: "n", help: "Number of folds.", default: "5"),
        .option("seed", value: "n", help: "Base seed (fold k uses seed + k).", default: "0"),
        .option(
          "test-size", value: "n", help: "Test playlists (a multiple of 10).",
          default: "min(10000, 5% of eligible)"),
        .option(
          "min-tracks", value: "n", help: "Eligible playlists have more than this many tracks.",
          default: "20"),
        .option("out", short: "o", value: "dir", help: "Folder to export the split to."),
        formatOption,
      ],
      action: { p in
        let config = try splitConfig(p)
        let dataset = try loadReporting(p.required("input"))
        let fold = try p.int("fold", min: 0) ?? 0
        let split = try FoldSplit(store: dataset.playlists, config: config, fold: fold)
        Console.out(
          "fold \(fold) (seed \(split.seed)): \(split.test.count) test playlists in 10 blocks of \(split.blockSize), \(split.training.count) training playlists, \(split.collectiveOrder.count) eligible for the collective"
        )
        if let out = p.value("out") {
          try SplitExport.write(dataset: dataset, split: split, to: out, format: p.value("format"))
          Console.out("exported to \(out)")
        }
        return 0
      })
  }

  static var subsample: CommandSpec {
    CommandSpec(
      name: "subsample",
      abstract: "Keep a uniform random sample of a dataset's playlists (e.g. of real MPD data).",
      discussion:
        "Draws --playlists N or --fraction F of the input's playlists without replacement, with one seeded random stream: the same input and seed give a byte-identical output on any machine and thread count, and different seeds give different samples. Kept playlists are unchanged (pid, name, tracks in order) and stay in input order; the catalogue keeps only the tracks and artists that occur in them, as if the sample had been read from MPD files. Refuses an existing --out (nothing is overwritten) and writes atomically, so a failed run leaves nothing behind.",
      arguments: [datasetInput],
      options: [
        .option("playlists", value: "n", help: "How many playlists to keep (at most the input's)."),
        .option(
          "fraction", value: "f",
          help: "Share of the playlists to keep, in (0, 1], rounded to the nearest count."),
        .option("seed", value: "n", help: "Random seed.", default: "0"),
        .option(
          "out", short: "o", value: "path",
          help: "Where to write (.chorus, .txt, .json, or a new folder with --format mpd).",
          required: true),
        formatOption, threadsOption,
      ],
      action: { p in
        let size: SubsampleSize
        switch (p.value("playlists"), p.value("fraction")) {
        case (.some, .some), (nil, nil):
          throw ChorusError(
            .usage, "give exactly one of --playlists and --fraction",
            hint: "e.g. --playlists 10000 or --fraction 0.1")
        case (.some, nil): size = .playlists(try p.int("playlists")!)
        case (nil, .some): size = .fraction(try p.double("fraction")!)
        }
        try size.validate()
        guard let seed = UInt64(p.value("seed") ?? "0") else {
          throw ChorusError(.usage, "option '--seed' expects a non-negative integer")
        }
        let out = p.required("out")
        let format = try DatasetFormat.resolve(path: out, explicit: p.value("format"))
        try refuseExistingOutput(out)
        let dataset = try loadReporting(p.required("input"))
        let n = try size.count(of: dataset.playlistCount)
        let t0 = wallClock()
        let sample = DatasetSubsample.subset(
          dataset,
          indices: DatasetSubsample.indices(total: dataset.playlistCount, count: n, seed: seed))
        Console.log("sampled \(n) of \(dataset.playlistCount) playlists (seed \(seed))…")
        try format.write(sample, to: out)
        Console.log("sampled and written in \(formatDuration(wallClock() - t0))")
        Console.out(
          "\(out): \(sample.playlistCount) playlists, \(sample.playlists.entryCount) entries, \(sample.trackCount) tracks, \(sample.artistCount) artists"
        )
        return 0
      })
  }

  static func splitConfig(_ p: ParsedCommand) throws -> SplitConfig {
    var c = SplitConfig()
    if let v = try p.int("folds", min: 1) { c.folds = v }
    if let v = p.value("seed") {
      guard let s = UInt64(v) else {
        throw ChorusError(.usage, "option '--seed' expects a non-negative integer")
      }
      c.seed = s
    }
    if let v = try p.int("test-size", min: 1) { c.testSize = v }
    if let v = try p.int("min-tracks", min: 0) { c.minTracks = v }
    return c
  }

  /// Loads a dataset with a note on stderr and a summary of data warnings.
  static func loadReporting(_ spec: String) throws -> Dataset {
    let source = try DatasetSource(spec)
    let t0 = wallClock()
    Console.log("loading \(source)…")
    let d = try source.load()
    Console.log(
      "loaded \(d.playlistCount) playlists, \(d.playlists.entryCount) entries in \(formatDuration(wallClock() - t0))"
    )
    for w in d.warnings.lines { Console.log("warning: \(w)") }
    return d
  }
}

/// Pretty, key-sorted JSON of any Encodable value.
func jsonString<T: Encodable>(_ value: T) throws -> String {
  let e = JSONEncoder()
  e.outputFormatting = [.prettyPrinted, .sortedKeys]
  return String(decoding: try e.encode(value), as: UTF8.self)
}
