// `chorus detect` end to end: plant a collective, then score the planted dataset against its
// edit log; a wrong edit log, an unknown pid and an unknown trait are refused with the place
// named and the right exit code.
import ChorusCore
import ChorusTestSupport
import Foundation
import Testing

@Suite struct DetectCLITests {
  /// Plants AtTheEnd with 6 playlists of synthetic:tiny into dir/p.json (and p.edits.csv).
  func plantAtTheEnd(_ dir: TemporaryDirectory) throws {
    let r = try ChorusBinary.run([
      "plant", "--dataset", "synthetic:tiny", "--strategy", "at-the-end", "--budget", "6",
      "--out", dir.file("p.json"),
    ])
    #expect(r.status == 0, "\(r.stderr)")
  }

  @Test func detectsAPlantedCollectiveAndWritesEveryScore() throws {
    let dir = TemporaryDirectory()
    try plantAtTheEnd(dir)
    let d = try ChorusBinary.run([
      "detect", "--dataset", dir.file("p.json"), "--edits", dir.file("p.edits.csv"),
      "--flag-rate", "0.05", "--out", dir.file("scores.csv"),
    ])
    #expect(d.status == 0, "\(d.stderr)")
    #expect(d.stdout.contains("6 collective playlists among"))
    #expect(d.stdout.contains("| combined |"))
    let rows = try String(contentsOfFile: dir.file("scores.csv"), encoding: .utf8)
      .split(separator: "\n").dropFirst()
    #expect(rows.filter { $0.split(separator: ",")[2] == "1" }.count == 6)
    // AtTheEnd appends s* to six playlists: every one of them ends with the same track, which
    // the last-position trait sees; the JSON gives the numbers.
    let j = try ChorusBinary.run([
      "detect", "--dataset", dir.file("p.json"), "--edits", dir.file("p.edits.csv"),
      "--traits", "last-position", "--json",
    ])
    #expect(j.status == 0, "\(j.stderr)")
    struct Output: Decodable {
      struct Row: Decodable {
        struct Metrics: Decodable { var rocAUC: Double? }
        var detector: String
        var metrics: Metrics
      }
      var collective: Int
      var rows: [Row]
    }
    let out = try JSONDecoder().decode(Output.self, from: Data(j.stdout.utf8))
    #expect(out.collective == 6 && out.rows.map(\.detector) == ["last-position"])
    #expect((out.rows[0].metrics.rocAUC ?? 0) > 0.9)
  }

