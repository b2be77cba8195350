// The robustness study end to end on small generated datasets: one finished study per dataset,
// joined with the datasets' characteristics (reloaded and checked against the recorded hash),
// one regression per strategy and size; a changed dataset file is refused, and so is an
// unfinished folder.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Foundation
import Lab
import PlaylistData
import Reports
import Testing

@Suite struct RobustnessStudyTests {
  /// Four studies of one spec on datasets with 150…600 tracks (density varies).
  func studies(in dir: TemporaryDirectory) throws -> [String] {
    var folders: [String] = []
    for (i, tracks) in [150, 250, 400, 600].enumerated() {
      let path = dir.file("data\(i).chorus")
      try BinaryCache.write(
        Fixtures.random(playlists: 400, tracks: tracks, lengths: 10...30, seed: UInt64(i)),
        to: path)
      var s = ExperimentSpec()
      s.name = "robust\(i)"
      s.dataset = path
      s.split = SplitConfig(testSize: 40, folds: 2, seed: 1)
      s.strategies = [.dirLoF, .random]
      s.sizes = [.budget(4)]
      s.k = 20
      let folder = dir.file("out\(i)")
      try runQuietly(s, in: folder)
      folders.append(folder)
    }
    return folders
  }

  @Test func joinsEveryStudyWithItsDatasetAndFitsEachGroup() throws {
    let dir = TemporaryDirectory()
    let folders = try studies(in: dir)
    let observations = try RobustnessStudy.load(folders: folders, response: "amplification")
    // Two strategies × one size per study.
    #expect(observations.count == 8)
    for (i, folder) in folders.enumerated() {
      let dataset = try BinaryCache.read(path: dir.file("data\(i).chorus"))
      let expected = DatasetCharacteristics(dataset: dataset)
      let summary = try CSVTable.read(path: folder + "/summary.csv")
      for o in observations where o.folder == folder {
        #expect(o.characteristics == expected)
        let row = summary.rows.first { $0[summary.column("strategy")!].string == o.strategy }!
        #expect(o.response == row[summary.column("amplification")!].double)
      }
    }
    let fits = RobustnessStudy.fit(observations, predictors: ["density"], standardize: true)
    #expect(fits.map(\.strategy) == ["dirlof", "random"])
    for f in fits {
      #expect(f.datasets == 4)
      let r = try f.result.get()
      // The intercept of a standardised fit is the mean response over the datasets.
      let mean = observations.filter { $0.strategy == f.strategy }.map(\.response).reduce(0, +) / 4
      #expect(abs(r.coefficients[0] - mean) < 1e-9)
    }
    // Three predictors on four datasets leave no degree of freedom: refused by name.
    let tooMany = RobustnessStudy.fit(
      observations, predictors: ["density", "share_once", "track_gini"], standardize: true)
    #expect(
      tooMany.allSatisfy {
        if case .failure(.tooFewObservations) = $0.result { true } else { false }
      })
    // Correlations over the four datasets: 1 on the diagonal, symmetric; with the same playlists
    // and lengths, more tracks means a lower density.
    let r = RobustnessStudy.predictorCorrelations(
      observations, predictors: ["density", "log10_tracks"])
    #expect(abs(r[0][0] - 1) < 1e-12 && abs(r[1][1] - 1) < 1e-12)
    #expect(r[0][1] == r[1][0] && r[0][1] < -0.5)
    let table = RobustnessStudy.coefficientsTable(fits)
    #expect(table.rows.count == 4)
    #expect(table.header.contains("ci"))
  }

  @Test func aChangedDatasetOrUnfinishedStudyIsRefused() throws {
    let dir = TemporaryDirectory()
    let folders = try studies(in: dir)
    try BinaryCache.write(
      Fixtures.random(playlists: 400, tracks: 150, seed: 99), to: dir.file("data0.chorus"))
    #expect {
      try RobustnessStudy.load(folders: folders, response: "amplification")
    } throws: { e in
      (e as? ChorusError)?.message.contains("is not the one this study ran on") == true
    }
    try FileManager.default.removeItem(atPath: folders[1] + "/manifest.json")
    #expect(throws: ChorusError.self) {
      try RobustnessStudy.load(folders: [folders[1]], response: "amplification")
    }
    #expect {
      try RobustnessStudy.load(folders: [folders[2]], response: "no_such_column")
    } throws: { e in (e as? ChorusError)?.field == "response" }
  }
}
