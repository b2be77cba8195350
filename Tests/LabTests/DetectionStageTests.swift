// The detection stage in a study: the spec block is decoded strictly; measuring detection
// changes no other column (the same runs, the same numbers); AtTheEnd is found perfectly; and
// with `filter`, a collective that is flagged whole never reaches the model.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Defences
import Foundation
import PlaylistData
import Reports
import Testing

@testable import Lab

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

  @Test func theFilterNamesItsUnit() throws {
    var base: [String: Any] = ["budgets": [5]]
    base["detection"] = ["flagRate": 0.01, "filter": "tracks"]
    let tracks = try #require(try ExperimentSpec.decode(base).detection)
    #expect(tracks.filter && tracks.filterUnit == .tracks)
    base["detection"] = ["flagRate": 0.01, "filter": "playlists"]
    let playlists = try #require(try ExperimentSpec.decode(base).detection)
    #expect(playlists.filter && playlists.filterUnit == .playlists)
    base["detection"] = ["flagRate": 0.01, "filter": true]
    let boolean = try #require(try ExperimentSpec.decode(base).detection)
    #expect(boolean == playlists)
    base["detection"] = ["flagRate": 0, "filter": "tracks"]
    do {
      _ = try ExperimentSpec.decode(base)
      Issue.record("a track filter at flag rate 0 was accepted")
    } catch let e as ChorusError {
      #expect(e.field == "detection.flagRate")
    }
    // A playlist filter encodes as before the unit existed (true), so existing specs keep
    // their hash; the track filter encodes its name and reads back.
    func encoded(_ d: DetectionStage) throws -> String {
      var spec = ExperimentSpec()
      spec.sizes = [.budget(5)]
      spec.detection = d
      return String(decoding: try spec.canonicalJSON(), as: UTF8.self)
    }
    #expect(try encoded(playlists).contains("\"filter\" : true"))
    #expect(try encoded(tracks).contains("\"filter\" : \"tracks\""))
    // The frontier names each defence by its label: the two filters must differ.
    #expect(playlists.label == "detection 1% (filter)")
    #expect(tracks.label == "detection 1% (filter tracks)")
    #expect(DetectionStage().label == "detection 0.1% (measure only)")
    var successor = playlists
    successor.traits = OccurrenceTrait.defaults + [.repeatedSuccessor]
    #expect(
      successor.label
        == "detection 1% (filter; rare-predecessor, last-position, repeated-successor)")
    for d in [playlists, tracks, DetectionStage()] {
      let data = try JSONEncoder().encode(d)
      #expect(try JSONDecoder().decode(DetectionStage.self, from: data) == d)
    }
  }

  /// Five hand-made playlists with hand-set occurrence scores.
  @Test func theTrackFilterDropsOnlyTheFlaggedOccurrences() {
    let store = PlaylistStore(
      offsets: [0, 3, 5, 8, 9, 11], tracks: [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11])
    let occurrences: [Double] = [0, 5, 0, 3, 4, 0, 0, 2, 7, 0, 0]
    let scores = PlantingDetector.playlistScores(store, occurrenceScores: occurrences)
    #expect(scores == [5, 4, 2, 7, 0])
    // Flag p0, p1, p3: the threshold is 4 (p1's score). p0 loses its 5, p1 its 4 but keeps
    // the 3 below the threshold, p3 is left empty and dropped; p2 (unflagged) keeps its 2.
    let kept = DetectionStage.withoutFlaggedOccurrences(
      store, flags: [true, true, false, true, false], playlistScores: scores,
      occurrenceScores: occurrences)
    #expect(kept.arrays == [[1, 3], [4], [6, 7, 8], [10, 11]])
    // A flagged playlist of score 0 makes the threshold 0: only occurrences above 0 go.
    let low = DetectionStage.withoutFlaggedOccurrences(
      store, flags: [false, true, true, false, true], playlistScores: scores,
      occurrenceScores: occurrences)
    #expect(low.arrays == [[1, 2, 3], [6, 7], [9], [10, 11]])
    let none = DetectionStage.withoutFlaggedOccurrences(
      store, flags: [Bool](repeating: false, count: 5), playlistScores: scores,
      occurrenceScores: occurrences)
    #expect(none.arrays == store.arrays)
  }

  @Test func occurrenceScoresAgreeWithPlaylistScores() {
    // A fixture with a DirLoF-like and an AtTheEnd-like pattern, so both traits score.
    var lists = Fixtures.random(playlists: 300, tracks: 400, lengths: 5...30, seed: 9)
      .playlists.arrays
    for p in 0..<20 { lists[p].append(399) }
    for p in 20..<40 { lists[p].insert(398, at: 1) }
    var offsets = [0]
    for l in lists { offsets.append(offsets.last! + l.count) }
    let store = PlaylistStore(offsets: offsets, tracks: lists.flatMap { $0 })
    for detector in [
      PlantingDetector(), PlantingDetector(traits: [.rarePredecessor], rareMaxCount: 2),
      PlantingDetector(traits: [.lastPosition]),
    ] {
      let occurrences = detector.occurrenceScores(store, trackCount: 400)
      let scores = detector.scores(store, trackCount: 400)
      #expect(PlantingDetector.playlistScores(store, occurrenceScores: occurrences) == scores)
      #expect(scores.contains { $0 > 0 })
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
    // report.md gets the defences' table only for the study that measured detection, and its
    // AUC cells are the summary's (1 in every fold).
    try StudyReport.write(folder: dir.file("measured"))
    try StudyReport.write(folder: dir.file("plain"))
    let withStage = try String(contentsOfFile: dir.file("measured/report.md"), encoding: .utf8)
    let without = try String(contentsOfFile: dir.file("plain/report.md"), encoding: .utf8)
    #expect(!without.contains("The platform's defences"))
    let section = try #require(withStage.components(separatedBy: "## The platform's defences").last)
    let rows = section.split(separator: "\n").filter { $0.hasPrefix("| at-the-end") }
    let summary = try CSVTable.read(path: dir.file("measured/summary.csv"))
    #expect(rows.count == summary.rows.count && !rows.isEmpty)
    for row in rows {
      let cells = row.split(separator: "|").map { $0.trimmingCharacters(in: .whitespaces) }
      #expect(cells[4].hasPrefix("1"), "\(row)")
    }
  }

  @Test(arguments: [DetectionStage.FilterUnit.playlists, .tracks])
  func filteringAWholeCollectiveKeepsSStarOutOfTheModel(unit: DetectionStage.FilterUnit) throws {
    let dir = TemporaryDirectory()
    var stage = DetectionStage()
    stage.flagRate = 0.1
    stage.filter = true
    stage.filterUnit = unit
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

  /// The calibrated threshold by hand: 10 clean scores [5, 4, 4, 3, 1, 0 × 5]; "above the
  /// threshold" flags at most ⌊q · 10⌋ of them, fewer where scores tie at it.
  @Test func theThresholdFlagsAtMostTheRateOfCleanPlaylists() {
    let clean: [Double] = [0, 4, 1, 0, 5, 0, 4, 0, 3, 0]
    let cases: [(Double, Double, Int)] = [
      (0.1, 4, 1),  // k = 1: the 2nd highest is 4; only the 5 lies above it
      (0.2, 4, 1),  // k = 2: the 3rd highest is 4 again (a tie): still only 1 flagged
      (0.35, 3, 3),  // k = 3: 5, 4, 4 lie above 3
      (0.05, 5, 0),  // k = 0: nothing lies above the maximum
      (0.5, 0, 5),  // k = 5: every positive score
    ]
    for (q, threshold, flagged) in cases {
      let t = DetectionMetrics.threshold(cleanScores: clean, falsePositiveRate: q)
      #expect(t == threshold, "q = \(q)")
      var stage = DetectionStage()
      stage.falsePositiveRate = q
      let flags = stage.flags(clean, threshold: t)
      #expect(flags.filter { $0 }.count == flagged, "q = \(q)")
      #expect(Double(flagged) <= q * Double(clean.count))
    }
    #expect(DetectionMetrics.threshold(cleanScores: [], falsePositiveRate: 0.1) == .infinity)
    // ⌊q · n⌋ in decimals: 0.29 · 100 is 28.999999999999996 in binary floating point, but the
    // rule means 29: the 30th highest of 0…99 is 70, and 29 scores lie above it.
    let hundred = (0..<100).map(Double.init)
    let (q, n): (Double, Double) = (0.29, 100)
    #expect(q * n < 29)
    #expect(DetectionMetrics.threshold(cleanScores: hundred, falsePositiveRate: 0.29) == 70)
    #expect(DetectionMetrics.threshold(cleanScores: hundred, falsePositiveRate: 0.295) == 70)
  }

  @Test func theFalsePositiveRateIsDecodedStrictlyAndEncodedInPlaceOfTheFlagRate() throws {
    var base: [String: Any] = ["budgets": [5]]
    base["detection"] = ["falsePositiveRate": 0.01, "filter": true]
    let d = try #require(try ExperimentSpec.decode(base).detection)
    #expect(d.falsePositiveRate == 0.01 && d.filter)
    #expect(d.label == "detection FPR 1% (filter)")
    let bad: [[String: Any]] = [
      ["falsePositiveRate": 0], ["falsePositiveRate": 1], ["falsePositiveRate": "low"],
      ["falsePositiveRate": 0.01, "flagRate": 0.01],
    ]
    for block in bad {
      base["detection"] = block
      do {
        _ = try ExperimentSpec.decode(base)
        Issue.record("\(block) was accepted")
      } catch let e as ChorusError {
        #expect(e.field == "detection.falsePositiveRate", "\(block): \(e)")
      }
    }
    var spec = ExperimentSpec()
    spec.sizes = [.budget(5)]
    spec.detection = d
    let json = String(decoding: try spec.canonicalJSON(), as: UTF8.self)
    #expect(json.contains("\"falsePositiveRate\" : 0.01") && !json.contains("flagRate"))
    // Without it the block encodes exactly its old keys, so existing hashes stay.
    spec.detection = DetectionStage()
    let old = String(decoding: try spec.canonicalJSON(), as: UTF8.self)
    #expect(old.contains("\"flagRate\" : 0.001") && !old.contains("falsePositiveRate"))
    let data = try JSONEncoder().encode(d)
    #expect(try JSONDecoder().decode(DetectionStage.self, from: data) == d)
  }

  /// In a study, the threshold is set on each fold's clean training playlists: the clean
  /// model trains without exactly the clean playlists above it (at most ⌊q · n⌋ of them). The
  /// planted runs flag by the same threshold; planting shifts the detector's global rates, so
  /// honest scores move a little and the realised false-positive rate is measured, not
  /// promised. The members (ending in s*, above every honest playlist) are all caught, and
  /// filtering them keeps s* out of the model, as with a flag rate.
  @Test func aCalibratedStudySetsItsThresholdOnTheCleanFold() throws {
    let dir = TemporaryDirectory()
    var stage = DetectionStage()
    stage.falsePositiveRate = 0.05
    stage.filter = true
    let s = try spec(dir, detection: stage)
    let dataset = try DatasetSource(s.dataset).load()
    for fold in 0..<2 {
      let ctx = try FoldContext(
        dataset: dataset, spec: s, modelSpec: s.model, fold: fold, progress: { _ in })
      let scores = stage.detector.scores(ctx.training, trackCount: dataset.trackCount)
      let t = try #require(ctx.detectionThreshold)
      #expect(t == DetectionMetrics.threshold(cleanScores: scores, falsePositiveRate: 0.05))
      let above = scores.filter { $0 > t }.count
      #expect(above > 0 && above <= Int(0.05 * Double(scores.count)))
      let kept = stage.run(
        training: ctx.training, trackCount: dataset.trackCount,
        isPlanted: [Bool](repeating: false, count: ctx.training.count), threshold: t
      ).kept
      #expect(kept.count == ctx.training.count - above)
    }
    let runs = try runsCSV(s, dir.file("calibrated"))
    let recall = runs.column("detect_recall")!
    let flagged = runs.column("detect_flagged")!
    let recommendations = runs.column("recommendations")!
    for row in runs.rows {
      #expect(row[recall].double == 1)
      #expect(try #require(row[flagged].double) > 20)
      #expect(row[recommendations].double == 0)
    }
  }

}
