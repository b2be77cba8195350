// Several collectives in one study: disjoint and overlapping memberships, noisy coordination
// (follow = 0 plants nothing), one collective together equal to the single-collective run,
// interference as together − alone in the CSVs, validation errors naming the field,
// determinism across thread counts and resume after an interruption.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Foundation
import PlaylistData
import Recommenders
import Reports
import Testing

@testable import Lab

@Suite(.serialized) struct CollectivesTests {
  /// A study over a 1,500-playlist generated dataset written to `dir`, with `settings`.
  func spec(in dir: TemporaryDirectory, _ settings: [CollectiveSetting]) throws -> ExperimentSpec {
    let path = dir.file("data.chorus")
    if !FileManager.default.fileExists(atPath: path) {
      try BinaryCache.write(
        Fixtures.random(playlists: 1500, tracks: 600, lengths: 10...50, seed: 3), to: path)
    }
    var s = ExperimentSpec()
    s.name = "collectives"
    s.dataset = path
    s.split = SplitConfig(testSize: 50, folds: 2, seed: 1)
    s.strategies = [.dirLoF]
    s.sizes = [.budget(20)]
    s.k = 40
    s.collectives = CollectivesStudy(settings: settings)
    return s
  }

  func group(
    _ target: String, _ strategy: Strategy, _ budget: Int, follow: Double = 1
  ) -> CollectiveGroup {
    CollectiveGroup(target: target, strategy: strategy, size: .budget(budget), follow: follow)
  }

  /// collectives.csv as rows of name → cell.
  func rows(_ folder: String, _ file: String = "collectives.csv") throws -> [[String: CSVCell]] {
    let t = try CSVTable.read(path: folder + "/" + file)
    return t.rows.map { Dictionary(uniqueKeysWithValues: zip(t.header, $0)) }
  }

  @Test func disjointCollectivesTakeConsecutivePartsOfTheFoldOrder() throws {
    let store = Fixtures.random(playlists: 600, tracks: 300, lengths: 10...40, seed: 5)
    let split = try FoldSplit(
      store: store.playlists, config: SplitConfig(testSize: 20, folds: 2), fold: 0)
    let study = CollectivesStudy(settings: [
      CollectiveSetting(
        name: "three",
        collectives: [
          group("a", .dirLoF, 5), group("b", .inClust, 7), group("a", .random, 3),
        ])
    ])
    let m = try CollectivesRunner.members(study, setting: 0, split: split)
    let order = split.collectiveOrder
    let expected: [[Int]] = [Array(order[0..<5]), Array(order[5..<12]), Array(order[12..<15])]
    #expect(m.map { Array($0) } == expected)
    #expect(Set(m.flatMap { $0 }).count == 15)
  }

