// Homogeneous collectives (`homogeneity` h): round(h · B) members are the candidates whose
// artists overlap most with the first candidate, the rest drawn as usual; h = 0 is the old draw.
// Checked on hand-made artist sets, against a recomputation from the dataset in a study's CSVs,
// and for the spec (strict decoding, hashes of specs without the key unchanged).
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Foundation
import PlaylistData
import Recommenders
import Reports
import Testing

@testable import Lab

@Suite struct CollectivesHomogeneityTests {
  func split() throws -> FoldSplit {
    let store = Fixtures.random(playlists: 600, tracks: 300, lengths: 10...40, seed: 5)
    return try FoldSplit(
      store: store.playlists, config: SplitConfig(testSize: 20, folds: 2), fold: 0)
  }

  func group(_ target: String, _ budget: Int, homogeneity: Double = 0) -> CollectiveGroup {
    CollectiveGroup(
      target: target, strategy: .dirLoF, size: .budget(budget), homogeneity: homogeneity)
  }

  @Test func jaccardAndMeanPairwiseSimilarityByHand() {
    #expect(CollectivesRunner.jaccard([1, 2, 3], [2, 3, 4]) == 0.5)
    #expect(CollectivesRunner.jaccard([1], []) == 0)
    #expect(CollectivesRunner.jaccard([], []) == 1)
    #expect(CollectivesRunner.jaccard([5, 9], [5, 9]) == 1)
    // Pairs of {1,2}, {2,3}, {1,2}: 1/3, 1, 1/3 → mean 5/9.
    let sets: [Int: [Int32]] = [10: [1, 2], 11: [2, 3], 12: [1, 2]]
    let mean = CollectivesRunner.meanPairwiseSimilarity([10, 11, 12][...]) { sets[$0]! }
    #expect(abs(mean! - 5.0 / 9.0) < 1e-15)
    #expect(CollectivesRunner.meanPairwiseSimilarity([10][...]) { sets[$0]! } == nil)
  }

