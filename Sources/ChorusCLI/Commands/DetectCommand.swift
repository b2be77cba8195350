// `chorus detect`: how visible a planted collective is to a platform that screens its training
// data. Reads a dataset written by `chorus plant` and its edit log (the ground truth), scores
// every playlist with the detectors of the Defences module and prints ROC AUC, precision,
// recall and false-positive rate at one flag rate, or above thresholds set on the dataset
// before planting for a chosen false-positive rate. The detection logic lives in Defences.
import ChorusCore
import CollectiveAction
import Defences
import Foundation
import PlaylistData

enum DetectCommand {
  static var spec: CommandSpec {
    CommandSpec(
      name: "detect",
      abstract: "Score every playlist for planting and measure how well that finds the collective.",
      discussion:
        "Each playlist gets a suspicion score from track-level positional anomalies: a track that follows a rare track (training frequency at most --rare-max-count) far more often than tracks do on average (rare-predecessor; DirLoF's pattern), or that ends its playlist far more often than average (last-position; AtTheEnd's pattern); on request (--traits) also a track followed by its most frequent successor far more often than average (repeated-successor; InClust's pattern). A track's score is the Chernoff exponent of the binomial tail, n·KL(x/n ‖ q), in nats; a playlist's is the largest score of a track showing the trait in it; 'combined' is the maximum over the traits. The platform flags the ⌈rate · playlists⌉ most suspicious playlists (ties by dataset order), or, with --false-positive-rate q and --clean, every playlist scoring above a threshold set on the dataset before planting (at most a share q of its playlists lie above it; Experiments/PROTOCOL.md §8); precision, recall and the false-positive rate are measured against the edit log. The detector sees only the data, never s* or the log. See Experiments/PROTOCOL.md.",
      options: [
        .option(
          "dataset", short: "d", value: "input",
          help: "The planted dataset (as written by 'chorus plant').", required: true),
        .option(
          "edits", value: "csv", help: "The edit log 'chorus plant' wrote beside it.",
          required: true),
        .option(
          "traits", value: "list",
          help:
            "Comma-separated traits: \(OccurrenceTrait.names).",
          default: OccurrenceTrait.defaults.map(\.rawValue).joined(separator: ",")),
        .option(
          "rare-max-count", value: "n",
          help: "A predecessor is rare at this training frequency or below.", default: "1"),
        .option(
          "flag-rate", value: "f", help: "Share of playlists the platform flags, in [0, 1].",
          default: "0.001"),
        .option(
          "false-positive-rate", value: "q",
          help:
            "Instead of a flag rate: flag every playlist above a threshold set on --clean, so that at most this share of its playlists lie above it, in (0, 1)."
        ),
        .option(
          "clean", value: "input",
          help:
            "The dataset before planting (what 'chorus plant' read), for --false-positive-rate."),
        .option(
          "out", short: "o", value: "csv",
          help: "Also write pid,score,planted,flagged for every playlist."),
        .flag("json", help: "Print JSON."),
      ],
      action: { p in try run(p) })
  }

