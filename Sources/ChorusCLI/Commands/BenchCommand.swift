// `chorus bench`: the lab's performance figures (speed and peak memory per stage), measured
// in a release build on this machine and printed as a table. Benchmarks live here, never in
// unit tests. Stages run in one process, so peak memory is the high-water mark after each.
import ChorusCore
import CollectiveAction
import Foundation
import PlaylistData
import Recommenders

enum BenchCommand {
  static var spec: CommandSpec {
    CommandSpec(
      name: "bench", abstract: "Measure speed and memory (build with -c release).",
      discussion:
        "Stages: generate the preset; write it as MPD slice JSON and read the slices back on one core (MB/s); write and load the .chorus cache; compute dataset statistics; statistics and planting on fold 0; the co-occurrence model (train, exact update of 10,000 playlists, top-500 for the test contexts); the embedding model (one epoch over the training playlists with dim 64, window 5, 5 negatives: training tokens per second; top-500 for the test contexts); ALS; the sequence models (one epoch of mean and transformer, fast preset, random initialisation: training tokens per second and peak memory; seq-train-paper, only when named, the transformer's paper preset). On --preset mpd this takes about five minutes (under a minute with --skip-embedding) and needs about 1 GB of free disk for the cache and the sample slices.",
      options: [
        .option("preset", value: "name", help: "tiny, small, medium or mpd.", default: "mpd"),
        .option(
          "slices", value: "n",
          help:
            "MPD slice files (1,000 playlists each) to write and read for the JSON throughput figure.",
          default: "20"),
        .option(
          "dir", value: "path",
          help:
            "Where to put scratch files: bench creates a fresh subfolder there and removes only that subfolder afterwards; nothing else in the folder is touched.",
          default: "the system temporary folder"),
        .option(
          "stages", value: "list",
          help:
            "Comma-separated stages to run after generating: json, cache, stats, planting, cooccurrence, embedding-train, embedding-search (embedding = both), als-train, seq-train; seq-train-paper runs only when named.",
          default: "all"),
        .flag(
          "skip-embedding",
          help: "Leave out the embedding stages (on --preset mpd they take several minutes)."),
        threadsOption, kernelsOption,
      ],
      action: { p in try run(p) })
  }

  struct Row {
    var stage: String
    var value: String
    var target: String
  }