  @Test func overlappingCollectivesDrawOnTheirOwnAndShare() throws {
    let store = Fixtures.random(playlists: 600, tracks: 300, lengths: 10...40, seed: 5)
    let split = try FoldSplit(
      store: store.playlists, config: SplitConfig(testSize: 20, folds: 2), fold: 0)
    let n = split.collectiveOrder.count
    let study = CollectivesStudy(settings: [
      CollectiveSetting(
        name: "big", memberships: .overlapping,
        collectives: [group("a", .dirLoF, n / 2 + 10), group("b", .dirLoF, n / 2 + 10)])
    ])
    let m = try CollectivesRunner.members(study, setting: 0, split: split)
    // The first is the single-collective study's collective; the second its own draw.
    #expect(Array(m[0]) == Array(split.collectiveOrder[0..<(n / 2 + 10)]))
    #expect(Array(m[1]) != Array(m[0]))
    #expect(Set(m[1]).count == m[1].count)
    // Two halves plus 10 of n must share at least 20 playlists.
    #expect(Set(m[0]).intersection(m[1]).count >= 20)
    // Disjoint, the same sizes do not fit: the error names the second collective's size.
    var disjoint = study
    disjoint.settings[0].memberships = .disjoint
    let e = #expect(throws: ChorusError.self) {
      try CollectivesRunner.members(disjoint, setting: 0, split: split)
    }
    #expect(e?.field == "collectives.settings[0].collectives[1].budget")
  }

  @Test func overlappingStudyRecordsSharedPlaylistsAndBothSongs() throws {
    let dir = TemporaryDirectory()
    let s = try spec(
      in: dir,
      [
        CollectiveSetting(
          name: "overlap", memberships: .overlapping,
          collectives: [group("t:a", .dirLoF, 300), group("t:b", .random, 300)])
      ])
    try runQuietly(s, in: dir.file("out"))
    let r = try rows(dir.file("out"))
    #expect(r.count == 4)
    for row in r {
      #expect((row["shared_playlists"]?.double ?? 0) > 0)
      #expect(row["followers"]?.double == 300)
    }
  }

  /// Shared memberships: every collective takes the prefix of the fold's order, so two of one
  /// size share every playlist and each shared playlist holds both songs.
  @Test func sharedCollectivesHaveTheSameMembersAndBothSongs() throws {
    let dir = TemporaryDirectory()
    let s = try spec(
      in: dir,
      [
        CollectiveSetting(
          name: "shared", memberships: .shared,
          collectives: [group("t:a", .dirLoF, 30), group("t:b", .dirLoF, 20)])
      ])
    let store = Fixtures.random(playlists: 600, tracks: 300, lengths: 10...40, seed: 5)
    let split = try FoldSplit(
      store: store.playlists, config: SplitConfig(testSize: 20, folds: 2), fold: 0)
    let m = try CollectivesRunner.members(
      s.collectives!, setting: 0, split: split)
    #expect(Array(m[0]) == Array(split.collectiveOrder[0..<30]))
    #expect(Array(m[1]) == Array(split.collectiveOrder[0..<20]))
    try runQuietly(s, in: dir.file("out"))
    let r = try rows(dir.file("out"))
    #expect(!r.isEmpty)
    // The smaller collective's 20 playlists are all shared; each holds both songs.
    for row in r { #expect(row["shared_playlists"]?.double == 20) }
    // One song in two shared collectives is refused, naming the second one's target.
    var same = s.collectives!
    same.settings[0].collectives[1].target = "t:a"
    let e = #expect(throws: ChorusError.self) { try same.validate() }
    #expect(e?.field == "collectives.settings[0].collectives[1].target")
  }

  @Test func followZeroPlantsNothingAndGetsNothing() throws {
    let dir = TemporaryDirectory()
    let s = try spec(
      in: dir,
      [
        CollectiveSetting(
          name: "silent",
          collectives: [group("t:a", .dirLoF, 30, follow: 0), group("t:b", .dirLoF, 30)])
      ])
    try runQuietly(s, in: dir.file("out"))
    let r = try rows(dir.file("out"))
    for row in r where row["collective"]?.double == 1 {
      #expect(row["followers"]?.double == 0)
      #expect(row["recommendations_alone"]?.double == 0)
      #expect(row["recommendations_together"]?.double == 0)
      #expect(row["amplification_alone"]?.double == 0)
      #expect(row["amplification_together"]?.double == 0)
    }
    // The other collective acts in full; a partly following one plants fewer playlists.
    #expect(r.filter { $0["collective"]?.double == 2 }.allSatisfy { $0["followers"]?.double == 30 })
    let store = Fixtures.random(playlists: 600, tracks: 300, lengths: 10...40, seed: 5)
    let split = try FoldSplit(
      store: store.playlists, config: SplitConfig(testSize: 20, folds: 2), fold: 0)
    let members = split.collectiveOrder[0..<200]
    let half = CollectivesRunner.follows(members, collective: 0, p: 0.5, seed: split.seed)
    let most = CollectivesRunner.follows(members, collective: 0, p: 0.8, seed: split.seed)
    #expect((60...140).contains(half.filter { $0 }.count))
    // Nested: a member that follows at 0.5 follows at 0.8.
    #expect(zip(half, most).allSatisfy { !$0 || $1 })
  }

  /// One collective that every member follows, with the single-collective study's target,
  /// strategy and size: its amplification (alone = together) is the study's run's, fold by
  /// fold, for a model updated exactly and a retrained one.
  @Test(arguments: [ModelSpec.cooccurrence(CoOccurrenceConfig()), .popularity])
  func oneCollectiveTogetherEqualsTheSingleCollectiveRun(model: ModelSpec) throws {
    let dir = TemporaryDirectory()
    var s = try spec(
      in: dir,
      [
        CollectiveSetting(
          name: "single", collectives: [group(TargetTrack.defaultID, .dirLoF, 20)])
      ])
    s.model = model
    try runQuietly(s, in: dir.file("out"))
    let single = try rows(dir.file("out"), "runs.csv")
    let mine = try rows(dir.file("out"))
    #expect(mine.count == 2)
    for (run, row) in zip(single, mine) {
      #expect(run["fold"] == row["fold"])
      #expect(run["amplification"]?.double == row["amplification_alone"]?.double)
      #expect(run["amplification"]?.double == row["amplification_together"]?.double)
      #expect(run["recommendations"]?.double == row["recommendations_alone"]?.double)
      #expect(row["interference"]?.double == 0)
    }
  }

  /// Behind a defence (a detection filter of playlists or of occurrences, artist-diversity
  /// re-ranking, a cold-track cap that reads training counts), one collective with the grid's
  /// target, strategy and size gets the defended grid run's amplification, fold by fold — for
  /// the exactly updated model (re-ranking from its deeper candidates) and a retrained one.
  @Test(arguments: [
    ("detect-playlists", ModelSpec.cooccurrence(CoOccurrenceConfig())),
    ("detect-tracks", ModelSpec.cooccurrence(CoOccurrenceConfig())),
    ("detect-tracks", ModelSpec.popularity),
    ("artist", ModelSpec.cooccurrence(CoOccurrenceConfig())),
    ("cold-cap", ModelSpec.cooccurrence(CoOccurrenceConfig())),
    ("cold-cap", ModelSpec.popularity),
  ])
  func oneCollectiveBehindADefenceEqualsTheDefendedRun(defence: String, model: ModelSpec) throws {
    let dir = TemporaryDirectory()
    var s = try spec(
      in: dir,
      [
        CollectiveSetting(
          name: "single", collectives: [group(TargetTrack.defaultID, .atTheEnd, 300)])
      ])
    s.strategies = [.atTheEnd]
    s.sizes = [.budget(300)]
    s.model = model
    // 300 of about 1,400 training playlists end with s*: the last-position trait flags them
    // first, so flagging 30% catches the whole collective.
    var detection = DetectionStage()
    detection.flagRate = 0.3
    detection.filter = true
    switch defence {
    case "detect-playlists": s.detection = detection
    case "detect-tracks":
      detection.filterUnit = .tracks
      s.detection = detection
    case "artist":
      s.reranking = try RerankingStage.decode([
        "kind": "artist-diversity", "maxPerArtist": 1, "window": 10, "depth": 2,
      ])
    default:
      // s* is in 300 training playlists: below 400 it is cold and never shown.
      s.reranking = try RerankingStage.decode([
        "kind": "cold-cap", "minCount": 400, "maxCold": 0, "depth": 2,
      ])
    }
    try runQuietly(s, in: dir.file("out"))
    let single = try rows(dir.file("out"), "runs.csv")
    let mine = try rows(dir.file("out"))
    #expect(mine.count == 2)
    for (run, row) in zip(single, mine) {
      #expect(run["fold"] == row["fold"])
      #expect(run["recommendations"]?.double == row["recommendations_alone"]?.double)
      #expect(run["amplification"]?.double == row["amplification_together"]?.double)
      // Behind a detection stage, the detector's metrics of the one collective are the grid
      // run's, alone and together; without the stage the columns are absent.
      for metric in ["auc", "precision", "recall"] {
        if s.detection != nil {
          #expect(run["detect_\(metric)"]?.double != nil)
          #expect(run["detect_\(metric)"]?.double == row["detect_\(metric)_alone"]?.double)
          #expect(run["detect_\(metric)"]?.double == row["detect_\(metric)_together"]?.double)
        } else {
          #expect(row["detect_\(metric)_alone"] == nil)
        }
      }
    }
    // The defence changes what s* gets here, so a runner that ignored it would fail above.
    var undefended = s
    undefended.detection = nil
    undefended.reranking = nil
    try runQuietly(undefended, in: dir.file("plain"))
    let plain = try rows(dir.file("plain"))
    #expect(
      zip(plain, mine).contains {
        $0["recommendations_alone"]?.double != $1["recommendations_alone"]?.double
      },
      "\(defence): the defence left R(s*) unchanged in every fold: \(plain.map { $0["recommendations_alone"]?.double ?? -1 }) \(mine.map { $0["recommendations_alone"]?.double ?? -1 })"
    )
  }

  /// Two collectives behind a measuring (not filtering) detection stage: each is found alone,
  /// and together the detector is scored against both collectives' playlists, so its recall
  /// stays whole while its precision counts the other collective's playlists too; what the
  /// model is trained on is unchanged (the undefended study's R(s*)).
  @Test func detectionMetricsOfSeveralCollectives() throws {
    let dir = TemporaryDirectory()
    var s = try spec(
      in: dir,
      [
        CollectiveSetting(
          name: "two at the end",
          collectives: [group("t:a", .atTheEnd, 100), group("t:b", .atTheEnd, 200)])
      ])
    s.strategies = [.atTheEnd]
    s.sizes = [.budget(100)]
    var detection = DetectionStage()
    detection.flagRate = 0.3
    s.detection = detection
    try runQuietly(s, in: dir.file("out"))
    let r = try rows(dir.file("out"))
    #expect(r.count == 2 * 2)
    for row in r {
      let budget = row["budget"]!.double!
      #expect(row["detect_recall_alone"]?.double == 1)
      #expect(row["detect_recall_together"]?.double == 1)
      #expect(row["detect_auc_alone"]!.double! > 0.9)
      let alone = row["detect_precision_alone"]!.double!
      let together = row["detect_precision_together"]!.double!
      // The same number of playlists is flagged; together 300 of them are planted.
      #expect(abs(together / alone - 300 / budget) < 1e-9)
    }
    let summary = try rows(dir.file("out"), "collectives-summary.csv")
    #expect(summary.first?["detect_recall_together"]?.double == 1)
    var plain = s
    plain.detection = nil
    try runQuietly(plain, in: dir.file("plain"))
    let undefended = try rows(dir.file("plain"))
    #expect(
      undefended.map { $0["recommendations_together"]?.double }
        == r.map { $0["recommendations_together"]?.double })
  }

  /// interference = together − alone (and its %) in every row; the summary is the mean
  /// over folds with its CI.
  @Test func interferenceIsTogetherMinusAlone() throws {
    let dir = TemporaryDirectory()
    let s = try spec(
      in: dir,
      [
        CollectiveSetting(
          name: "pair", collectives: [group("t:a", .dirLoF, 40), group("t:b", .dirLoF, 120)]),
        CollectiveSetting(
          name: "same-song",
          collectives: [group("t:a", .dirLoF, 40), group("t:a", .inClust, 120)]),
      ])
    try runQuietly(s, in: dir.file("out"))
    let r = try rows(dir.file("out"))
    #expect(r.count == 2 * 2 * 2)
    for row in r {
      let alone = row["amplification_alone"]!.double!
      let together = row["amplification_together"]!.double!
      #expect(row["interference"]?.double == together - alone)
      if alone > 0 {
        #expect(row["interference_pct"]?.double == 100 * (together - alone) / alone)
      }
    }
    let summary = try rows(dir.file("out"), "collectives-summary.csv")
    #expect(summary.count == 4)
    for line in summary {
      let mine = r.filter {
        $0["setting"] == line["setting"] && $0["collective"] == line["collective"]
      }
      let mean = meanOf(mine.map { $0["interference"]!.double! })
      #expect(abs(line["interference"]!.double! - mean) < 1e-9)
      #expect(line["folds"]?.double == 2)
    }
    // Alone, collective 1 is the same in both settings (same playlists, song and strategy).
    let first = r.filter { $0["collective"]?.double == 1 }
    #expect(first[0]["amplification_alone"] == first[1]["amplification_alone"])
    // The report draws the interference figure and tabulates every collective.
    try StudyReport.write(folder: dir.file("out"))
    let report = try String(contentsOfFile: dir.file("out/report.md"), encoding: .utf8)
    #expect(report.contains("## Several collectives at once"))
    #expect(report.contains("| same-song | 2 | t:a | inclust |"))
    let svg = try String(contentsOfFile: dir.file("out/figures/interference.svg"), encoding: .utf8)
    #expect(svg.contains("2: same-song"))
    // Two settings, numbered 1 and 2: a tick at each, none between.
    let ticks = FigureDataTests.Axes(svg, logX: false, logY: false).x
    #expect(ticks.map(\.v) == [1, 2])
    // At least half a setting's width between the frame's left side (x = 80) and setting 1.
    #expect(ticks[0].px - 80 >= (ticks[1].px - ticks[0].px) / 2 - 0.5)
    // Settings are categories: a dot with whiskers per setting and collective, no line
    // joining one setting to the next.
    #expect(!svg.contains("<polyline class=\"series\""))
    #expect(FigureDataTests.matches(#"<circle class="marker""#, in: svg).count == 4)
    // The same song pursued by two collectives: together, both rows report one song.
    let same = r.filter { $0["setting"]?.string == "same-song" && $0["fold"]?.double == 0 }
    #expect(same[0]["recommendations_together"] == same[1]["recommendations_together"])
  }

  func meanOf(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }

  /// The interference figure numbers its settings 1…n and has an x tick at each whole number
  /// only: a study with one setting gets the single tick 1 (round ticks for the range
  /// 0.5…1.5 were 0.6, 0.8, 1, 1.2, 1.4), its markers on that tick.
  @Test func interferenceFigureTicksEverySettingNumberOnly() throws {
    let dir = TemporaryDirectory()
    let s = try spec(
      in: dir,
      [
        CollectiveSetting(
          name: "pair", collectives: [group("t:a", .dirLoF, 40), group("t:b", .dirLoF, 120)])
      ])
    try runQuietly(s, in: dir.file("out"))
    try StudyReport.write(folder: dir.file("out"))
    let svg = try String(contentsOfFile: dir.file("out/figures/interference.svg"), encoding: .utf8)
    let ticks = FigureDataTests.Axes(svg, logX: false, logY: false).x
    #expect(ticks.map(\.v) == [1])
    // Both collectives' markers sit on the tick, dodged by ±4.5 px.
    let markers = FigureDataTests.matches(#"<circle class="marker" cx="([-0-9.]+)""#, in: svg)
      .map { Double($0[0])! }
    #expect(markers.count == 2)
    for (x, dodge) in zip(markers, [-4.5, 4.5]) {
      #expect(abs(x - dodge - ticks[0].px) < 0.15)
    }
  }

  @Test func invalidBlocksNameTheirField() throws {
    let base: [String: Any] = ["budgets": [5]]
    func with(_ block: Any) -> [String: Any] {
      var d = base
      d["collectives"] = block
      return d
    }
    let ok: [String: Any] = ["strategy": "dirlof", "budget": 5]
    let cases: [(Any, String)] = [
      (["setting": []], "collectives.setting"),
      ([String: Any](), "collectives.settings"),
      (["settings": []], "collectives.settings"),
      (["settings": [["name": "a"]]], "collectives.settings[0].collectives"),
      (
        ["settings": [["collectives": [["budget": 5]]]]],
        "collectives.settings[0].collectives[0].strategy"
      ),
      (
        ["settings": [["collectives": [ok, ["strategy": "dirlof", "budget": 5, "follow": 1.5]]]]],
        "collectives.settings[0].collectives[1].follow"
      ),
      (
        ["settings": [["collectives": [["strategy": "dirlof", "budget": 5, "alpha": 0.1]]]]],
        "collectives.settings[0].collectives[0].budget"
      ),
      (
        ["settings": [["collectives": [["strategy": "nope", "budget": 5]]]]],
        "collectives.settings[0].collectives[0].strategy"
      ),
      (
        ["settings": [["collectives": [["strategy": "dirlof", "budget": 0]]]]],
        "collectives.settings[0].collectives[0].budget"
      ),
      (
        ["settings": [["collectives": [["strategy": "dirlof", "alpha": 2]]]]],
        "collectives.settings[0].collectives[0].alpha"
      ),
      (
        ["settings": [["collectives": [["strategy": "dirlof", "budget": 5, "colour": 1]]]]],
        "collectives.settings[0].collectives[0].colour"
      ),
      (
        ["settings": [["memberships": "mixed", "collectives": [ok]]]],
        "collectives.settings[0].memberships"
      ),
      (
        ["settings": [["name": "x", "collectives": [ok]], ["name": "x", "collectives": [ok]]]],
        "collectives.settings[1].name"
      ),
      (
        [
          "settings": [
            [
              "memberships": "overlapping",
              "collectives": [
                ["target": "s", "strategy": "dirlof", "budget": 5],
                ["target": "s", "strategy": "inclust", "budget": 5],
              ],
            ]
          ]
        ],
        "collectives.settings[0].collectives[1].target"
      ),
    ]
    for (block, field) in cases {
      let e = #expect(throws: ChorusError.self, "\(field)") {
        try ExperimentSpec.decode(with(block))
      }
      #expect(e?.field == field)
      #expect(e?.kind == .config)
    }
    // A detection or re-ranking stage applies to the collectives' runs too (see
    // oneCollectiveBehindADefenceEqualsTheDefendedRun); fine-tuning is refused.
    var defended = with(["settings": [["collectives": [ok]]]])
    defended["detection"] = ["flagRate": 0.01, "filter": true]
    defended["reranking"] = ["kind": "identity"]
    #expect(try ExperimentSpec.decode(defended).collectives != nil)
    var fineTuned = with(["settings": [["collectives": [ok]]]])
    fineTuned["model"] = ["name": "mean"]
    fineTuned["retraining"] = ["mode": "fine-tune", "epochs": 1]
    let f = #expect(throws: ChorusError.self) { try ExperimentSpec.decode(fineTuned) }
    #expect(f?.field == "collectives")
    #expect(f?.message.contains("retraining") == true)
    // Disjoint with one song twice is allowed, and the block round-trips through its JSON.
    let good = with([
      "settings": [
        [
          "name": "same",
          "collectives": [
            ["target": "s", "strategy": "dirlof", "budget": 5, "follow": 0.6],
            ["target": "s", "strategy": "inclust", "alpha": 0.01, "statistics": "sample:0.1"],
          ],
        ]
      ]
    ])
    let s = try ExperimentSpec.decode(good)
    #expect(s.collectives?.settings[0].collectives[1].size == .alpha(0.01))
    #expect(s.collectives?.settings[0].collectives[0].follow == 0.6)
    let json = try JSONSerialization.jsonObject(with: s.canonicalJSON())
    #expect(try ExperimentSpec.decode(json as! [String: Any]) == s)
  }

  /// A setting too large for the data is refused before anything is written, naming its size.
  @Test func collectivesThatDoNotFitLeaveNothingOnDisk() throws {
    let dir = TemporaryDirectory()
    let s = try spec(
      in: dir, [CollectiveSetting(name: "huge", collectives: [group("t:a", .dirLoF, 5000)])])
    let e = #expect(throws: ChorusError.self) { try runQuietly(s, in: dir.file("out")) }
    #expect(e?.field == "collectives.settings[0].collectives[0].budget")
    #expect(!FileManager.default.fileExists(atPath: dir.file("out")))
    // A target that names an existing track is refused too.
    let t = try spec(
      in: dir, [CollectiveSetting(name: "old", collectives: [group("t0", .dirLoF, 5)])])
    let store = try BinaryCache.read(path: dir.file("data.chorus"))
    var u = t
    u.collectives!.settings[0].collectives[0].target = store.catalogue.trackIDs[0]
    let f = #expect(throws: ChorusError.self) { try runQuietly(u, in: dir.file("out")) }
    #expect(f?.field == "collectives.settings[0].collectives[0].target")
    // So is a statistics table that does not exist.
    var v = t
    v.collectives!.settings[0].collectives[0].statistics = .table(path: dir.file("none.csv"))
    let g = #expect(throws: ChorusError.self) { try runQuietly(v, in: dir.file("out")) }
    #expect(g?.field == "collectives.settings[0].collectives[0].statistics")
    #expect(!FileManager.default.fileExists(atPath: dir.file("out")))
  }

  var twoSettings: [CollectiveSetting] {
    [
      CollectiveSetting(
        name: "pair", collectives: [group("t:a", .dirLoF, 40), group("t:b", .inClust, 40)]),
      CollectiveSetting(
        name: "noisy", memberships: .overlapping,
        collectives: [group("t:a", .dirLoF, 40, follow: 0.6), group("t:b", .random, 80)]),
    ]
  }

  func outputs(_ folder: String) throws -> [Data] {
    try (["runs.csv"] + ["collectives.csv", "collectives-summary.csv"]).map {
      try FileIO.read(folder + "/" + $0)
    }
  }

  @Test func deterministicAcrossThreadCounts() throws {
    let dir = TemporaryDirectory()
    var s = try spec(in: dir, twoSettings)
    s.model = .popularity
    try ParallelConfig.withThreads(1) { try runQuietly(s, in: dir.file("one")) }
    try ParallelConfig.withThreads(2) { try runQuietly(s, in: dir.file("two")) }
    #expect(try outputs(dir.file("one")) == outputs(dir.file("two")))
  }

  @Test func resumeAfterInterruptionIsByteIdentical() throws {
    let dir = TemporaryDirectory()
    let s = try spec(in: dir, twoSettings)
    try runQuietly(s, in: dir.file("full"))
    // An interrupted study: shard 1 of 3 finished (some settings, not all).
    var o = RunOptions()
    o.showProgress = false
    o.shard = (index: 0, count: 3)
    try ExperimentRunner(spec: s, folder: dir.file("partial"), options: o).run()
    #expect(!FileManager.default.fileExists(atPath: dir.file("partial/collectives.csv")))
    #expect(FileManager.default.fileExists(atPath: dir.file("partial/runs/collectives-f0-c0.json")))
    #expect(
      !FileManager.default.fileExists(atPath: dir.file("partial/runs/collectives-f0-c1.json")))
    o.shard = nil
    o.resume = true
    try ExperimentRunner(spec: s, folder: dir.file("partial"), options: o).run()
    #expect(try outputs(dir.file("full")) == outputs(dir.file("partial")))
    let manifest = try String(contentsOfFile: dir.file("full/manifest.json"), encoding: .utf8)
    #expect(manifest.contains("collectives-summary.csv"))
  }
}