  /// Artists by residue mod 3: a candidate is identical in taste to the first one or shares
  /// nothing with it, so the homogeneous members are known by hand.
  @Test func homogeneousMembersAreTheNearestThenTheUsualDraw() throws {
    let split = try split()
    let order = split.collectiveOrder
    let artists = { (p: Int) -> [Int32] in [Int32(p % 3)] }
    let r = order[0] % 3
    let same = order.filter { $0 % 3 == r }
    let study = CollectivesStudy(settings: [
      CollectiveSetting(
        name: "h",
        collectives: [
          group("a", 5, homogeneity: 1), group("b", 5, homogeneity: 0.4), group("c", 4),
        ]
      )
    ])
    let m = try CollectivesRunner.members(study, setting: 0, split: split, artists: artists)
    // a: the five first of the order with the first playlist's residue.
    #expect(Array(m[0]) == Array(same[0..<5]))
    // b draws from the rest: its first candidate is the first of the order not in a; 2 of 5
    // (round(0.4 · 5)) by taste, then the next 3 of the rest in order.
    let restB = order.filter { !Set(m[0]).contains($0) }
    let rb = restB[0] % 3
    let similarB = Array(restB.filter { $0 % 3 == rb }.prefix(2))
    let expectedB = similarB + restB.filter { !similarB.contains($0) }.prefix(3)
    #expect(Array(m[1]) == expectedB)
    // c (h = 0): the first 4 of what a and b left, in order.
    let taken = Set(m[0]).union(m[1])
    #expect(Array(m[2]) == Array(order.filter { !taken.contains($0) }.prefix(4)))
    // Homogeneity 0 everywhere is the old consecutive draw.
    var plain = study
    for j in 0..<3 { plain.settings[0].collectives[j].homogeneity = 0 }
    let p = try CollectivesRunner.members(plain, setting: 0, split: split, artists: artists)
    #expect(
      p.map { Array($0) } == [Array(order[0..<5]), Array(order[5..<10]), Array(order[10..<14])])
    // Overlapping: the first collective ranks the whole order, as when alone.
    plain.settings[0].memberships = .overlapping
    plain.settings[0].collectives[0].homogeneity = 1
    let o = try CollectivesRunner.members(plain, setting: 0, split: split, artists: artists)
    #expect(Array(o[0]) == Array(same[0..<5]))
  }

  @Test func aStudyRecordsHomogeneityAndTheMembersMeasuredSimilarity() throws {
    let dir = TemporaryDirectory()
    let path = dir.file("data.chorus")
    let dataset = Fixtures.random(playlists: 1500, tracks: 600, lengths: 10...50, seed: 3)
    try BinaryCache.write(dataset, to: path)
    var s = ExperimentSpec()
    s.name = "homogeneity"
    s.dataset = path
    s.split = SplitConfig(testSize: 50, folds: 2, seed: 1)
    s.strategies = [.dirLoF]
    s.sizes = [.budget(20)]
    s.k = 40
    s.model = .cooccurrence(CoOccurrenceConfig())
    s.collectives = CollectivesStudy(settings: [
      CollectiveSetting(name: "random", collectives: [group("t:a", 20)]),
      CollectiveSetting(name: "homogeneous", collectives: [group("t:a", 20, homogeneity: 1)]),
    ])
    try runQuietly(s, in: dir.file("out"))
    let t = try CSVTable.read(path: dir.file("out") + "/collectives.csv")
    let fold = t.column("fold")!
    let setting = t.column("setting")!
    let h = t.column("homogeneity")!
    let similarity = t.column("member_similarity")!
    #expect(t.rows.count == 4)
    let loaded = try BinaryCache.read(path: path)
    for row in t.rows {
      let f = Int(row[fold].double!)
      let i = row[setting].string == "random" ? 0 : 1
      let split = try FoldSplit(store: loaded.playlists, config: s.split, fold: f)
      let artists = { (p: Int) in CollectivesRunner.artists(of: p, in: loaded) }
      let members = try CollectivesRunner.members(
        s.collectives!, setting: i, split: split, artists: artists)
      #expect(row[h].double == (i == 0 ? 0 : 1))
      let expected = CollectivesRunner.meanPairwiseSimilarity(members[0], artists: artists)!
      #expect(abs(row[similarity].double! - expected) < 1e-12)
    }
    // The nearest neighbours of one playlist are more alike than a random draw, in each fold.
    let bySetting = Dictionary(grouping: t.rows) { $0[setting].string }
    for (a, b) in zip(bySetting["random"]!, bySetting["homogeneous"]!) {
      #expect(b[similarity].double! > a[similarity].double!)
    }
    // The summary carries both, the similarity with its CI.
    let summary = try CSVTable.read(path: dir.file("out") + "/collectives-summary.csv")
    #expect(summary.header.contains("homogeneity"))
    #expect(summary.header.contains("member_similarity_ci"))
    // The report draws amplification alone against h (one series, a marker at h = 0 and 1 at
    // the summary's values) and no interference figure (nothing can interfere).
    try StudyReport.write(folder: dir.file("out"))
    #expect(!FileManager.default.fileExists(atPath: dir.file("out/figures/interference.svg")))
    let svg = try String(contentsOfFile: dir.file("out/figures/homogeneity.svg"), encoding: .utf8)
    let axes = FigureDataTests.Axes(svg, logX: false, logY: false)
    #expect(axes.x.map(\.v) == [0, 1])
    let markers = FigureDataTests.matches(
      #"<circle class="marker" cx="([-0-9.]+)" cy="([-0-9.]+)""#, in: svg
    ).map { (x: axes.dataX(Double($0[0])!), y: axes.dataY(Double($0[1])!)) }
    let hSummary = summary.column("homogeneity")!
    let amplification = summary.column("amplification_alone")!
    let expected = summary.rows.map { (x: $0[hSummary].double!, y: $0[amplification].double!) }
    #expect(markers.count == 2)
    for (m, e) in zip(markers.sorted { $0.x < $1.x }, expected.sorted { $0.x < $1.x }) {
      #expect(abs(m.x - e.x) < axes.xTolerance && abs(m.y - e.y) < axes.yTolerance)
    }
    let report = try String(contentsOfFile: dir.file("out/report.md"), encoding: .utf8)
    #expect(report.contains("## Homogeneous collectives"))
  }

  @Test func theKeyIsDecodedStrictlyAndLeavesOldHashesAlone() throws {
    func spec(_ collective: [String: Any]) throws -> ExperimentSpec {
      try ExperimentSpec.decode([
        "budgets": [5], "collectives": ["settings": [["collectives": [collective]]]],
      ])
    }
    for bad: Any in [1.5, -0.1, "high"] {
      do {
        _ = try spec(["strategy": "dirlof", "budget": 5, "homogeneity": bad])
        Issue.record("homogeneity \(bad) was accepted")
      } catch let e as ChorusError {
        #expect(e.field == "collectives.settings[0].collectives[0].homogeneity")
      }
    }
    let with = try spec(["strategy": "dirlof", "budget": 5, "homogeneity": 0.5])
    #expect(with.collectives?.settings[0].collectives[0].homogeneity == 0.5)
    #expect(with.collectives?.usesHomogeneity == true)
    let without = try spec(["strategy": "dirlof", "budget": 5])
    let zero = try spec(["strategy": "dirlof", "budget": 5, "homogeneity": 0])
    #expect(without.collectives?.usesHomogeneity == false)
    // 0 is the default and is not written: the spec's hash is the one it had before the key.
    #expect(try zero.hash() == without.hash())
    #expect(!String(decoding: try without.canonicalJSON(), as: UTF8.self).contains("homogeneity"))
    let json = try JSONSerialization.jsonObject(with: with.canonicalJSON())
    #expect(try ExperimentSpec.decode(json as! [String: Any]) == with)
  }
}
