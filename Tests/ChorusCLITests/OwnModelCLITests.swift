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

  /// The externality outputs need the clean model's recommendations: refused as usage (64)
  /// before anything is read.
  @Test func externalityOptionsNeedABaseline() throws {
    for option in ["--edits", "--externalities", "--songs"] {
      let r = try ChorusBinary.run([
        "evaluate", "--dataset", "synthetic:tiny", "--recommendations", "missing.csv", option,
        "x.csv",
      ])
      #expect(r.status == 64, "\(option)")
      #expect(r.stderr.contains("needs --baseline"), "\(option): \(r.stderr)")
    }
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
    // The externalities against the clean model, recomputed here from the exported files as
    // the docs' pandas code does: top-R counts of every track in both lists, categories from
    // the edit log (direct wins), training frequency from the planted training playlists.
    let extJSON = try chorus([
      "evaluate", "--dataset", dir.file("planted"), "--recommendations", dir.file("split.csv"),
      "--target", target, "--baseline", dir.file("split-clean.csv"), "--edits",
      dir.file("planted/edits.csv"), "--externalities", dir.file("ext.csv"), "--songs",
      dir.file("songs.csv"), "--json",
    ])
    func topR(_ lists: [(Int, [String])]) -> [String: Int] {
      var c: [String: Int] = [:]
      for (pid, list) in lists { for t in list.prefix(held[pid]!) { c[t, default: 0] += 1 } }
      return c
    }
    let (r0, r1) = (topR(lists["split-clean"]!), topR(recs))
    let editRows = edits.split(separator: "\n").dropFirst().map {
      $0.split(separator: ",", omittingEmptySubsequences: false).map(String.init)
    }
    let direct = Set(editRows.map { $0[2] }.filter { !$0.isEmpty })
    let indirect = Set(editRows.map { $0[3] }.filter { !$0.isEmpty }).subtracting(direct)
    var expected: [String: (songs: Int, r0: Int, r: Int)] = [:]
    for track in Set(r0.keys).union(r1.keys).union(direct).union(indirect) where track != target {
      let category =
        direct.contains(track) ? "direct" : indirect.contains(track) ? "indirect" : "other"
      var e = expected[category] ?? (0, 0, 0)
      e.songs += 1
      e.r0 += r0[track] ?? 0
      e.r += r1[track] ?? 0
      expected[category] = e
    }
    let ext = try #require(
      (try JSONSerialization.jsonObject(with: Data(extJSON.utf8)) as? [String: Any])?[
        "externalities"] as? [String: Any])
    let categories = try #require(ext["categories"] as? [[String: Any]])
    #expect(categories.map { $0["category"] as! String } == ["direct", "indirect", "other"])
    for c in categories {
      let e = try #require(expected[c["category"] as! String])
      #expect(c["songs"] as? Int == e.songs && c["r0"] as? Int == e.r0 && c["r"] as? Int == e.r)
    }
    // s* took top-R places: other songs lost exactly as many as s* gained, in total.
    let lost = expected.values.reduce(0) { $0 + $1.r0 - $1.r }
    #expect(lost == r - (r0[target] ?? 0))
    // The bins split each category's songs by training frequency (powers of two).
    var frequency: [String: Int] = [:]
    for line in try String(contentsOfFile: dir.file("split/training.txt"), encoding: .utf8)
      .split(separator: "\n")
    {
      for t in Set(line.split(separator: " ").map(String.init)) { frequency[t, default: 0] += 1 }
    }
    let bins = try #require(ext["bins"] as? [[String: Any]])
    for b in bins {
      let (low, high) = (b["low"] as! Int, b["high"] as! Int)
      let category = b["category"] as! String
      let songs = Set(r0.keys).union(r1.keys).union(direct).union(indirect).filter { t in
        t != target
          && (direct.contains(t) ? "direct" : indirect.contains(t) ? "indirect" : "other")
            == category
          && (low...high).contains(frequency[t] ?? 0)
      }
      #expect(b["songs"] as? Int == songs.count, "\(category) \(low)…\(high)")
      #expect(b["r"] as? Int == songs.reduce(0) { $0 + (r1[$1] ?? 0) })
    }
    // The songs CSV: a row per song whose R changed (and every anchor, and s*).
    let songRows = try String(contentsOfFile: dir.file("songs.csv"), encoding: .utf8)
      .split(separator: "\n")
    #expect(songRows.first == "track_id,category,training_frequency,r0,r,delta_r")
    let changed = Set(r0.keys).union(r1.keys).filter { (r0[$0] ?? 0) != (r1[$0] ?? 0) }
    let listed = Set(songRows.dropFirst().map { String($0.split(separator: ",")[0]) })
    #expect(listed == changed.union(direct).union(indirect).union([target]))
    let extCSV = try String(contentsOfFile: dir.file("ext.csv"), encoding: .utf8)
    #expect(
      extCSV.hasPrefix(
        "category,freq_low,freq_high,songs,r0,r,delta_r,delta_r_mean,delta_r_over_r0\n"))
    #expect(extCSV.split(separator: "\n").count == 1 + bins.count + categories.count)

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
