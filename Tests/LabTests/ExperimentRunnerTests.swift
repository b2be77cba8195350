// The study runner end to end on a small generated dataset: results files and their shape,
// determinism across thread counts, resume after an interruption and merged shards giving
// byte-identical files, refusal of a changed spec, dataset or concurrent writer, nothing on
// disk for an invalid study, one run per distinct collective, an interrupted assembly that
// the report refuses, and hostile ids and names neutralised in the outputs.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Foundation
import Lab
import PlaylistData
import Recommenders
import Reports
import Testing

@Suite(.serialized) struct ExperimentRunnerTests {
  static let outputs = [
    "runs.csv", "summary.csv", "songs.csv", "artists.csv", "externalities.csv", "lorenz.csv",
    "cloud.csv", "clean-accuracy.csv",
  ]

  /// A spec over a 1,500-playlist generated dataset written to `dir`.
  func spec(in dir: TemporaryDirectory) throws -> ExperimentSpec {
    let path = dir.file("data.chorus")
    if !FileManager.default.fileExists(atPath: path) {
      try BinaryCache.write(
        Fixtures.random(playlists: 1500, tracks: 600, lengths: 10...50, seed: 3), to: path)
    }
    var s = ExperimentSpec()
    s.name = "test"
    s.dataset = path
    s.split = SplitConfig(testSize: 50, folds: 2, seed: 1)
    s.strategies = [.dirLoF, .random, .inClust]
    s.sizes = [.budget(3), .budget(20)]
    s.statistics = [.full, .sample(fraction: 0.1)]
    s.k = 40
    return s
  }

  func run(_ spec: ExperimentSpec, _ folder: String, resume: Bool = false, shard: (Int, Int)? = nil)
    throws
  {
    var o = RunOptions()
    o.resume = resume
    o.shard = shard.map { (index: $0.0, count: $0.1) }
    o.showProgress = false
    try ExperimentRunner(spec: spec, folder: folder, options: o).run()
  }

  func files(_ folder: String) throws -> [String: Data] {
    var out: [String: Data] = [:]
    for f in Self.outputs { out[f] = try FileIO.read(folder + "/" + f) }
    return out
  }