  static func run(_ p: ParsedCommand) throws -> Int32 {
    let presetName = p.value("preset") ?? "mpd"
    guard let preset = SyntheticPreset(rawValue: presetName) else {
      throw ChorusError(.usage, "unknown preset '\(presetName)'")
    }
    let slices = try p.int("slices", min: 1, max: 1000) ?? 20
    let stages = try selectedStages(p.value("stages"), skipEmbedding: p.flag("skip-embedding"))
    let dir = try scratchFolder(in: p.value("dir"))
    defer { try? FileManager.default.removeItem(atPath: dir) }
    var rows: [Row] = []
    let isMPD = preset == .mpd
    func add(_ stage: String, _ value: String, _ target: String) {
      rows.append(Row(stage: stage, value: value, target: isMPD ? target : "-"))
      Console.log("  \(stage): \(value)")
    }
    #if DEBUG
      Console.log(
        "warning: this is a debug build; measure with 'swift run -c release chorus bench'")
    #endif
    Console.log("bench: preset \(preset.rawValue), \(ParallelConfig.threads) threads")

    // 1. Generate.
    var t = wallClock()
    let dataset = SyntheticGenerator.generate(preset: preset, seed: 0)
    add(
      "generate \(preset.rawValue) (\(dataset.playlistCount) playlists, \(dataset.playlists.entryCount) entries)",
      formatDuration(wallClock() - t), "≤ 60 s")
    add("peak memory after generate", formatBytes(peakResidentBytes()), "≤ 6 GB")

    // 2. MPD JSON: write `slices` slice files, read them back on one core.
    if stages.contains("json") {
      let sample = dataset.subset(Array(0..<min(dataset.playlistCount, slices * 1000)))
      let jsonDir = dir + "/mpd"
      try MPDJSONWriter.writeFolder(sample, to: jsonDir)
      let files = try MPDJSONReader.sliceFiles(in: jsonDir)
      var bytes = 0
      var best = Double.infinity
      for _ in 0..<3 {
        var builder = DatasetBuilder()
        t = wallClock()
        bytes = 0
        for f in files {
          let data = try FileIO.read(f)
          bytes += data.count
          try data.withUnsafeBytes { try MPDJSONReader.parse($0, path: f, into: &builder) }
        }
        best = min(best, wallClock() - t)
      }
      add(
        "read MPD slice JSON, one core (\(files.count) files, \(formatBytes(bytes)))",
        String(format: "%.0f MB/s", Double(bytes) / best / 1e6), "≥ 300 MB/s")
    }

    // 3. Binary cache.
    if stages.contains("cache") {
      let cache = dir + "/dataset.chorus"
      t = wallClock()
      try BinaryCache.write(dataset, to: cache)
      add("write .chorus cache", formatDuration(wallClock() - t), "-")
      t = wallClock()
      let loaded = try BinaryCache.read(path: cache)
      add("load .chorus cache", formatDuration(wallClock() - t), "≤ 2 s")
      precondition(loaded.playlists.entryCount == dataset.playlists.entryCount)
    }

    // 4. Statistics.
    if stages.contains("stats") {
      t = wallClock()
      let stats = DatasetStatistics(dataset: dataset)
      add("dataset stats", formatDuration(wallClock() - t), "≤ 5 s")
      _ = stats
    }

    // 5. Fold 0, the collective's statistics and planting.
    let split = try FoldSplit(store: dataset.playlists, config: SplitConfig(), fold: 0)
    let training = split.trainingStore(in: dataset.playlists)
    let target = Int32(dataset.trackCount)
    if stages.contains("planting") {
      t = wallClock()
      let truth = SongCounts.count(
        in: dataset.playlists, playlists: split.training, trackCount: dataset.trackCount)
      add(
        "full-information statistics (\(split.training.count) training playlists)",
        formatDuration(wallClock() - t), "≤ 5 s")
      let alphaCollective = try split.collective(alpha: 0.01)
      t = wallClock()
      let sampled = try FrequencyEstimate.make(
        .sample(fraction: 0.01), store: dataset.playlists, catalogue: dataset.catalogue,
        training: split.training,
        collective: alphaCollective, trueCounts: truth, seed: 0)
      add("sample:0.01 estimate", formatDuration(wallClock() - t), "≤ 2 s")
      _ = sampled
      let full = FrequencyEstimate.full(trueCounts: truth)
      for name in ["dirlof", "inclust", "hybrid:tau=2", "random"] {
        t = wallClock()
        _ = try Planting.plant(
          strategy: try Strategy(name: name), store: dataset.playlists, collective: alphaCollective,
          target: target,
          statistics: full, seed: 0)
        add(
          "plant \(name), α = 1% (\(alphaCollective.count) playlists)",
          formatDuration(wallClock() - t), "≤ 1 s")
      }
    }
    let contexts = split.contexts(in: dataset.playlists)

    // 6. Co-occurrence model: train, exact update, top-500.
    if stages.contains("cooccurrence") {
      t = wallClock()
      let model = try CoOccurrenceModel(playlists: training, trackCount: dataset.trackCount)
      add(
        "co-occurrence train (\(model.base.pairCount) pairs)", formatDuration(wallClock() - t),
        "≤ 20 s")
      let updateCollective = try split.collective(budget: min(10_000, split.collectiveOrder.count))
      let truth = SongCounts.count(
        in: dataset.playlists, playlists: split.training, trackCount: dataset.trackCount)
      let planted = try Planting.plant(
        strategy: .dirLoF, store: dataset.playlists, collective: updateCollective, target: target,
        statistics: FrequencyEstimate.full(trueCounts: truth), seed: 0)
      t = wallClock()
      let updated = model.updated(
        old: planted.old, new: planted.new, trackCount: dataset.trackCount + 1)
      add(
        "co-occurrence exact update of \(updateCollective.count) playlists",
        formatDuration(wallClock() - t), "≤ 1 s")
      _ = updated
      t = wallClock()
      let table = model.recommendAll(contexts, k: 500)
      add(
        "co-occurrence top-500 for \(contexts.count) contexts", formatDuration(wallClock() - t),
        "≤ 10 s")
      _ = table
    }

    // 7. Embedding model: one epoch for the training throughput (the search cost
    // does not depend on the number of epochs), then top-500 over every track.
    if stages.contains("embedding-train") {
      var config = EmbeddingConfig()
      config.epochs = 1
      t = wallClock()
      let embedding = try EmbeddingModel(
        playlists: training, trackCount: dataset.trackCount, config: config)
      let seconds = wallClock() - t
      add(
        "embedding train, 1 epoch (\(training.entryCount) tokens, dim 64, window 5, 5 negatives)",
        formatDuration(seconds), "-")
      add(
        "embedding training throughput",
        String(format: "%.3fM tokens/s", Double(training.entryCount) / seconds / 1e6),
        "≥ 0.5M tokens/s")
      if stages.contains("embedding-search") {
        t = wallClock()
        let measured = embedding.recommendAllMeasured(contexts, k: 500)
        add(
          "embedding top-500 for \(contexts.count) contexts over \(dataset.trackCount) tracks",
          formatDuration(wallClock() - t), "≤ 90 s")
        add("embedding search kernel level", KernelLevel.current.description, "-")
        add(
          "embedding search: share of exhaustive scoring done",
          String(format: "%.1f%%", measured.stats.fraction * 100), "-")
      }
    }
    // 8. ALS with the default config (64 factors, 10 iterations, 3 CG steps): training time.
    if stages.contains("als-train") {
      let config = ALSConfig()
      t = wallClock()
      _ = try ALSModel(playlists: training, trackCount: dataset.trackCount, config: config)
      add(
        "als train (\(training.count) playlists × \(dataset.trackCount) tracks, \(config.factors) factors, \(config.iterations) iterations, \(config.cgSteps) CG steps)",
        formatDuration(wallClock() - t), "≤ 5 min")
    }
    // 9. Sequence models: one epoch each from a random table (the ALS initialisation is
    // the als-train stage), training positions per second and the memory high-water mark.
    var sequenceRuns: [(SequenceAggregator, SequenceConfig, String)] = []
    if stages.contains("seq-train") {
      sequenceRuns += [
        (.mean, SequenceConfig(), "≤ 2 min"), (.transformer, SequenceConfig(), "≤ 2 min"),
      ]
    }
    if stages.contains("seq-train-paper") {
      sequenceRuns.append((.transformer, SequenceConfig.paper, "≤ 30 min"))
    }
    for (aggregator, preset, target) in sequenceRuns {
      var config = preset
      config.epochs = 1
      config.initialization = .random
      config.verbose = false
      let model = try SequenceModel(
        playlists: training, trackCount: dataset.trackCount, aggregator: aggregator,
        config: config)
      let epoch = model.history[0]
      let shape =
        aggregator == .mean
        ? "dim \(config.dim)"
        : "dim \(config.dim), \(config.heads) heads, feed-forward \(config.feedForward)"
      add(
        "\(aggregator.rawValue) train, 1 epoch, \(config.preset) preset (\(epoch.tokens) positions, \(shape), batch \(config.batchSize), \(config.nNeg) candidates)",
        formatDuration(epoch.seconds), target)
      add(
        "\(aggregator.rawValue) training throughput, \(config.preset) preset",
        String(format: "%.0f tokens/s", Double(epoch.tokens) / max(epoch.seconds, 1e-9)), "-")
      add(
        "peak memory after \(aggregator.rawValue) \(config.preset)",
        formatBytes(peakResidentBytes()), "-")
    }
    add("peak memory overall", formatBytes(peakResidentBytes()), "≤ 8 GB (model)")

    Console.out("| stage | measured | target |")
    Console.out("|---|---|---|")
    for r in rows { Console.out("| \(r.stage) | \(r.value) | \(r.target) |") }
    return 0
  }

