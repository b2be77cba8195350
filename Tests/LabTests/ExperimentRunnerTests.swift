// The study runner end to end on a small generated dataset: results files and their shape,
// determinism across thread counts, resume after an interruption and merged shards giving
// byte-identical files, and refusal of a changed spec.
import ChorusCore
import ChorusTestSupport
import Foundation
import Lab
import PlaylistData
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
    s.strategies = ["dirlof", "random", "inclust"]
    s.budgets = [3, 20]
    s.statistics = ["full", "sample:0.1"]
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

  @Test func deterministicAcrossThreadCounts() throws {
    let dir = TemporaryDirectory()
    let s = try spec(in: dir)
    let saved = ParallelConfig.threads
    defer { ParallelConfig.threads = saved }
    ParallelConfig.threads = 1
    try run(s, dir.file("one"))
    ParallelConfig.threads = 2
    try run(s, dir.file("two"))
    #expect(try files(dir.file("one")) == files(dir.file("two")))
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
    let merged = try ResultsStore.prepare(folder: dir.file("merged"), spec: s, resume: true)
    try merged.absorb(try ResultsStore.open(folder: dir.file("a")))
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
}
