// The detection stage in a study: the spec block is decoded strictly; measuring detection
// changes no other column (the same runs, the same numbers); AtTheEnd is found perfectly; and
// with `filter`, a collective that is flagged whole never reaches the model.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Foundation
import Lab
import PlaylistData
import Reports
import Testing

@Suite struct DetectionStageTests {
  @Test func theBlockIsDecodedStrictly() throws {
    var base: [String: Any] = ["budgets": [5]]
    #expect(try ExperimentSpec.decode(base).detection == nil)
    base["detection"] = ["flagRate": 0.01, "filter": true, "traits": ["last-position"]]
    let d = try #require(try ExperimentSpec.decode(base).detection)
    #expect(d.flagRate == 0.01 && d.filter && d.traits == [.lastPosition] && d.rareMaxCount == 1)
    let bad: [([String: Any], String)] = [
      (["bogus": 1], "detection.bogus"),
      (["flagRate": 1.5], "detection.flagRate"),
      (["flagRate": "high"], "detection.flagRate"),
      (["filter": "yes"], "detection.filter"),
      (["filter": 1], "detection.filter"),
      (["traits": ["nope"]], "detection.traits"),
      (["traits": []], "detection.traits"),
      (["filter": true, "flagRate": 0], "detection.flagRate"),
      (["rareMaxCount": -1], "detection.rareMaxCount"),
    ]
    for (block, field) in bad {
      base["detection"] = block
      #expect(throws: ChorusError.self, "\(block)") { try ExperimentSpec.decode(base) }
      do { _ = try ExperimentSpec.decode(base) } catch let e as ChorusError {
        #expect(e.field == field, "\(block): \(e)")
      }
    }
  }

  @Test func aSpecWithoutTheBlockEncodesAsBefore() throws {
    var s = ExperimentSpec()
    s.sizes = [.budget(3)]
    let plain = String(decoding: try s.canonicalJSON(), as: UTF8.self)
    #expect(!plain.contains("detection"))
    s.detection = DetectionStage()
    let with = String(decoding: try s.canonicalJSON(), as: UTF8.self)
    #expect(with.contains("\"detection\""))
    #expect(
      try s.hash()
        != (try {
          var c = s
          c.detection = nil
          return try c.hash()
        }()))
  }

  /// AtTheEnd with 20 playlists of a 400-playlist dataset, two folds.
  func spec(_ dir: TemporaryDirectory, detection: DetectionStage?) throws -> ExperimentSpec {
    let path = dir.file("data.chorus")
    if !FileManager.default.fileExists(atPath: path) {
      try BinaryCache.write(
        Fixtures.random(playlists: 400, tracks: 300, lengths: 20...40, seed: 4), to: path)
    }
    var s = ExperimentSpec()
    s.name = "detect"
    s.dataset = path
    s.split = SplitConfig(testSize: 40, folds: 2, seed: 1)
    s.strategies = [.atTheEnd]
    s.sizes = [.budget(20)]
    s.k = 20
    s.detection = detection
    return s
  }

  func runsCSV(_ s: ExperimentSpec, _ folder: String) throws -> CSVTable {
    try runQuietly(s, in: folder)
    return try CSVTable.read(path: folder + "/runs.csv")
  }

  @Test func measuringDetectionChangesNoOtherColumn() throws {
    let dir = TemporaryDirectory()
    let plain = try runsCSV(try spec(dir, detection: nil), dir.file("plain"))
    var stage = DetectionStage()
    stage.flagRate = 0.1
    let measured = try runsCSV(try spec(dir, detection: stage), dir.file("measured"))
    #expect(!plain.header.contains("detect_auc"))
    for name in plain.header {
      let a = plain.column(name)!
      let b = measured.column(name)!
      #expect(plain.rows.map { $0[a] } == measured.rows.map { $0[b] }, "\(name)")
    }
    // Without filtering, s* reaches test lists: the filter test below is not trivially 0.
    let recommendations = plain.column("recommendations")!
    #expect(plain.rows.contains { ($0[recommendations].double ?? 0) > 0 })
    let auc = measured.column("detect_auc")!
    let recall = measured.column("detect_recall")!
    // s* ends all 20 member playlists and no others: the last-position trait ranks every
    // member above every honest playlist, and 10% of ~360 training playlists covers them.
    for row in measured.rows {
      #expect(row[auc].double == 1)
      #expect(row[recall].double == 1)
    }
  }

  @Test func filteringAWholeCollectiveKeepsSStarOutOfTheModel() throws {
    let dir = TemporaryDirectory()
    var stage = DetectionStage()
    stage.flagRate = 0.1
    stage.filter = true
    let runs = try runsCSV(try spec(dir, detection: stage), dir.file("filtered"))
    let recall = runs.column("detect_recall")!
    let recommendations = runs.column("recommendations")!
    let recomputed = runs.column("recomputed_contexts")!
    for row in runs.rows {
      #expect(row[recall].double == 1)
      // Every member was dropped before training, so no model has seen s*.
      #expect(row[recommendations].double == 0)
      // Filtered runs are retrained: every context is recomputed.
      #expect(row[recomputed].double == 40)
    }
  }
}
