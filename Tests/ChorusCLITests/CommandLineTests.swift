// End-to-end tests of the built `chorus` binary: output, exit codes (0 ok, 1 bad data or I/O,
// 64 usage or configuration), messages on stderr, and that failed commands leave no output
// files behind.
import ChorusCore
import ChorusTestSupport
import Foundation
import PlaylistData
import Testing

/// Runs the `chorus` executable built next to the test bundle.
struct ChorusBinary {
  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  static var path: String {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    // The test runner lives in .build/<triple>/debug/; `chorus` sits beside it.
    for candidate in [dir, dir.deletingLastPathComponent()] {
      let p = candidate.appendingPathComponent("chorus").path
      if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return dir.appendingPathComponent("chorus").path
  }

  static func run(_ args: [String], cwd: String? = nil) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = args
    if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
      stderr: String(decoding: e, as: UTF8.self))
  }
}

@Suite struct CommandLineTests {
  @Test func binaryExists() {
    #expect(
      FileManager.default.isExecutableFile(atPath: ChorusBinary.path),
      "build the chorus product first: \(ChorusBinary.path)")
  }

  @Test func versionAndHelp() throws {
    let v = try ChorusBinary.run(["--version"])
    #expect(v.status == 0)
    #expect(v.stdout.hasPrefix("chorus "))
    let h = try ChorusBinary.run(["--help"])
    #expect(h.status == 0)
    #expect(h.stdout.contains("OVERVIEW:"))
    #expect(h.stdout.contains("SUBCOMMANDS:"))
    #expect(h.stdout.contains("dataset"))
    let sub = try ChorusBinary.run(["help", "dataset", "generate"])
    #expect(sub.status == 0)
    #expect(sub.stdout.contains("--preset <name>"))
    #expect(sub.stdout.contains("(default: small)"))
  }

  @Test func usageErrorsExit64WithPointerToHelp() throws {
    let r = try ChorusBinary.run(["dataset", "generate", "--preset", "huge", "--out", "x.chorus"])
    #expect(r.status == 64)
    #expect(r.stderr.contains("Error: unknown preset 'huge'"))
    #expect(r.stderr.contains("See 'chorus dataset generate --help'"))
    let u = try ChorusBinary.run(["frobnicate"])
    #expect(u.status == 64)
    #expect(u.stderr.contains("unknown command 'frobnicate'"))
    #expect(r.stdout.isEmpty)
  }

  @Test func benchRunsOnlyTheChosenStages() throws {
    let r = try ChorusBinary.run(["bench", "--preset", "tiny", "--stages", "cooccurrence,stats"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("co-occurrence train"))
    #expect(r.stdout.contains("dataset stats"))
    #expect(!r.stdout.contains("MPD slice JSON"))
    #expect(!r.stdout.contains("embedding"))
    let bad = try ChorusBinary.run(["bench", "--preset", "tiny", "--stages", "json,gpu"])
    #expect(bad.status == 64)
    #expect(bad.stderr.contains("unknown bench stage 'gpu'"))
  }

  /// `--dir` names a folder the user owns: bench works in a subfolder it creates and removes
  /// only that, so files already in the folder survive.
  @Test func benchNeverRemovesWhatItDidNotCreate() throws {
    let dir = TemporaryDirectory()
    let keep = dir.write("precious.txt", "user data")
    let r = try ChorusBinary.run([
      "bench", "--preset", "tiny", "--stages", "cache", "--dir", dir.path,
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("write .chorus cache"))
    #expect(FileManager.default.fileExists(atPath: keep))
    #expect(dir.contents == ["precious.txt"])
  }

  @Test func generateStatsConvertRoundTrip() throws {
    let dir = TemporaryDirectory()
    let cache = dir.file("tiny.chorus")
    let g = try ChorusBinary.run([
      "dataset", "generate", "--preset", "tiny", "--seed", "3", "--out", cache,
    ])
    #expect(g.status == 0, "\(g.stderr)")
    let s = try ChorusBinary.run(["dataset", "stats", cache, "--json"])
    #expect(s.status == 0, "\(s.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(s.stdout.utf8)) as? [String: Any]
    #expect((json?["playlists"] as? Int ?? 0) > 1000)
    let folder = dir.file("mpd")
    let c = try ChorusBinary.run(["dataset", "convert", cache, "--out", folder, "--format", "mpd"])
    #expect(c.status == 0, "\(c.stderr)")
    let back = dir.file("back.chorus")
    let c2 = try ChorusBinary.run(["dataset", "convert", folder, "--out", back])
    #expect(c2.status == 0, "\(c2.stderr)")
    let a = try BinaryCache.read(path: cache)
    let b = try BinaryCache.read(path: back)
    #expect(a.sameContent(as: b))
  }

  @Test func badInputExits1AndWritesNothing() throws {
    let dir = TemporaryDirectory()
    let bad = dir.write("bad.json", "{\"playlists\": [{\"pid\": 1, \"tracks\": [")
    let out = dir.file("out.chorus")
    let r = try ChorusBinary.run(["dataset", "convert", bad, "--out", out])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("Error: ") || r.stderr.contains("\nError: "))
    #expect(r.stderr.contains("bad.json"))
    #expect(!FileManager.default.fileExists(atPath: out))
    #expect(dir.contents == ["bad.json"])
    let missing = try ChorusBinary.run(["dataset", "stats", dir.file("nope.json")])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("no such file"))
    let ext = try ChorusBinary.run(["dataset", "convert", bad, "--out", dir.file("x.parquet")])
    #expect(ext.status == 64)
    #expect(ext.stderr.contains("cannot tell the output format"))
  }

  /// Past the file-size limit (`ulimit -f`) a write fails with a message saying so, not a
  /// SIGXFSZ kill or a raw Foundation error code; nothing is left behind.
  @Test func fileSizeLimitIsACleanError() throws {
    let dir = TemporaryDirectory()
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/bin/sh")
    process.arguments = [
      "-c", "ulimit -f 200; exec \"$0\" dataset generate --preset tiny --out x.chorus",
      ChorusBinary.path,
    ]
    process.currentDirectoryURL = URL(fileURLWithPath: dir.path)
    let err = Pipe()
    process.standardError = err
    process.standardOutput = Pipe()
    try process.run()
    let text = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    #expect(process.terminationReason == .exit)
    #expect(process.terminationStatus == 1, "\(text)")
    #expect(text.contains("the file size limit was hit") && text.contains("ulimit -f"), "\(text)")
    #expect(text.contains("x.chorus"), "the message names the file: \(text)")
    #expect(!text.contains("NSCocoaErrorDomain"))
    #expect(dir.contents.isEmpty)
  }

  @Test func splitExport() throws {
    let dir = TemporaryDirectory()
    let r = try ChorusBinary.run([
      "dataset", "split", "synthetic:tiny", "--fold", "1", "--out", dir.file("split"),
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("fold 1"))
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.file("split")).sorted()
    #expect(
      files == ["collective-order.csv", "test-seeds.json", "test-truth.csv", "training.chorus"])
    let bad = try ChorusBinary.run(["dataset", "split", "synthetic:tiny", "--fold", "7"])
    #expect(bad.status == 64)
    #expect(bad.stderr.contains("fold 7 is out of range"))
  }
}

