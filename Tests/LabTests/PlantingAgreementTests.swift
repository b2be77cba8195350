// `chorus plant` and the study runner plant through one core (`PlantPipeline.plant`): for the
// same dataset, fold, strategy, collective size and statistics they produce the same
// collective, the same new playlists and edit log, the same estimate and the same quality.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Foundation
import PlaylistData
import Testing

@testable import Lab

@Suite struct PlantingAgreementTests {
  static let data = Fixtures.random(playlists: 600, tracks: 400, lengths: 10...40, seed: 11)

  /// A spec over `data` with every strategy family, α and B sizes and three statistics.
  static var spec: ExperimentSpec {
    var s = ExperimentSpec()
    s.split = SplitConfig(minTracks: 10, testSize: 50, folds: 2, seed: 5)
    s.model = .popularity
    s.strategies = [.dirLoF, .random, .inClust, .hybrid(tau: 2), .atTheBeginning]
    s.sizes = [.alpha(0.02), .budget(7)]
    s.statistics = [.full, .sample(fraction: 0.2), .proxy(sigma: 1)]
    s.k = 20
    return s
  }

  /// `value` as JSON bytes (NaN written as text), for equality that treats NaN as itself.
  func bytes(_ value: some Encodable) throws -> Data {
    let e = JSONEncoder()
    e.outputFormatting = [.sortedKeys]
    e.nonConformingFloatEncodingStrategy = .convertToString(
      positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
    return try e.encode(value)
  }

  @Test func plantAndTheRunnerPlantTheSameCollective() throws {
    let spec = Self.spec
    let data = Self.data
    let runner = ExperimentRunner(spec: spec, folder: "unused", options: RunOptions())
    let (_, target) = try TargetTrack(id: spec.target).appended(to: data.catalogue)
    var compared = 0
    for fold in spec.foldList {
      let ctx = try FoldContext(
        dataset: data, spec: spec, modelSpec: spec.model, fold: fold, progress: { _ in })
      for key in ResultsStore.plan(spec) where key.fold == fold {
        let inRunner = try runner.plant(key, ctx: ctx, dataset: data, target: target)
        let request = PlantRequest(
          strategy: spec.strategies[key.strategyIndex], size: spec.sizes[key.sizeIndex],
          statistics: spec.statistics[key.statisticsIndex], target: TargetTrack(id: spec.target))
        let byPlant = try PlantPipeline.run(
          dataset: data, config: spec.split, fold: fold, request: request)
        #expect(inRunner.plant == byPlant.plant, "\(key.id)")
        #expect(inRunner.trueCounts == byPlant.trueCounts, "\(key.id)")
        #expect(
          inRunner.estimate.estimates.map(\.bitPattern)
            == byPlant.estimate.estimates.map(\.bitPattern), "\(key.id)")
        #expect(try bytes(inRunner.quality) == bytes(byPlant.quality), "\(key.id)")
        // And the planted dataset is the runner's training data with the collective applied.
        let training = inRunner.plant.applied(to: data.playlists, rows: ctx.split.training)
        let fromPlant = byPlant.dataset.playlists
        for (row, p) in ctx.split.training.enumerated() {
          #expect(training[row] == fromPlant[p])
        }
        compared += 1
      }
    }
    #expect(compared == ResultsStore.plan(spec).count)
  }
}
