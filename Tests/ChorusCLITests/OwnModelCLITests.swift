// The "your own model" chain of the docs, end to end on synthetic:tiny: export to MPD JSON,
// plant a collective, export the fold's split with and without it, recommend with a model
// written here (next track, then popularity — the docs' Python script), and score with
// `chorus evaluate`. Its s* numbers are recomputed from the exported files.
import ChorusCore
import ChorusTestSupport
import Foundation
import Testing

@Suite struct OwnModelCLITests {
  /// The docs' model: what followed the seed's last track in training (most often first),
  /// then the most popular tracks; ties by popularity, then id; seeds excluded; `k` tracks.
  static func recommend(training: String, seeds: String, k: Int) throws -> [(Int, [String])] {
    var popularity: [String: Int] = [:]
    var follows: [String: [String: Int]] = [:]
    for line in try String(contentsOfFile: training, encoding: .utf8).split(separator: "\n") {
      let tracks = line.split(separator: " ").map(String.init)
      for t in Set(tracks) { popularity[t, default: 0] += 1 }
      for (a, b) in zip(tracks, tracks.dropFirst()) { follows[a, default: [:]][b, default: 0] += 1 }
    }
    func rank(_ counts: [String: Int]) -> [String] {
      counts.keys.sorted {
        (counts[$0]!, popularity[$0] ?? 0, $1) > (counts[$1]!, popularity[$1] ?? 0, $0)
      }
    }
    let popular = Array(rank(popularity).prefix(1000))
    let json = try JSONSerialization.jsonObject(with: FileIO.read(seeds)) as! [String: Any]
    return (json["playlists"] as! [[String: Any]]).map { p in
      let seed = (p["tracks"] as! [[String: Any]]).map { $0["track_uri"] as! String }
      var seen = Set(seed)
      var recs: [String] = []
      let nexts = seed.last.map { rank(follows[$0] ?? [:]) } ?? []
      for t in nexts + popular where recs.count < k && seen.insert(t).inserted {
        recs.append(t)
      }
      return (p["pid"] as! Int, recs)
    }
  }

  func chorus(_ args: [String]) throws -> String {
    let r = try ChorusBinary.run(args)
    #expect(r.status == 0, "chorus \(args.joined(separator: " ")): \(r.stderr)")
    return r.stdout
  }

  @Test func plantSplitRecommendEvaluate() throws {
    let dir = TemporaryDirectory()
    let (target, budget) = ("chorus:target:0", 20)
    _ = try chorus([
      "dataset", "convert", "synthetic:tiny", "--format", "mpd", "--out", dir.file("mpd"),
    ])
    _ = try chorus([
      "plant", "--dataset", dir.file("mpd"), "--strategy", "dirlof", "--budget", "\(budget)",
      "--out", dir.file("planted"), "--format", "mpd",
    ])
    for (data, out) in [("planted", "split"), ("mpd", "split-clean")] {
      _ = try chorus([
        "dataset", "split", dir.file(data), "--fold", "0", "--out", dir.file(out), "--format",
        "text",
      ])
    }
    // The collective only touches training playlists: the test set is the same.
    for name in ["test-seeds.json", "test-truth.csv"] {
      #expect(
        try FileIO.read(dir.file("split/\(name)")) == FileIO.read(dir.file("split-clean/\(name)")))
    }
    // The planted training data hold s* once in each of the collective's playlists.
    func entries(_ path: String) throws -> [Substring] {
      try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isWhitespace)
    }
    let planted = try entries(dir.file("split/training.txt"))
    let clean = try entries(dir.file("split-clean/training.txt"))
    #expect(planted.filter { $0 == target }.count == budget)
    #expect(planted.count == clean.count + budget)
    let edits = try String(contentsOfFile: dir.file("planted/edits.csv"), encoding: .utf8)
    #expect(edits.split(separator: "\n").count == budget + 1)

    // The external model, on each training set; its CSV as the docs write it.
    var held: [Int: Int] = [:]
    let truth = try String(contentsOfFile: dir.file("split/test-truth.csv"), encoding: .utf8)
    for line in truth.split(separator: "\n").dropFirst() {
      held[Int(line.split(separator: ",")[0])!, default: 0] += 1
    }
    var lists: [String: [(Int, [String])]] = [:]
    for split in ["split", "split-clean"] {
      let recs = try Self.recommend(
        training: dir.file("\(split)/training.txt"), seeds: dir.file("\(split)/test-seeds.json"),
        k: 500)
      lists[split] = recs
      _ = dir.write(
        "\(split).csv",
        "pid,tracks\n"
          + recs.map { ([String($0.0)] + $0.1).joined(separator: ",") }.joined(separator: "\n"))
    }
    let recs = lists["split"]!
    let r = recs.filter { pid, list in list.prefix(held[pid]!).contains(target) }.count
    let inList = recs.filter { $0.1.contains(target) }.count
    #expect(inList > 0, "s* reaches the model's lists: the chain is not vacuous")

    let json = try chorus([
      "evaluate", "--dataset", dir.file("planted"), "--recommendations", dir.file("split.csv"),
      "--target", target, "--budget", "\(budget)", "--json", "--out", dir.file("accuracy.csv"),
    ])
    let report = try #require(
      try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
    let t = try #require(report["target"] as? [String: Any])
    #expect(t["testPlaylists"] as? Int == recs.count)
    #expect(t["recommendations"] as? Int == r)
    #expect(t["inList"] as? Int == inList)
    #expect(t["trainingOccurrences"] as? Int == budget)
    // N_train counts the training entries before the collective added s*.
    #expect(t["trainingEntries"] as? Int == clean.count)
    let totalHeld = held.values.reduce(0, +)
    let amplification = (Double(r) / Double(totalHeld)) / (Double(budget) / Double(clean.count))
    #expect(approximatelyEqual(try #require(t["amplification"] as? Double), amplification))
    // The clean model scored on the clean data: the same test playlists, no s*.
    let cleanJSON = try chorus([
      "evaluate", "--dataset", dir.file("mpd"), "--recommendations", dir.file("split-clean.csv"),
      "--target", target, "--json", "--out", dir.file("accuracy-clean.csv"),
    ])
    let cleanReport = try #require(
      try JSONSerialization.jsonObject(with: Data(cleanJSON.utf8)) as? [String: Any])
    let cleanTarget = try #require(cleanReport["target"] as? [String: Any])
    #expect(cleanTarget["recommendations"] as? Int == 0)
    // The per-seed-length CSVs the docs read with pandas: these columns, seed lengths 1…10
    // and a last row "all".
    for name in ["accuracy.csv", "accuracy-clean.csv"] {
      let lines = try String(contentsOfFile: dir.file(name), encoding: .utf8)
        .split(separator: "\n")
      #expect(
        lines.first
          == "seed_length,r_precision,r_precision_official,ndcg,clicks,precision,recall")
      let seedLengths: [String] = lines.dropFirst().map { String($0.split(separator: ",")[0]) }
      let expected: [String] = (1...10).map { String($0) } + ["all"]
      #expect(seedLengths == expected)
    }
  }
}
