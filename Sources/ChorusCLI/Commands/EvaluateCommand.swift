// `chorus evaluate`: score recommendations made by any other system (e.g. the study's
// transformer) with the lab's evaluator, on one fold's test contexts as exported by
// `chorus dataset split --out`. Input CSV rows: test playlist pid, then ranked track ids.
import ChorusCore
import Evaluation
import Foundation
import PlaylistData
import Recommenders

enum EvaluateCommand {
  static var spec: CommandSpec {
    CommandSpec(
      name: "evaluate", abstract: "Score external recommendations with the lab's measures.",
      discussion:
        "The CSV has one row per test playlist: its pid, then the recommended track ids, best first (a header row starting with 'pid' is skipped). Export the fold's test seeds with 'chorus dataset split INPUT --fold K --out DIR'. Track ids not in the dataset count as irrelevant; --target names s* to report its exposure.",
      options: [
        .option(
          "dataset", short: "d", value: "input",
          help: "The dataset the recommendations were made for.", required: true),
        .option("fold", value: "k", help: "Fold index.", default: "0"),
        .option("folds", value: "n", help: "Number of folds.", default: "5"),
        .option("seed", value: "n", help: "Base seed.", default: "0"),
        .option(
          "test-size", value: "n", help: "Test playlists (a multiple of 10).",
          default: "min(10000, 5% of eligible)"),
        .option(
          "recommendations", short: "r", value: "csv", help: "The recommendations.", required: true),
        .option("target", value: "id", help: "External id of s* (report its exposure)."),
        .option(
          "out", short: "o", value: "csv", help: "Also write per-seed-length accuracy to this CSV."),
        .flag("json", help: "Print JSON."),
      ],
      action: { p in try run(p) })
  }

  static func run(_ p: ParsedCommand) throws -> Int32 {
    let config = try DatasetCommands.splitConfig(p)
    let dataset = try DatasetCommands.loadReporting(p.required("dataset"))
    let fold = try p.int("fold", min: 0) ?? 0
    let split = try FoldSplit(store: dataset.playlists, config: config, fold: fold)
    let path = p.required("recommendations")
    let text = String(decoding: try FileIO.read(path), as: UTF8.self)
    var row: [Int64: Int] = [:]
    for (i, pl) in split.test.enumerated() { row[dataset.pids[pl]] = i }
    let ids = Interner(pool: dataset.catalogue.trackIDs)
    var lists = [[Int32]?](repeating: nil, count: split.test.count)
    var unknown = Interner()
    let targetID = p.value("target")
    var k = 0
    for (n, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
      let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
      guard let first = fields.first, !first.isEmpty else { continue }
      if n == 0 && first.lowercased() == "pid" { continue }
      guard let pid = Int64(first) else {
        throw ChorusError(
          .data, "'\(first)' is not a playlist pid", file: path, line: n + 1,
          hint: "each row starts with a test playlist's pid")
      }
      guard let i = row[pid] else {
        throw ChorusError(
          .data, "pid \(pid) is not a test playlist of fold \(fold)", file: path, line: n + 1,
          hint:
            "use the pids of 'chorus dataset split … --fold \(fold) --out DIR' (test-seeds.json)")
      }
      guard lists[i] == nil else {
        throw ChorusError(.data, "pid \(pid) appears twice", file: path, line: n + 1)
      }
      lists[i] = fields.dropFirst().map { id in
        if let t = ids.find(id) { return t }
        // Unknown ids (and s*) get ids beyond the catalogue: never relevant.
        return Int32(dataset.trackCount) + unknown.intern(id).id
      }
      k = max(k, fields.count - 1)
    }
    let missing = lists.indices.filter { lists[$0] == nil }
    guard missing.isEmpty else {
      throw ChorusError(
        .data,
        "\(missing.count) test playlists have no recommendations (e.g. pid \(dataset.pids[split.test[missing[0]]]))",
        file: path, hint: "give one row per test playlist of the fold")
    }
    guard k > 0 else { throw ChorusError(.data, "no recommendations in the file", file: path) }
    var items = [Int32](repeating: -1, count: lists.count * k)
    for (i, l) in lists.enumerated() { for (j, t) in l!.enumerated() { items[i * k + j] = t } }
    let table = RecommendationTable(k: k, items: items)
    // Tracks beyond the catalogue get their own artists in the report.
    let report = AccuracyReport(table: table, split: split, dataset: dataset)
    var targetLine = ""
    let truthLengths = (0..<split.test.count).map {
      split.context(ofTest: $0, in: dataset.playlists).truth.count
    }
    if let targetID {
      let t = ids.find(targetID) ?? unknown.find(targetID).map { Int32(dataset.trackCount) + $0 }
      let counts = TopRCounts(
        table: table, truthLengths: truthLengths, trackCount: dataset.trackCount + unknown.count)
      let r = t.map { Int(counts.counts[Int($0)]) } ?? 0
      targetLine = "target \(targetID): in top-R of \(r) of \(split.test.count) test playlists"
    }
    if let out = p.value("out") {
      var csv = "seed_length," + PlaylistMetrics.names.joined(separator: ",") + "\n"
      for (b, m) in report.perSeedLength.enumerated() {
        csv += "\(b + 1)," + m.values.map { "\($0)" }.joined(separator: ",") + "\n"
      }
      csv += "all," + report.overall.values.map { "\($0)" }.joined(separator: ",") + "\n"
      try FileIO.writeAtomically(csv, to: out)
    }
    if p.flag("json") {
      struct Output: Encodable {
        var fold: Int
        var k: Int
        var overall: PlaylistMetrics
        var perSeedLength: [PlaylistMetrics]
        var target: String?
      }
      Console.out(
        try jsonString(
          Output(
            fold: fold, k: k, overall: report.overall, perSeedLength: report.perSeedLength,
            target: targetLine.isEmpty ? nil : targetLine)))
    } else {
      Console.out("fold \(fold): \(split.test.count) test playlists, lists of \(k)")
      Console.out(TrainCommand.accuracyTable(report))
      if !targetLine.isEmpty { Console.out(targetLine) }
    }
    return 0
  }
}