  /// A new, empty scratch folder inside `parent` (default: the system temporary folder) that
  /// bench alone created, so removing it afterwards can never delete anything of the user's.
  static func scratchFolder(in parent: String?) throws -> String {
    let base = parent ?? NSTemporaryDirectory()
    try FileIO.ensureDirectory(base)
    let dir = (base as NSString).appendingPathComponent("chorus-bench-\(UUID().uuidString)")
    do {
      // Fails if the name exists: the folder is certainly bench's own.
      try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: false)
    } catch {
      throw ChorusError(
        .io, "cannot create a scratch folder: \(error.localizedDescription)", file: dir,
        hint: "give --dir a writable folder")
    }
    return dir
  }

  static let allStages = [
    "json", "cache", "stats", "planting", "cooccurrence", "embedding-train", "embedding-search",
    "als-train", "seq-train",
  ]

  /// Stages that run only when `--stages` names them (too slow for every bench).
  static let optInStages = ["seq-train-paper"]

  /// The stages `--stages` names (all by default); `embedding` means both embedding stages, and
  /// the search needs the trained model, so it brings the training along.
  static func selectedStages(_ list: String?, skipEmbedding: Bool) throws -> Set<String> {
    var chosen = Set<String>()
    if let list, list != "all" {
      for raw in list.split(separator: ",") {
        let name = raw.trimmingCharacters(in: .whitespaces)
        if name == "embedding" {
          chosen.formUnion(["embedding-train", "embedding-search"])
        } else if allStages.contains(name) || optInStages.contains(name) {
          chosen.insert(name)
        } else {
          throw ChorusError(
            .usage,
            "unknown bench stage '\(name)' in --stages; choose from \((allStages + optInStages + ["embedding"]).joined(separator: ", "))"
          )
        }
      }
      if chosen.contains("embedding-search") { chosen.insert("embedding-train") }
    } else {
      chosen = Set(allStages)
    }
    if skipEmbedding { chosen.subtract(["embedding-train", "embedding-search"]) }
    return chosen
  }
}
