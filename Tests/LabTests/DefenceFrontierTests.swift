// The defence frontier from fixture studies (one spec run with no defence, behind a filtering
// detection stage, and behind an artist-diversity re-ranker): the re-ranking study's own
// undefended accuracy is the no-defence study's clean accuracy, so its cost needs no
// baseline; the detection study's cost is its clean accuracy against the baseline's; and
// folders that cannot be compared are refused, naming the folder.
import ChorusCore
import ChorusTestSupport
import Foundation
import Lab
import PlaylistData
import Reports
import Testing

@Suite(.serialized) struct DefenceFrontierTests {
  /// Three studies of one spec on a fixture dataset, made once.
  final class Studies: @unchecked Sendable {
    let dir = TemporaryDirectory()
    var none: String { dir.file("none") }
    var detect: String { dir.file("detect") }
    var rerank: String { dir.file("rerank") }

    init() throws {
      let path = dir.file("data.chorus")
      try BinaryCache.write(
        Fixtures.random(playlists: 400, tracks: 300, lengths: 20...40, seed: 4), to: path)
      var s = ExperimentSpec()
      s.name = "frontier"
      s.dataset = path
      s.split = SplitConfig(testSize: 40, folds: 3, seed: 1)
      s.strategies = [.dirLoF, .atTheEnd]
      s.sizes = [.budget(20)]
      s.k = 20
      try runQuietly(s, in: none)
      var d = s
      var stage = DetectionStage()
      stage.flagRate = 0.05
      stage.filter = true
      d.detection = stage
      try runQuietly(d, in: detect)
      var r = s
      var rr = RerankingStage(kind: .artistDiversity, depth: 3)
      rr.maxPerArtist = 1
      rr.window = 4
      r.reranking = rr
      try runQuietly(r, in: rerank)
    }
  }
  static let studies = Result { try Studies() }

  /// Per fold: the "all" row's value of `metric` in a folder's clean-accuracy.csv.
  func cleanAll(_ folder: String, _ metric: String) throws -> [Double] {
    let t = try CSVTable.read(path: folder + "/clean-accuracy.csv")
    return t.rows.filter { $0[t.column("seed_length")!].string == "all" }.map {
      $0[t.column(metric)!].double!
    }
  }

  func mean(_ xs: [Double]) -> Double { xs.reduce(0, +) / Double(xs.count) }

  @Test func theReRankingStudyKnowsItsOwnUndefendedAccuracy() throws {
    let s = try Self.studies.get()
    // Its clean model is the no-defence study's: its undefended accuracy is that clean one.
    let runs = try CSVTable.read(path: s.rerank + "/runs.csv")
    let fold = runs.column("fold")!
    let undefended = runs.column("ndcg_clean_undefended")!
    let baseline = try cleanAll(s.none, "ndcg")
    for row in runs.rows {
      #expect(row[undefended].double == baseline[Int(row[fold].double!)])
    }
    // So the frontier needs no baseline for it, and gives the same cost with one.
    let alone = try DefenceFrontier.load(
      folders: [s.rerank], baseline: nil, metric: "ndcg", size: nil)
    let withBase = try DefenceFrontier.load(
      folders: [s.rerank], baseline: s.none, metric: "ndcg", size: nil)
    #expect(alone.count == 2)
    #expect(withBase.filter { $0.folder == s.rerank } == alone)
    let defended = try cleanAll(s.rerank, "ndcg")
    let expected = mean(zip(baseline, defended).map { $0 - $1 })
    #expect(approximatelyEqual(alone[0].accuracyLost, expected, tolerance: 1e-12))
    #expect(alone[0].defence == "artist-diversity n=1 m=4, depth 3")
    // Clicks: smaller is better, so the loss is defended − undefended.
    let clicks = try DefenceFrontier.load(
      folders: [s.rerank], baseline: s.none, metric: "clicks", size: nil)
    let expectedClicks = mean(
      zip(try cleanAll(s.none, "clicks"), try cleanAll(s.rerank, "clicks")).map { $1 - $0 })
    let rerankClicks = try #require(clicks.first { $0.folder == s.rerank })
    #expect(approximatelyEqual(rerankClicks.accuracyLost, expectedClicks, tolerance: 1e-12))
  }