  @Test func writesEveryFileWithOneRowPerRun() throws {
    let dir = TemporaryDirectory()
    let s = try spec(in: dir)
    try run(s, dir.file("out"))
    for f in Self.outputs + ["manifest.json", "spec.resolved.json"] {
      #expect(FileManager.default.fileExists(atPath: dir.file("out/" + f)), "\(f)")
    }
    let runs = try String(contentsOfFile: dir.file("out/runs.csv"), encoding: .utf8)
    // 2 folds × 3 strategies × 2 sizes × 2 statistics + header.
    #expect(runs.split(separator: "\n").count == 1 + 24)
    #expect(
      runs.hasPrefix(
        "fold,strategy,statistics,size_kind,size,budget,alpha,recommendations,amplification"))
    let summary = try String(contentsOfFile: dir.file("out/summary.csv"), encoding: .utf8)
    #expect(summary.split(separator: "\n").count == 1 + 12)
  }

  /// The kernel level is part of a folder's fingerprint: recorded in spec.resolved.json and
  /// manifest.json, and a resume at another level (whose dot products round differently) is
  /// refused, naming both levels.
  @Test func kernelLevelIsRecordedAndNotMixed() throws {
    let dir = TemporaryDirectory()
    var s = try spec(in: dir)
    s.model = .popularity
    try KernelLevel.withLevel(.portable) { try run(s, dir.file("out")) }
    let manifest = try String(contentsOfFile: dir.file("out/manifest.json"), encoding: .utf8)
    #expect(manifest.contains("\"kernels\" : \"portable\""))
    let resolved = try String(contentsOfFile: dir.file("out/spec.resolved.json"), encoding: .utf8)
    #expect(resolved.contains("\"kernels\" : \"portable\""))
    // The same level resumes; another one (where this CPU has one) is refused.
    try KernelLevel.withLevel(.portable) { try run(s, dir.file("out"), resume: true) }
    guard KernelLevel.supported != .portable else { return }
    #expect {
      try KernelLevel.withLevel(.avx2) { try run(s, dir.file("out"), resume: true) }
    } throws: { error in
      "\(error)".contains("portable") && "\(error)".contains("avx2")
    }
  }

  @Test func deterministicAcrossThreadCounts() throws {
    let dir = TemporaryDirectory()
    let s = try spec(in: dir)
    try ParallelConfig.withThreads(1) { try run(s, dir.file("one")) }
    try ParallelConfig.withThreads(2) { try run(s, dir.file("two")) }
    #expect(try files(dir.file("one")) == files(dir.file("two")))
  }

  /// Runs of a fold computed several at once (`concurrentRuns`) give the files of runs one by
  /// one: with exact updates (co-occurrence), with retraining (a small embedding), and with
  /// two sizes of one collective in the same batch (one computed, one copied or recomputed).
  @Test(arguments: ["cooccurrence", "embedding"])
  func concurrentRunsGiveTheSameFiles(model: String) throws {
    let dir = TemporaryDirectory()
    var s = try spec(in: dir)
    if model == "embedding" {
      s.model = try ModelSpec(
        name: "embedding", config: ["dim": 8, "epochs": 1, "window": 1, "contextDirection": "next"])
      s.statistics = [.full]
    }
    // 1,450 training playlists: the first two α give one collective (B = 3).
    s.sizes = [.alpha(0.002), .alpha(0.0021), .alpha(0.014)]
    var files: [[String: Data]] = []
    for (threads, concurrent) in [(1, 1), (2, 2), (2, 3), (1, 4)] {
      let folder = dir.file("out-\(threads)-\(concurrent)")
      var o = RunOptions()
      o.showProgress = false
      o.concurrentRuns = concurrent
      try ParallelConfig.withThreads(threads) {
        try ExperimentRunner(spec: s, folder: folder, options: o).run()
      }
      files.append(try self.files(folder))
    }
    #expect(files[0]["runs.csv"]!.count > 0)
    for other in files.dropFirst() { #expect(other == files[0]) }
    let manifest = try String(contentsOfFile: dir.file("out-2-2/manifest.json"), encoding: .utf8)
    #expect(manifest.contains("\"collapsedRuns\" : \(s.strategies.count * s.statistics.count * 2)"))
  }

  @Test func resumeAfterInterruptionIsByteIdentical() throws {
    let dir = TemporaryDirectory()
    let s = try spec(in: dir)
    try run(s, dir.file("full"))
    // An interrupted run: only shard 1 of 3 finished, plus a stray temp file.
    try run(s, dir.file("partial"), shard: (0, 3))
    #expect(!FileManager.default.fileExists(atPath: dir.file("partial/runs.csv")))
    _ = dir.write("partial/runs/.run-f0-s0-n0-q0.json.123.tmp", "garbage")
    let refused = #expect(throws: ChorusError.self) { try run(s, dir.file("partial")) }
    #expect(refused?.hint?.contains("--resume") == true)
    try run(s, dir.file("partial"), resume: true)
    #expect(try files(dir.file("full")) == files(dir.file("partial")))
  }

  @Test func mergedShardsEqualOneRun() throws {
    let dir = TemporaryDirectory()
    let s = try spec(in: dir)
    try run(s, dir.file("full"))
    try run(s, dir.file("a"), shard: (0, 2))
    try run(s, dir.file("b"), shard: (1, 2))
    let a = try ResultsStore.open(folder: dir.file("a"))
    let merged = try ResultsStore.prepare(
      folder: dir.file("merged"), spec: s, dataset: a.fingerprint.dataset, resume: true)
    try merged.absorb(a)
    try merged.absorb(try ResultsStore.open(folder: dir.file("b")))
    #expect(merged.isComplete(plan: ResultsStore.plan(s)))
    try merged.assemble(plan: ResultsStore.plan(s))
    #expect(try files(dir.file("full")) == files(dir.file("merged")))
  }

  @Test func changedSpecIsRefused() throws {
    let dir = TemporaryDirectory()
    var s = try spec(in: dir)
    try run(s, dir.file("out"), shard: (0, 4))
    s.k = 41
    let e = #expect(throws: ChorusError.self) { try run(s, dir.file("out"), resume: true) }
    #expect(e?.message.contains("different spec") == true)
  }

  /// Data-dependent mistakes (a budget larger than the eligible playlists, a test size the
  /// data cannot hold, a missing statistics table) fail before the folder is created.
  @Test func invalidStudyLeavesNothingOnDisk() throws {
    let dir = TemporaryDirectory()
    let good = try spec(in: dir)
    var tooBig = good
    tooBig.sizes = [.budget(3), .budget(100_000)]
    var testSize = good
    testSize.split.testSize = 5000
    var table = good
    table.statistics = [.table(path: dir.file("missing.csv"))]
    var target = good
    target.target = try BinaryCache.read(path: good.dataset).catalogue.trackIDs[0]
    for (bad, field) in [
      (tooBig, "budgets"), (testSize, "split.testSize"), (table, "statistics"),
      (target, "target"),
    ] {
      let e = #expect(throws: ChorusError.self) { try run(bad, dir.file("out")) }
      #expect(e?.field == field, "\(e?.description ?? "")")
      #expect(!FileManager.default.fileExists(atPath: dir.file("out")))
    }
  }

  /// The folder's fingerprint covers the dataset's content: another file behind the same
  /// path is refused on resume, saying that the dataset differs.
  @Test func resumeRefusesAnotherDatasetBehindTheSamePath() throws {
    let dir = TemporaryDirectory()
    let s = try spec(in: dir)
    try run(s, dir.file("out"), shard: (0, 4))
    let resolved = try String(contentsOfFile: dir.file("out/spec.resolved.json"), encoding: .utf8)
    #expect(resolved.contains("\"window\""), "model.config is written out in full")
    #expect(resolved.contains("\"chorusVersion\" : \"\(ChorusVersion.current)\""))
    try BinaryCache.write(
      Fixtures.random(playlists: 1500, tracks: 600, lengths: 10...50, seed: 4), to: s.dataset)
    let e = #expect(throws: ChorusError.self) { try run(s, dir.file("out"), resume: true) }
    #expect(e?.message.contains("dataset differs") == true, "\(e?.description ?? "")")
    #expect(!FileManager.default.fileExists(atPath: dir.file("out/runs.csv")))
  }

  /// Results of another version of the code are never mixed in: resume refuses a folder
  /// written by another version, and merge refuses shards computed on other data.
  @Test func otherCodeVersionOrShardDataIsRefused() throws {
    let dir = TemporaryDirectory()
    let s = try spec(in: dir)
    try run(s, dir.file("a"), shard: (0, 2))
    let path = dir.file("a/spec.resolved.json")
    let text = try String(contentsOfFile: path, encoding: .utf8)
    try FileIO.writeAtomically(
      text.replacingOccurrences(
        of: "\"chorusVersion\" : \"\(ChorusVersion.current)\"",
        with: "\"chorusVersion\" : \"0.0.1\""),
      to: path)
    let e = #expect(throws: ChorusError.self) { try run(s, dir.file("a"), resume: true) }
    #expect(e?.message.contains("chorus 0.0.1") == true, "\(e?.description ?? "")")
    try FileIO.writeAtomically(text, to: path)
    // Shard b on other data behind the same path.
    try BinaryCache.write(
      Fixtures.random(playlists: 1500, tracks: 600, lengths: 10...50, seed: 5), to: s.dataset)
    try run(s, dir.file("b"), shard: (1, 2))
    let a = try ResultsStore.open(folder: dir.file("a"))
    let merged = try ResultsStore.prepare(
      folder: dir.file("merged"), spec: s, dataset: a.fingerprint.dataset, resume: true)
    try merged.absorb(a)
    let m = #expect(throws: ChorusError.self) {
      try merged.absorb(try ResultsStore.open(folder: dir.file("b")))
    }
    #expect(m?.message.contains("another dataset") == true, "\(m?.description ?? "")")
  }

  /// Temporary files that a killed run left in its folder are removed on the next run; other
  /// hidden files are not touched.
  @Test func staleTemporaryFilesAreCleanedOnResume() throws {
    let dir = TemporaryDirectory()
    let s = try spec(in: dir)
    let out = dir.file("out")
    try run(s, out, shard: (0, 2))
    let stale = [out + "/runs/.run-f0-s0-n0-q0.json.99999.tmp", out + "/.songs.csv.99999.tmp"]
    let keep = out + "/.notes.tmp"
    for p in stale + [keep] { #expect(FileManager.default.createFile(atPath: p, contents: Data())) }
    try run(s, out, resume: true)
    for p in stale { #expect(!FileManager.default.fileExists(atPath: p), "\(p)") }
    #expect(FileManager.default.fileExists(atPath: keep))
  }

  /// A second writer of one folder is refused at once, naming the pid that holds it.
  @Test func secondWriterIsRefusedWithTheHoldersPid() throws {
    let dir = TemporaryDirectory()
    let s = try spec(in: dir)
    try FileIO.ensureDirectory(dir.file("out"))
    let held = try FolderLock(folder: dir.file("out"))
    let e = #expect(throws: ChorusError.self) { try run(s, dir.file("out")) }
    #expect(e?.message.contains("pid \(getpid())") == true, "\(e?.description ?? "")")
    withExtendedLifetime(held) {}
  }

  /// α values that round to the same B make one run, labelled with the first α, and the
  /// manifest counts the collapsed runs.
  @Test func alphasGivingTheSameBudgetKeepOneRun() throws {
    let dir = TemporaryDirectory()
    var s = try spec(in: dir)
    s.strategies = [.dirLoF]
    s.statistics = [.full]
    // 1,450 training playlists: 0.0001 and 0.0002 both give B = 1; 0.01 gives 14.
    s.sizes = [.alpha(0.0001), .alpha(0.0002), .alpha(0.01)]
    try run(s, dir.file("out"))
    let runs = try CSVTable.read(path: dir.file("out/runs.csv"))
    #expect(runs.rows.count == 2 * 2)
    let budgets = runs.rows.map { $0[runs.column("budget")!].double ?? -1 }
    #expect(Set(budgets) == [1, 15] || Set(budgets) == [1, 14])
    let sizes = Set(runs.rows.map { $0[runs.column("size")!].double ?? -1 })
    #expect(sizes == [0.0001, 0.01])
    let manifest = try String(contentsOfFile: dir.file("out/manifest.json"), encoding: .utf8)
    #expect(manifest.contains("\"collapsedRuns\" : 2"))
    // Shards split the collapsed sizes apart; merged, they give the same files.
    try run(s, dir.file("a"), shard: (0, 2))
    try run(s, dir.file("b"), shard: (1, 2))
    let a = try ResultsStore.open(folder: dir.file("a"))
    let merged = try ResultsStore.prepare(
      folder: dir.file("merged"), spec: s, dataset: a.fingerprint.dataset, resume: true)
    try merged.absorb(a)
    try merged.absorb(try ResultsStore.open(folder: dir.file("b")))
    try merged.assemble(plan: ResultsStore.plan(s))
    for f in Self.outputs {
      #expect(try FileIO.read(dir.file("merged/" + f)) == FileIO.read(dir.file("out/" + f)), "\(f)")
    }
  }

  /// A study interrupted while its files were assembled has no manifest: the report refuses
  /// it naming what is missing, and --resume assembles it again.
  @Test func interruptedAssemblyIsRefusedUntilResumed() throws {
    let dir = TemporaryDirectory()
    let s = try spec(in: dir)
    let out = dir.file("out")
    try run(s, out)
    let songs = try FileIO.read(out + "/songs.csv")
    try FileManager.default.removeItem(atPath: out + "/songs.csv")
    let missing = #expect(throws: ChorusError.self) { try StudyReport.write(folder: out) }
    #expect(missing?.message.contains("songs.csv") == true)
    try FileManager.default.removeItem(atPath: out + "/manifest.json")
    let unfinished = #expect(throws: ChorusError.self) { try StudyReport.write(folder: out) }
    #expect(unfinished?.message.contains("manifest.json") == true)
    try run(s, out, resume: true)
    #expect(try FileIO.read(out + "/songs.csv") == songs)
    try StudyReport.write(folder: out)
  }

  /// Ids that a spreadsheet would run as formulas are prefixed with ' in text columns (never
  /// in numeric ones); Markdown/HTML in the folder name is escaped in report.md; a `figures`
  /// symlink is refused instead of written through.
  @Test func hostileTextIsNeutralised() throws {
    let dir = TemporaryDirectory()
    var data = Fixtures.random(playlists: 1500, tracks: 600, lengths: 10...50, seed: 3)
    var ids = StringPool()
    for t in 0..<data.trackCount {
      _ = ids.append(
        t % 4 == 0 ? "=HYPERLINK(\"http://x\",\"\(t)\")" : t % 4 == 1 ? "-\(t)" : "t\(t)")
    }
    data.catalogue.trackIDs = ids
    var s = try spec(in: dir)
    s.dataset = dir.file("hostile.chorus")
    try BinaryCache.write(data, to: s.dataset)
    s.strategies = [.dirLoF]
    s.statistics = [.full]
    let out = dir.file("<img src=x onerror=alert(1)>")
    try run(s, out)
    for file in ["songs.csv", "cloud-points.csv"] {
      let table = try CSVTable.read(path: out + "/" + file)
      let ids = table.rows.map { $0[table.column("track_id")!].string }
      #expect(!ids.isEmpty)
      #expect(!ids.contains { $0.hasPrefix("=") || $0.hasPrefix("-") }, "\(file)")
      #expect(ids.contains { $0.hasPrefix("'=HYPERLINK") || $0.hasPrefix("'-") }, "\(file)")
    }
    let songs = try CSVTable.read(path: out + "/songs.csv")
    #expect(songs.rows.contains { ($0[songs.column("delta_r")!].double ?? 0) < 0 })
    try StudyReport.write(folder: out)
    let md = try String(contentsOfFile: out + "/report.md", encoding: .utf8)
    #expect(!md.contains("<img"))
    #expect(md.contains("&lt;img"))
    let elsewhere = dir.file("elsewhere")
    try FileIO.ensureDirectory(elsewhere)
    try FileManager.default.removeItem(atPath: out + "/figures")
    try FileManager.default.createSymbolicLink(
      atPath: out + "/figures", withDestinationPath: elsewhere)
    let e = #expect(throws: ChorusError.self) { try StudyReport.write(folder: out) }
    #expect(e?.message.contains("symbolic link") == true)
    #expect(try FileManager.default.contentsOfDirectory(atPath: elsewhere).isEmpty)
  }
}