  static func run(_ p: ParsedCommand) throws -> Int32 {
    let traits = try p.value("traits").map(parseTraits) ?? OccurrenceTrait.defaults
    let rareMaxCount = try p.int("rare-max-count", min: 0) ?? 1
    let flagRate = try p.double("flag-rate") ?? 0.001
    guard flagRate >= 0 && flagRate <= 1 else {
      throw ChorusError(
        .usage, "--flag-rate \(flagRate) is outside [0, 1]", field: "flag-rate",
        hint: "give the share of playlists to flag, e.g. 0.001")
    }
    let falsePositiveRate = try p.double("false-positive-rate")
    if let q = falsePositiveRate {
      guard q > 0 && q < 1 else {
        throw ChorusError(
          .usage, "--false-positive-rate \(q) is outside (0, 1)", field: "false-positive-rate",
          hint: "give the share of honest playlists the platform accepts to flag, e.g. 0.01")
      }
      guard p.value("flag-rate") == nil else {
        throw ChorusError(
          .usage, "--flag-rate and --false-positive-rate set the flags two ways",
          field: "flag-rate",
          hint: "give one: --flag-rate p flags the top share, --false-positive-rate q with --clean "
            + "calibrates a threshold on the clean data")
      }
      guard p.value("clean") != nil else {
        throw ChorusError(
          .usage, "--false-positive-rate needs --clean", field: "clean",
          hint: "give the dataset before planting, e.g. --clean synthetic:small")
      }
    } else if p.value("clean") != nil {
      throw ChorusError(
        .usage, "--clean is only used with --false-positive-rate", field: "clean",
        hint: "add --false-positive-rate q, or leave --clean out to flag at --flag-rate")
    }
    let editsPath = p.required("edits")
    let collective = try EditsCSV.readPIDs(path: editsPath)
    let dataset = try DatasetCommands.loadReporting(p.required("dataset"))
    let row = Dictionary(
      dataset.pids.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
    var isPlanted = [Bool](repeating: false, count: dataset.playlistCount)
    for (i, pid) in collective.enumerated() {
      guard let r = row[pid] else {
        throw ChorusError(
          .data, "pid \(pid) of the edit log is not in the dataset", file: editsPath,
          line: i + 2, field: "pid",
          hint: "give the dataset that 'chorus plant' wrote together with this edit log")
      }
      isPlanted[r] = true
    }
    let detector = PlantingDetector(traits: traits, rareMaxCount: rareMaxCount)
    let report: DetectionReport
    if let q = falsePositiveRate {
      let cleanPath = p.required("clean")
      let clean = try DatasetCommands.loadReporting(cleanPath)
      guard clean.playlistCount > 0 else {
        throw ChorusError(
          .data, "the clean dataset has no playlists, so no threshold can be set on it",
          file: cleanPath, field: "clean",
          hint: "give the dataset that 'chorus plant' read (before planting)")
      }
      report = DetectionReport(
        playlists: dataset.playlists, trackCount: dataset.catalogue.trackCount,
        isPlanted: isPlanted, detector: detector, falsePositiveRate: q,
        clean: clean.playlists, cleanTrackCount: clean.catalogue.trackCount)
    } else {
      report = DetectionReport(
        playlists: dataset.playlists, trackCount: dataset.catalogue.trackCount,
        isPlanted: isPlanted, detector: detector, flagRate: flagRate)
    }
    if let out = p.value("out") {
      try FileIO.writeAtomically(report.scoresCSV(pids: dataset.pids), to: out)
    }
    if p.flag("json") {
      struct Output: Encodable {
        var playlists: Int
        var collective: Int
        var flagRate: Double?
        var falsePositiveRate: Double?
        var thresholds: [Double]?
        var rareMaxCount: Int
        var rows: [DetectionReport.Row]
      }
      Console.out(
        try jsonString(
          Output(
            playlists: dataset.playlistCount, collective: collective.count,
            flagRate: report.flagRate, falsePositiveRate: report.falsePositiveRate,
            thresholds: report.thresholds, rareMaxCount: rareMaxCount, rows: report.rows)))
    } else {
      let how =
        falsePositiveRate.map {
          "flagging every playlist above the thresholds set on the clean data for a false-positive rate of \(String(format: "%g", $0 * 100))%"
        } ?? "flagging the top \(String(format: "%g", flagRate * 100))%"
      Console.out(
        "\(collective.count) collective playlists among \(dataset.playlistCount); \(how)")
      Console.out(report.markdownTable)
      if let thresholds = report.thresholds {
        Console.out(
          "thresholds (flag a score above it): "
            + zip(report.rows, thresholds).map { "\($0.detector) \(String(format: "%g", $1))" }
            .joined(separator: ", "))
      }
    }
    return 0
  }

  /// The traits named in a comma-separated list (no repeats).
  static func parseTraits(_ list: String) throws -> [OccurrenceTrait] {
    var traits: [OccurrenceTrait] = []
    for name in list.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) {
      guard let t = OccurrenceTrait(rawValue: name) else {
        throw ChorusError(
          .usage, "unknown trait '\(name)'", field: "traits",
          hint:
            "choose from \(OccurrenceTrait.names)")
      }
      if !traits.contains(t) { traits.append(t) }
    }
    guard !traits.isEmpty else {
      throw ChorusError(.usage, "--traits names no trait", field: "traits")
    }
    return traits
  }
}