  /// With --false-positive-rate and --clean the thresholds are set on the dataset before
  /// planting: one per row (two traits and the combination), the CSV flags exactly the
  /// playlists above the combined threshold, and AtTheEnd's six members are all above it.
  /// Either option alone, or a rate outside (0, 1), is a usage error.
  @Test func aFalsePositiveRateIsCalibratedOnTheCleanDataset() throws {
    let dir = TemporaryDirectory()
    try plantAtTheEnd(dir)
    let base = ["detect", "--dataset", dir.file("p.json"), "--edits", dir.file("p.edits.csv")]
    let j = try ChorusBinary.run(
      base + [
        "--false-positive-rate", "0.05", "--clean", "synthetic:tiny", "--json", "--out",
        dir.file("scores.csv"),
      ])
    #expect(j.status == 0, "\(j.stderr)")
    struct Output: Decodable {
      struct Row: Decodable {
        struct Metrics: Decodable { var truePositives: Int }
        var detector: String
        var metrics: Metrics
      }
      var flagRate: Double?
      var falsePositiveRate: Double?
      var thresholds: [Double]
      var rows: [Row]
    }
    let out = try JSONDecoder().decode(Output.self, from: Data(j.stdout.utf8))
    #expect(out.flagRate == nil && out.falsePositiveRate == 0.05)
    #expect(out.thresholds.count == 3 && out.rows.map(\.detector).last == "combined")
    #expect(out.rows.last?.metrics.truePositives == 6)
    let rows = try String(contentsOfFile: dir.file("scores.csv"), encoding: .utf8)
      .split(separator: "\n").dropFirst().map { $0.split(separator: ",") }
    for row in rows {
      let above = Double(row[1])! > out.thresholds[2]
      #expect((row[3] == "1") == above, "\(row)")
    }
    for bad in [
      ["--false-positive-rate", "0.05"], ["--clean", "synthetic:tiny"],
      ["--false-positive-rate", "1", "--clean", "synthetic:tiny"],
      ["--flag-rate", "0.01", "--false-positive-rate", "0.05", "--clean", "synthetic:tiny"],
    ] {
      let e = try ChorusBinary.run(base + bad)
      #expect(e.status == 64, "\(bad): \(e.stderr)")
    }
    // A clean dataset with no playlists sets no threshold: refused, naming the file.
    try #"{"info": {}, "playlists": []}"#.write(
      toFile: dir.file("empty.json"), atomically: true, encoding: .utf8)
    let empty = try ChorusBinary.run(
      base + ["--false-positive-rate", "0.05", "--clean", dir.file("empty.json"), "--json"])
    #expect(empty.status == 1, "\(empty.stderr)")
    #expect(empty.stderr.contains("empty.json") && empty.stderr.contains("no playlists"))
  }

  /// `chorus report` on a folder laid out as Experiments/detection-sweep.sh writes it (one
  /// `detect --json` per strategy, size and fold in a rate-R folder per flag rate) draws the
  /// sweep's figure from the real JSON.
  @Test func reportDrawsADetectionSweep() throws {
    let dir = TemporaryDirectory()
    let sweep = dir.file("sweep")
    for fold in [0, 1] {
      let planted = dir.file("p\(fold)")
      let r = try ChorusBinary.run([
        "plant", "--dataset", "synthetic:tiny", "--strategy", "at-the-end", "--budget", "6",
        "--fold", "\(fold)", "--folds", "2", "--out", planted + ".json",
      ])
      #expect(r.status == 0, "\(r.stderr)")
      for rate in ["0.02", "0.05"] {
        try FileManager.default.createDirectory(
          atPath: sweep + "/rate-\(rate)", withIntermediateDirectories: true)
        let d = try ChorusBinary.run([
          "detect", "--dataset", planted + ".json", "--edits", planted + ".edits.csv",
          "--flag-rate", rate, "--json",
        ])
        #expect(d.status == 0, "\(d.stderr)")
        try d.stdout.write(
          toFile: sweep + "/rate-\(rate)/at-the-end-b6-f\(fold).json", atomically: true,
          encoding: .utf8)
      }
    }
    let report = try ChorusBinary.run(["report", sweep])
    #expect(report.status == 0, "\(report.stderr)")
    #expect(report.stdout.contains("figures/detection.svg"))
    let svg = try String(contentsOfFile: sweep + "/figures/detection.svg", encoding: .utf8)
    for title in ["recall at flag rate 2%", "recall at flag rate 5%", "ROC AUC (any flag rate)"] {
      #expect(svg.contains(">\(title)</text>"))
    }
    // One strategy at one size: a marker per panel (two recall, two precision, one AUC).
    #expect(svg.components(separatedBy: "<circle class=\"marker\"").count - 1 == 5)
    #expect(!FileManager.default.fileExists(atPath: sweep + "/report.md"))
  }

  @Test func badInputIsRefusedWithThePlaceNamed() throws {
    let dir = TemporaryDirectory()
    _ = try ChorusBinary.run([
      "plant", "--dataset", "synthetic:tiny", "--strategy", "dirlof", "--budget", "3",
      "--out", dir.file("p.json"),
    ])
    let notALog = dir.write("other.csv", "a,b\n1,2\n")
    let wrong = try ChorusBinary.run([
      "detect", "--dataset", dir.file("p.json"), "--edits", notALog,
    ])
    #expect(wrong.status == 1)
    #expect(wrong.stderr.contains("other.csv:1: not an edit log"))
    let log = try String(contentsOfFile: dir.file("p.edits.csv"), encoding: .utf8)
    let unknown = dir.write("unknown.csv", log + "999999999,0,,,,,,,direct\n")
    let missing = try ChorusBinary.run([
      "detect", "--dataset", dir.file("p.json"), "--edits", unknown,
    ])
    #expect(missing.status == 1)
    #expect(
      missing.stderr.contains("unknown.csv:5: pid 999999999 of the edit log is not in the dataset"))
    let trait = try ChorusBinary.run([
      "detect", "--dataset", dir.file("p.json"), "--edits", dir.file("p.edits.csv"), "--traits",
      "rare-predecesor",
    ])
    #expect(trait.status == 64)
    #expect(trait.stderr.contains("unknown trait 'rare-predecesor'"))
  }
}
