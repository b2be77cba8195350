// The appendix CSVs of a study against plain computations: anchors.csv holds every edit of
// every run with the true training frequency of the songs around s* (counted here from the
// fold's training playlists) and the collective's estimate; precision-at-50.csv counts every
// test list once per series; similarity.csv exists only for vector models and splits the test
// seeds by whether their last track is a targeted anchor (counted here from the edits).
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Foundation
import Lab
import PlaylistData
import Recommenders
import Reports
import Testing

@Suite struct AppendixMeasuresTests {
  static let data = Fixtures.random(playlists: 600, tracks: 400, lengths: 10...40, seed: 11)

  func spec(_ dataPath: String, model: ModelSpec) -> ExperimentSpec {
    var s = ExperimentSpec()
    s.name = "appendix"
    s.dataset = dataPath
    s.split = SplitConfig(minTracks: 10, testSize: 50, folds: 2, seed: 5)
    s.model = model
    s.strategies = [.dirLoF, .inClust]
    s.sizes = [.budget(7)]
    s.statistics = [.full, .sample(fraction: 0.2)]
    s.k = 60
    return s
  }

  /// Training frequency per track, counted plainly: playlists of the fold's training set
  /// holding the track.
  func trainingFrequency(_ split: FoldSplit) -> [Int: Int] {
    var f: [Int: Int] = [:]
    for p in split.training {
      for t in Set(Self.data.playlists[p]) { f[Int(t), default: 0] += 1 }
    }
    return f
  }

  @Test func anchorsCSVHoldsEveryEditWithItsTrueFrequency() throws {
    let dir = TemporaryDirectory()
    let path = dir.file("data.chorus")
    try BinaryCache.write(Self.data, to: path)
    let s = spec(path, model: .popularity)
    let folder = dir.file("out")
    try runQuietly(s, in: folder)
    let anchors = try CSVTable.read(path: folder + "/anchors.csv")
    var checked = 0
    for fold in s.foldList {
      let split = try FoldSplit(store: Self.data.playlists, config: s.split, fold: fold)
      let frequency = trainingFrequency(split)
      for strategy in s.strategies {
        for statistics in s.statistics {
          let outcome = try PlantPipeline.run(
            dataset: Self.data, config: s.split, fold: fold,
            request: PlantRequest(
              strategy: strategy, size: .budget(7), statistics: statistics,
              target: TargetTrack(id: s.target)))
          let rows = anchors.rows.filter {
            $0[0].double == Double(fold) && $0[1].string == strategy.name
              && $0[2].string == statistics.description
          }
          #expect(rows.count == 7, "one row per collective playlist")
          for (row, e) in zip(rows, outcome.plant.edits) {
            func cell(_ name: String) -> CSVCell { row[anchors.column(name)!] }
            #expect(cell("targeted").string == e.targeted.rawValue)
            for (side, t) in [("direct", e.directAnchor), ("indirect", e.indirectAnchor)] {
              if t < 0 {
                #expect(cell("\(side)_true_freq") == .empty)
              } else {
                #expect(cell("\(side)_true_freq").double == Double(frequency[Int(t)] ?? 0))
                #expect(cell("\(side)_estimate").double == outcome.estimate.estimate(of: t))
                if statistics == .full {
                  #expect(cell("\(side)_estimate").double == Double(frequency[Int(t)] ?? 0))
                }
              }
            }
            checked += 1
          }
        }
      }
    }
    #expect(checked == 2 * 2 * 2 * 7)
    // Every test list once per series and run.
    let precision = try CSVTable.read(path: folder + "/precision-at-50.csv")
    let lists = precision.column("lists")!
    let series = precision.column("series")!
    for name in ["clean", "with"] {
      let total = precision.rows.filter { $0[series].string == name }.compactMap {
        $0[lists].double
      }.reduce(0, +)
      #expect(total == Double(8 * 50), "\(name): 8 runs × 50 test lists")
    }
    // No vectors in the popularity model: no similarity file, and the manifest lists the rest.
    #expect(!FileManager.default.fileExists(atPath: folder + "/similarity.csv"))
    let manifest = try String(contentsOfFile: folder + "/manifest.json", encoding: .utf8)
    #expect(manifest.contains("anchors.csv") && manifest.contains("precision-at-50.csv"))
    #expect(!manifest.contains("similarity.csv"))
  }

  /// Every vector model writes it: SGNS, and the study's sequence model (the transformer).
  @Test(arguments: ["embedding", "transformer"])
  func similarityCountsTheSeedsEndingInATargetedAnchor(model: String) throws {
    let dir = TemporaryDirectory()
    let path = dir.file("data.chorus")
    try BinaryCache.write(Self.data, to: path)
    let modelSpec =
      model == "transformer"
      ? ModelSpec.transformer(tinySequenceConfig())
      : try ModelSpec(
        name: "embedding", config: ["dim": 8, "epochs": 1, "window": 1, "contextDirection": "next"])
    var s = spec(path, model: modelSpec)
    s.folds = [0]
    s.statistics = [.full]
    let folder = dir.file("out")
    try runQuietly(s, in: folder)
    let t = try CSVTable.read(path: folder + "/similarity.csv")
    #expect(t.rows.count == 2)
    let split = try FoldSplit(store: Self.data.playlists, config: s.split, fold: 0)
    for row in t.rows {
      func value(_ name: String) -> Double { row[t.column(name)!].double ?? .nan }
      let strategy = s.strategies.first { $0.name == row[1].string }!
      let outcome = try PlantPipeline.run(
        dataset: Self.data, config: s.split, fold: 0,
        request: PlantRequest(
          strategy: strategy, size: .budget(7), target: TargetTrack(id: s.target)))
      let targeted = Set(outcome.plant.edits.map(\.targetedAnchor).filter { $0 >= 0 })
      let ending = (0..<split.test.count).filter { i in
        split.context(ofTest: i, in: Self.data.playlists).seed.last.map(targeted.contains)
          ?? false
      }.count
      // A targeted anchor is a training song, so such a seed always has a query vector.
      #expect(value("targeted_seeds") == Double(ending))
      #expect(
        value("targeted_seeds") + value("other_seeds") + value("seeds_without_vector") == 50)
      #expect(abs(value("other_cosine_mean")) <= 1)
    }
  }
}