  @Test func detectionFilteringIsMeasuredAgainstTheBaseline() throws {
    let s = try Self.studies.get()
    do {
      _ = try DefenceFrontier.load(folders: [s.detect], baseline: nil, metric: "ndcg", size: nil)
      Issue.record("a filtering study without a baseline was accepted")
    } catch let e as ChorusError {
      #expect(e.file == s.detect && e.field == "baseline")
    }
    let points = try DefenceFrontier.load(
      folders: [s.detect, s.rerank], baseline: s.none, metric: "ndcg", size: nil)
    // The baseline comes first as "none", at zero cost; then one point per strategy and folder.
    #expect(
      points.map(\.defence) == ["none", "none"] + ["detection 5% (filter)"] * 2 + [
        "artist-diversity n=1 m=4, depth 3"
      ] * 2)
    #expect(points[0].accuracyLost == 0 && points[0].accuracyLostCI == 0)
    let expected = mean(
      zip(try cleanAll(s.none, "ndcg"), try cleanAll(s.detect, "ndcg")).map { $0 - $1 })
    #expect(approximatelyEqual(points[2].accuracyLost, expected, tolerance: 1e-12))
    // Amplification is summary.csv's, strategy by strategy.
    let summary = try CSVTable.read(path: s.detect + "/summary.csv")
    let a = summary.column("amplification")!
    #expect(points[2].amplification == summary.rows[0][a].double)
    #expect(points[2].strategy == "dirlof" && points[3].strategy == "at-the-end")
  }

  @Test func theFigureHasAPanelPerStrategyAndAMarkerPerDefence() throws {
    let s = try Self.studies.get()
    let points = try DefenceFrontier.load(
      folders: [s.detect, s.rerank], baseline: s.none, metric: "ndcg", size: nil)
    let svg = DefenceFrontier.figure(points, metric: "ndcg").svg()
    #expect(svg.hasPrefix("<svg") || svg.hasPrefix("<?xml"))
    for name in [
      "dirlof", "at-the-end", "none", "detection 5% (filter)", "ndcg lost by honest users",
    ] {
      #expect(svg.contains(name), "\(name)")
    }
    // The Markdown table writes values as the findings do: no raw "%g" noise, and the
    // baseline's cost (0 in every fold) as exactly that.
    var noisy = points[0]
    noisy.strategy = "dirlof"
    noisy.defence = "none"
    noisy.folds = 3
    (noisy.amplification, noisy.amplificationCI) = (13.06, 4.317)
    (noisy.accuracyLost, noisy.accuracyLostCI) = (-2.7e-17, 3e-17)
    let md = DefenceFrontier.markdown([noisy], metric: "ndcg")
    #expect(md.contains("| dirlof | none | 13.1 ± 4.32 | 0 (every fold) | 3 |"))
    #expect(!md.contains("e-17"))
    let table = DefenceFrontier.table(points, metric: "ndcg")
    #expect(table.header.contains("ndcg_lost_ci") && table.rows.count == 6)
  }

  /// The accuracy lost is an estimate too: each defence gets a horizontal whisker spanning its
  /// CI (in the x range), and a defence whose cost has no CI gets none.
  @Test func theAccuracyLostCIIsAHorizontalWhisker() throws {
    let figure = DefenceFrontierFigure(
      points: [
        .init(panel: "dirlof", series: "none", x: 0, y: 13, yCI: 4, xCI: 0),
        .init(panel: "dirlof", series: "detect", x: 0.001, y: 0, yCI: 0, xCI: 0.0008),
      ], metric: "ndcg")
    let chart = figure.figure().panels[0]
    #expect(chart.xRange!.lowerBound <= 0 && chart.xRange!.upperBound >= 0.0018)
    let svg = chart.svg()
    let whiskers = svg.split(separator: "\n").filter { $0.contains("class=\"x-whisker\"") }
    try #require(whiskers.count == 1)
    #expect(whiskers[0].contains("data-name=\"detect\""))
    func attribute(_ name: String) -> Double {
      let tail = whiskers[0].components(separatedBy: "\(name)=\"")[1]
      return Double(tail.prefix { $0 != "\"" })!
    }
    // Its ends are the CI's ends on the chart's x mapping: the span is 0.0016 of an axis whose
    // markers sit at 0 and 0.001, so it is 1.6 times their distance.
    let markers = svg.split(separator: "\n").filter { $0.contains("class=\"marker\"") }.map {
      line -> Double in
      let tail = line.components(separatedBy: "cx=\"")[1]
      return Double(tail.prefix { $0 != "\"" })!
    }
    try #require(markers.count == 2)
    let dodge = 2.0 * 2  // the two markers are shifted 4 px apart
    let unit = (markers[1] - markers[0] - dodge) / 0.001
    #expect(abs((attribute("x2") - attribute("x1")) - 0.0016 * unit) < 0.5)
    #expect(abs((attribute("x1") + attribute("x2")) / 2 - markers[1]) < 0.5)
  }

  @Test func foldersThatCannotBeComparedAreRefused() throws {
    let s = try Self.studies.get()
    let dir = TemporaryDirectory()
    // An incomplete folder.
    try FileManager.default.createDirectory(
      atPath: dir.file("half"), withIntermediateDirectories: true)
    #expect(throws: ChorusError.self) {
      try DefenceFrontier.load(
        folders: [dir.file("half")], baseline: nil, metric: "ndcg", size: nil)
    }
    // A study with another K and two sizes.
    var spec = ExperimentSpec()
    spec.name = "other"
    spec.dataset = s.dir.file("data.chorus")
    spec.split = SplitConfig(testSize: 40, folds: 3, seed: 1)
    spec.strategies = [.dirLoF]
    spec.sizes = [.budget(10), .budget(20)]
    spec.k = 10
    try runQuietly(spec, in: dir.file("other"))
    do {
      _ = try DefenceFrontier.load(
        folders: [dir.file("other")], baseline: s.none, metric: "ndcg", size: nil)
      Issue.record("another K was accepted")
    } catch let e as ChorusError {
      #expect(e.file == dir.file("other") && e.message.contains("K"))
    }
    do {
      _ = try DefenceFrontier.load(
        folders: [dir.file("other")], baseline: nil, metric: "ndcg", size: nil)
      Issue.record("two sizes without a choice were accepted")
    } catch let e as ChorusError {
      #expect(e.file == dir.file("other") && e.field == "size")
    }
    let chosen = try DefenceFrontier.load(
      folders: [dir.file("other")], baseline: nil, metric: "ndcg", size: 20)
    #expect(chosen.count == 1 && chosen[0].accuracyLost == 0)
    #expect(throws: ChorusError.self) {
      try DefenceFrontier.load(folders: [s.none], baseline: nil, metric: "mrr", size: nil)
    }
    // A defended study is not a baseline.
    #expect(throws: ChorusError.self) {
      try DefenceFrontier.load(folders: [s.none], baseline: s.rerank, metric: "ndcg", size: nil)
    }
  }
}

extension Array {
  fileprivate static func * (a: [Element], n: Int) -> [Element] {
    (0..<n).flatMap { _ in a }
  }
}
