// The spec's `retraining` setting end to end: fine-tuned runs say so in their records and the
// resolved spec (manifest), a run's numbers do not depend on which other runs fine-tuned the
// fold's clean model before it, results are byte-identical on 1 and 2 threads, specs without
// the key resolve as before, and invalid settings fail naming the field.
import ChorusCore
import ChorusTestSupport
import Foundation
import Lab
import PlaylistData
import Recommenders
import Testing

@Suite(.serialized) struct FineTuningRunTests {
  /// A small mean model (ALS start) that trains on the fixture in well under a second.
  static var tinyMean: SequenceConfig { tinySequenceConfig(initialization: .als) }

  /// A one-fold study of the mean model fine-tuned `epochs` epochs per run.
  func spec(in dir: TemporaryDirectory, epochs: Int = 1) throws -> ExperimentSpec {
    let path = dir.file("data.chorus")
    if !FileManager.default.fileExists(atPath: path) {
      try BinaryCache.write(
        Fixtures.random(playlists: 600, tracks: 300, lengths: 8...30, seed: 5), to: path)
    }
    var s = ExperimentSpec()
    s.name = "fine-tune"
    s.dataset = path
    s.split = SplitConfig(testSize: 50, folds: 2, seed: 1)
    s.folds = [0]
    s.model = .mean(Self.tinyMean)
    s.strategies = [.dirLoF, .random]
    s.sizes = [.budget(30)]
    s.k = 40
    s.retraining = .fineTune(epochs: epochs)
    return s
  }

  func object(_ path: String) throws -> [String: Any] {
    try JSONSerialization.jsonObject(with: FileIO.read(path)) as! [String: Any]
  }

  @Test func modeIsInTheRecordsAndTheManifest() throws {
    let dir = TemporaryDirectory()
    let store = try runQuietly(spec(in: dir, epochs: 2), in: dir.path + "/out")
    let key = RunKey(fold: 0, strategyIndex: 0, sizeIndex: 0, statisticsIndex: 0)
    #expect(try store.readRun(key).retraining == "fine-tune:2:fold-in")
    let manifest = try object(dir.path + "/out/manifest.json")
    let resolved = try #require(
      object(dir.path + "/out/spec.resolved.json")["spec"] as? [String: Any])
    for written in [manifest["retraining"], resolved["retraining"]] {
      let retraining = try #require(written as? [String: Any])
      #expect(retraining["mode"] as? String == "fine-tune")
      #expect(retraining["epochs"] as? Int == 2)
      #expect(retraining["newTracks"] as? String == "fold-in")
    }
    // Retraining, the default, writes neither (records and hashes stay as they were).
    var plain = try self.spec(in: dir)
    plain.retraining = .retrain
    let retrained = try runQuietly(plain, in: dir.path + "/plain")
    #expect(try retrained.readRun(key).retraining == nil)
    #expect(try object(dir.path + "/plain/manifest.json")["retraining"] == nil)
    #expect(try !String(decoding: plain.canonicalJSON(), as: UTF8.self).contains("retraining"))
    #expect(try plain.hash() != self.spec(in: dir).hash())
  }

  /// Random's run is the same whether or not DirLoF's run fine-tuned the same clean model
  /// first: fine-tuning never changes the fold's clean model.
  @Test func otherRunsDoNotChangeARun() throws {
    let dir = TemporaryDirectory()
    var pair = try spec(in: dir)
    pair.sizes = [.budget(100)]
    let both = try runQuietly(pair, in: dir.path + "/both")
    var alone = try spec(in: dir)
    alone.sizes = [.budget(100)]
    alone.strategies = [.random]
    let single = try runQuietly(alone, in: dir.path + "/alone")
    let a = try both.readRun(RunKey(fold: 0, strategyIndex: 1, sizeIndex: 0, statisticsIndex: 0))
    let b = try single.readRun(
      RunKey(fold: 0, strategyIndex: 0, sizeIndex: 0, statisticsIndex: 0))
    // Compared as text: an unset mean rank is NaN, which never equals itself.
    #expect(String(describing: a.target) == String(describing: b.target))
    // The run's own model differs from the clean one (songs gained or lost recommendations).
    #expect(a.songs.contains { $0.r != $0.r0 })
    #expect(a.accuracy == b.accuracy)
    #expect(a.songs == b.songs)
  }

  @Test func sameResultsOnOneAndTwoThreads() throws {
    let dir = TemporaryDirectory()
    let s = try spec(in: dir)
    try ParallelConfig.withThreads(1) { _ = try runQuietly(s, in: dir.path + "/one") }
    try ParallelConfig.withThreads(2) { _ = try runQuietly(s, in: dir.path + "/two") }
    for f in ["runs.csv", "songs.csv", "summary.csv"] {
      #expect(try FileIO.read(dir.path + "/one/" + f) == FileIO.read(dir.path + "/two/" + f))
    }
  }

  /// Spec JSON: decoding, and errors naming the field.
  @Test func specKeyAndErrors() throws {
    var base: [String: Any] = [
      "dataset": "synthetic:tiny", "model": ["name": "mean"], "strategies": ["dirlof"],
      "budgets": [5],
    ]
    base["retraining"] = ["mode": "fine-tune", "epochs": 2]
    #expect(try ExperimentSpec.decode(base).retraining == .fineTune(epochs: 2))
    base["retraining"] = ["mode": "fine-tune", "epochs": 1, "newTracks": "zero"]
    #expect(try ExperimentSpec.decode(base).retraining == .fineTune(epochs: 1, newTracks: .zero))
    base["retraining"] = ["mode": "retrain"]
    #expect(try ExperimentSpec.decode(base).retraining == .retrain)
    func field(_ retraining: [String: Any], model: String = "transformer") -> String? {
      var o = base
      o["retraining"] = retraining
      o["model"] = ["name": model]
      do {
        _ = try ExperimentSpec.decode(o)
        return nil
      } catch let e as ChorusError {
        return e.field
      } catch {
        return "not a ChorusError"
      }
    }
    #expect(field(["mode": "fine-tune", "epochs": 1], model: "transformer") == nil)
    #expect(field(["mode": "fine-tune", "epochs": 1], model: "cooccurrence") == "retraining.mode")
    #expect(field(["mode": "fine-tune", "epochs": 1], model: "embedding") == "retraining.mode")
    #expect(field(["mode": "fine-tune"]) == "retraining.epochs")
    #expect(field(["mode": "fine-tune", "epochs": -1]) == "retraining.epochs")
    #expect(field(["mode": "retrain", "epochs": 1]) == "retraining.epochs")
    #expect(field(["mode": "warm-start", "epochs": 1]) == "retraining.mode")
    #expect(field(["mode": "fine-tune", "epochs": 1, "newTracks": "x"]) == "retraining.newTracks")
    #expect(field(["mode": "retrain", "newTracks": "zero"]) == "retraining.newTracks")
    #expect(field(["mode": "fine-tune", "epochs": 1, "lr": 1]) == "retraining.lr")
  }
}