@Suite struct StudyCommandLineTests {
  @Test func trainPrintsAccuracyPerSeedLength() throws {
    let r = try ChorusBinary.run([
      "train", "--dataset", "synthetic:tiny", "--model", "cooccurrence", "--set", "window=2", "--k",
      "50", "--json",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    #expect((json?["perSeedLength"] as? [Any])?.count == 10)
    let bad = try ChorusBinary.run(["train", "--dataset", "synthetic:tiny", "--set", "windw=2"])
    #expect(bad.status == 64)
    #expect(bad.stderr.contains("unknown key 'windw'"))
    let model = try ChorusBinary.run([
      "train", "--dataset", "synthetic:tiny", "--model", "gru",
    ])
    #expect(model.status == 64)
    #expect(model.stderr.contains("unknown model 'gru'"))
  }

  @Test func plantWritesDatasetAndEdits() throws {
    let dir = TemporaryDirectory()
    let out = dir.file("planted")
    let r = try ChorusBinary.run([
      "plant", "--dataset", "synthetic:tiny", "--strategy", "dirlof", "--budget", "5", "--out", out,
      "--format", "mpd",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let edits = try String(contentsOfFile: out + "/edits.csv", encoding: .utf8)
    #expect(edits.split(separator: "\n").count == 6)
    let back = try MPDJSONReader.read(path: out)
    let target = back.catalogue.trackIDs.strings.firstIndex(of: "chorus:target:0")
    #expect(target != nil)
    let copies = back.playlists.tracks.filter { Int($0) == target! }.count
    #expect(copies == 5)
    for args in [["--alpha", "1.5"], ["--budget", "0"], ["--alpha", "0.1", "--budget", "3"]] {
      let bad = try ChorusBinary.run(
        [
          "plant", "--dataset", "synthetic:tiny", "--strategy", "dirlof", "--out",
          dir.file("x.chorus"),
        ] + args)
      #expect(bad.status != 0)
      #expect(!FileManager.default.fileExists(atPath: dir.file("x.chorus")))
    }
    let unknown = try ChorusBinary.run([
      "plant", "--dataset", "synthetic:tiny", "--strategy", "dirlov", "--budget", "3", "--out",
      dir.file("y.chorus"),
    ])
    #expect(unknown.status == 64)
    #expect(unknown.stderr.contains("dirlof"))
  }

  @Test func runWritesResultsAndResumes() throws {
    let dir = TemporaryDirectory()
    let spec = dir.write(
      "spec.json",
      """
      {"name": "cli", "dataset": "synthetic:tiny", "split": {"folds": 2, "testSize": 40},
       "strategies": ["dirlof", "random"], "budgets": [2, 10], "k": 50}
      """)
    let r = try ChorusBinary.run(["run", spec, "--out", dir.file("res"), "--quiet"])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("| dirlof | full |"))
    let again = try ChorusBinary.run(["run", spec, "--out", dir.file("res"), "--quiet"])
    #expect(again.status == 64)
    #expect(again.stderr.contains("--resume"))
    let badKey = dir.write("bad.json", "{\"datset\": \"synthetic:tiny\", \"alphas\": [0.1]}")
    let b = try ChorusBinary.run(["run", badKey])
    #expect(b.status == 64)
    #expect(b.stderr.contains("unknown key 'datset'"))
    let shard = try ChorusBinary.run([
      "run", spec, "--out", dir.file("s1"), "--shard", "1/2", "--quiet",
    ])
    #expect(shard.status == 0, "\(shard.stderr)")
    let shard2 = try ChorusBinary.run([
      "run", spec, "--out", dir.file("s2"), "--shard", "2/2", "--quiet",
    ])
    #expect(shard2.status == 0)
    let merged = try ChorusBinary.run([
      "merge", dir.file("s1"), dir.file("s2"), "--out", dir.file("merged"),
    ])
    #expect(merged.status == 0, "\(merged.stderr)")
    #expect(try FileIO.read(dir.file("merged/runs.csv")) == FileIO.read(dir.file("res/runs.csv")))
    let badShard = try ChorusBinary.run(["run", spec, "--shard", "3/2"])
    #expect(badShard.status == 64)
    // One version, one place: --version and the manifest agree.
    let version = try ChorusBinary.run(["--version"]).stdout
      .trimmingCharacters(in: .whitespacesAndNewlines)
    let manifest = try String(contentsOfFile: dir.file("res/manifest.json"), encoding: .utf8)
    #expect(manifest.contains("\"chorusVersion\" : \"\(version.dropFirst("chorus ".count))\""))
  }

  /// An invalid spec fails before anything is written: exit 64, the key (and the bad value)
  /// named, line and column for broken JSON, and no results folder afterwards.
  @Test func invalidSpecExits64AndWritesNothing() throws {
    let dir = TemporaryDirectory()
    let cases: [(String, [String])] = [
      (#"{"dataset": "synthetic:tiny", "budgets": [2], "k": 50.5}"#, ["'k'", "50.5"]),
      (#"{"dataset": "synthetic:tiny", "budgets": [2], "split": {"seed": -1}}"#, ["split.seed"]),
      (
        #"{"dataset": "synthetic:tiny", "budgets": [2], "model": {"name": "gru"}}"#,
        ["unknown model 'gru'", "model.name"]
      ),
      (#"{"dataset": "synthetic:tiny", "budgets": [2], "strategies": ["dirlov"]}"#, ["strategies"]),
      (#"{"dataset": "synthetic:tiny", "budgets": [2], "k": 1e12}"#, ["'k'"]),
      (#"{"dataset": "synthetic:tiny", "budgets": [2], "name": "../../x"}"#, ["'name'"]),
      (#"{"dataset": "synthetic:tiny", "budgets": [2, 100000]}"#, ["budgets"]),
      ("{\n  \"dataset\": \"synthetic:tiny\",\n  \"budgets\": [2,,]\n}", ["spec.json:3:"]),
    ]
    for (text, needles) in cases {
      let spec = dir.write("spec.json", text)
      let r = try ChorusBinary.run(["run", spec, "--out", dir.file("res"), "--quiet"])
      #expect(r.status == 64, "\(text): \(r.stderr)")
      for n in needles { #expect(r.stderr.contains(n), "\(text): \(r.stderr)") }
      #expect(!r.stderr.contains("Array<"))
      #expect(!FileManager.default.fileExists(atPath: dir.file("res")), "\(text)")
    }
    #expect(dir.contents == ["spec.json"])
  }

  @Test func evaluateScoresExternalRecommendations() throws {
    let dir = TemporaryDirectory()
    // A "model" that recommends each playlist's own held-out tracks: perfect scores.
    let rows = try EvaluateCLITests.perfectRows(dir, first: nil)
    let csv = "pid,tracks\n" + rows.joined(separator: "\n")
    let recs = dir.write("recs.csv", csv)
    let r = try ChorusBinary.run([
      "evaluate", "--dataset", "synthetic:tiny", "--fold", "0", "--recommendations", recs, "--json",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    let overall = json?["overall"] as? [String: Any]
    #expect((overall?["ndcg"] as? Double ?? 0) > 0.999)
    #expect((overall?["clicks"] as? Double ?? 1) == 0)
    let partial = dir.write(
      "partial.csv",
      "pid,tracks\n" + rows.prefix(3).joined(separator: "\n"))
    let p = try ChorusBinary.run([
      "evaluate", "--dataset", "synthetic:tiny", "--recommendations", partial,
    ])
    #expect(p.status == 1)
    #expect(p.stderr.contains("have no recommendations"))
  }

  /// The README's first command, end to end on the tiny preset from a folder without
  /// Experiments/ (so the embedded specs are used; one epoch and two strategies keep the debug
  /// build quick): both studies' results, reports and figures, the study's claim beside the
  /// lab's numbers; a second run reuses the finished folders.
  @Test func demoProducesAReportOnTiny() throws {
    let dir = TemporaryDirectory()
    let args = [
      "demo", "--dataset", "synthetic:tiny", "--set", "alphas=[0.05]", "--set", "split.folds=2",
      "--set", "strategies=[\"dirlof\",\"random\"]", "--epochs", "1", "--out", dir.file("demo"),
    ]
    let r = try ChorusBinary.run(args, cwd: dir.path)
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("The study (Baumann & Mendler-Dünner, NeurIPS 2024"))
    #expect(r.stdout.contains("The lab on synthetic:tiny"))
    #expect(r.stdout.contains("The default co-occurrence model"))
    #expect(!r.stdout.contains("Headline"))
    #expect(r.stdout.contains("demo/report.md") && r.stdout.contains("demo-cooccurrence/report.md"))
    let resolved = try String(
      contentsOfFile: dir.file("demo/spec.resolved.json"), encoding: .utf8)
    #expect(resolved.contains("\"epochs\":1") || resolved.contains("\"epochs\" : 1"))
    let md = try String(contentsOfFile: dir.file("demo/report.md"), encoding: .utf8)
    #expect(md.contains("## Findings"))
    for figure in [
      "amplification", "frequency-scatter", "accuracy-loss", "externalities", "concentration",
      "dataset",
    ] {
      #expect(md.contains("figures/\(figure).svg"), "report.md lacks \(figure)")
      #expect(
        FileManager.default.fileExists(atPath: dir.file("demo/figures/\(figure).svg")),
        "\(figure).svg missing")
    }
    #expect(FileManager.default.fileExists(atPath: dir.file("demo-cooccurrence/report.md")))
    let summary = try String(contentsOfFile: dir.file("demo/summary.csv"), encoding: .utf8)
    let again = try ChorusBinary.run(args, cwd: dir.path)
    #expect(again.status == 0, "\(again.stderr)")
    #expect(again.stderr.contains("already done"))
    #expect(try String(contentsOfFile: dir.file("demo/summary.csv"), encoding: .utf8) == summary)
  }
}
