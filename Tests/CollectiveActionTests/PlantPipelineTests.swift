// The target track (appended, ids stable, collisions rejected), the edit-log CSV, and the
// `chorus plant` pipeline end to end: a manipulated dataset that differs from the input
// only in the collective's playlists and the new track, and clear errors for bad requests.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Foundation
import PlaylistData
import Testing

@Suite struct TargetTrackTests {
  @Test func appendsANewTrackWithItsOwnArtist() throws {
    var catalogue = TestData.golden.catalogue
    let before = catalogue
    let t = try TargetTrack().append(to: &catalogue)
    #expect(t == Int32(before.trackCount))
    #expect(catalogue.trackCount == before.trackCount + 1)
    #expect(catalogue.artistCount == before.artistCount + 1)
    #expect(catalogue.trackIDs[Int(t)] == "chorus:target:0")
    #expect(catalogue.trackNames[Int(t)] == "Target song")
    #expect(catalogue.artistIDs[Int(catalogue.trackArtist[Int(t)])] == "chorus:target-artist:0")
    for i in 0..<before.trackCount {
      #expect(catalogue.trackIDs[i] == before.trackIDs[i])
      #expect(catalogue.trackArtist[i] == before.trackArtist[i])
    }
  }

  @Test func experimentsCanNameTheTarget() throws {
    let named = TargetTrack(id: "spotify:track:OurSong", name: "Our song", artistKey: "us")
    let (catalogue, t) = try named.appended(to: TestData.golden.catalogue)
    #expect(catalogue.trackIDs[Int(t)] == "spotify:track:OurSong")
    #expect(catalogue.artistIDs[Int(catalogue.trackArtist[Int(t)])] == "us")
  }

  @Test func existingIDsAreRejected() {
    let catalogue = TestData.golden.catalogue
    #expect(throws: ChorusError.self) { try TargetTrack(id: "b").appended(to: catalogue) }
    // Fixtures name artists "artist-<first letter>".
    #expect(throws: ChorusError.self) {
      try TargetTrack(artistKey: "artist-a").appended(to: catalogue)
    }
    #expect(throws: ChorusError.self) { try TargetTrack(id: "").appended(to: catalogue) }
  }
}

@Suite struct PlantPipelineTests {
  static let data = Fixtures.random(playlists: 500, tracks: 600, lengths: 10...50, seed: 3)
  static let config = SplitConfig(minTracks: 20, testSize: 20, folds: 2, seed: 7)

  func run(_ request: PlantRequest, fold: Int = 1) throws -> PlantOutcome {
    try PlantPipeline.run(dataset: Self.data, config: Self.config, fold: fold, request: request)
  }

  @Test func producesTheManipulatedDatasetAndEditLog() throws {
    let out = try run(PlantRequest(strategy: .dirLoF, size: .budget(12)))
    let data = Self.data
    let split = try FoldSplit(store: data.playlists, config: Self.config, fold: 1)
    #expect(out.plant.collective == Array(split.collectiveOrder.prefix(12)))
    #expect(out.target == Int32(data.trackCount))
    #expect(out.dataset.trackCount == data.trackCount + 1)
    #expect(out.dataset.catalogue.trackIDs[Int(out.target)] == TargetTrack.defaultID)
    #expect(out.dataset.pids == data.pids)
    #expect(out.dataset.names == data.names)
    let members = Set(out.plant.collective)
    for p in 0..<data.playlistCount {
      let row = Array(out.dataset.playlists[p])
      if members.contains(p) {
        #expect(row.filter { $0 == out.target }.count == 1)
        #expect(row.filter { $0 != out.target } == Array(data.playlists[p]))
      } else {
        #expect(row == Array(data.playlists[p]))
      }
    }
    // The true counts are over the training set, before planting.
    #expect(
      out.trueCounts
        == SongCounts.count(
          in: data.playlists, playlists: split.training, trackCount: data.trackCount))
    #expect(out.quality.spearman.map { approximatelyEqual($0, 1) } == true)
    #expect(out.quality.directAnchors.count == 12)
  }

  @Test func editsCSVDescribesEveryEdit() throws {
    let out = try run(PlantRequest(strategy: .atTheBeginning, size: .budget(5)))
    let lines = out.editsCSV.split(separator: "\n", omittingEmptySubsequences: false)
    #expect(lines.first.map(String.init) == EditsCSV.header)
    #expect(lines.count == 1 + 5 + 1)  // header, rows, final empty line
    let cat = Self.data.catalogue
    for (i, e) in out.plant.edits.enumerated() {
      let cells = lines[i + 1].split(separator: ",", omittingEmptySubsequences: false).map(
        String.init)
      let first = out.plant.old[i].first!
      #expect(
        cells == [
          String(Self.data.pids[e.playlist]), "0", "", cat.trackIDs[Int(first)], "", "",
          String(out.trueCounts[Int(first)]), String(out.trueCounts[Int(first)]), "indirect",
        ])
    }
  }

  @Test func writeEditsIsAtomicAndComplete() throws {
    let out = try run(PlantRequest(strategy: .inClust, size: .alpha(0.02)))
    let dir = TemporaryDirectory()
    try out.writeEdits(to: dir.file("run/edits.csv"))
    let text = try String(contentsOfFile: dir.file("run/edits.csv"), encoding: .utf8)
    #expect(text == out.editsCSV)
    #expect(FileManager.default.fileExists(atPath: dir.file("run")))
  }

  @Test func editsCSVQuotesAndFormatsCells() throws {
    let data = Fixtures.dataset([["x,1", "y"], ["y"]])
    let stats = FrequencyEstimate(source: .proxy(sigma: 1), estimates: [2.5, .nan])
    let result = try Planting.plant(
      strategy: .atTheEnd, store: data.playlists, collective: [0], target: 2,
      statistics: stats, seed: 0)
    let text = EditsCSV.text(
      edits: result.edits, pids: data.pids, catalogue: data.catalogue, trueCounts: [1, 2],
      statistics: stats)
    #expect(text == EditsCSV.header + "\n0,2,y,,2,,,,direct\n")
    let begin = try Planting.plant(
      strategy: .atTheBeginning, store: data.playlists, collective: [0], target: 2,
      statistics: stats, seed: 0)
    let text2 = EditsCSV.text(
      edits: begin.edits, pids: data.pids, catalogue: data.catalogue, trueCounts: [1, 2],
      statistics: stats)
    #expect(text2 == EditsCSV.header + "\n0,0,,\"x,1\",,,1,2.5,indirect\n")
  }

  @Test func statisticsSpecsFlowThrough() throws {
    let sampled = try run(
      PlantRequest(strategy: .dirLoF, size: .budget(8), statistics: .sample(fraction: 0.1)))
    #expect(sampled.estimate.source == .sample(fraction: 0.1))
    let proxy = try run(
      PlantRequest(strategy: .hybrid(tau: 2), size: .budget(8), statistics: .proxy(sigma: 1)))
    #expect(proxy.quality.spearman! < 1)
    let dir = TemporaryDirectory()
    let path = dir.write("pop.csv", "track_id,count\nt1,5\nt2,9\n")
    let table = try run(
      PlantRequest(strategy: .dirLoF, size: .budget(8), statistics: .table(path: path)))
    #expect(table.estimate.knownCount == 2)
    #expect(table.quality.knownTracks <= 2)
  }

  @Test(arguments: [
    (CollectiveSize.alpha(1.5), "alpha"), (.alpha(0), "alpha"), (.budget(0), "budget"),
    (.budget(100_000), "budget"),
  ])
  func badSizesAreConfigErrors(size: CollectiveSize, field: String) {
    #expect {
      try run(PlantRequest(strategy: .dirLoF, size: size))
    } throws: { error in
      let e = error as? ChorusError
      return e?.kind == .config && e?.field == field
    }
  }

  @Test func foldOutOfRangeIsAConfigError() {
    #expect {
      try run(PlantRequest(strategy: .dirLoF, size: .budget(3)), fold: 2)
    } throws: { ($0 as? ChorusError)?.field == "fold" }
  }

  @Test func badTableStopsBeforeAnyOutput() {
    let dir = TemporaryDirectory()
    let path = dir.write("pop.csv", "t1,5\nt2,many\n")
    #expect {
      try run(PlantRequest(strategy: .dirLoF, size: .budget(3), statistics: .table(path: path)))
    } throws: { ($0 as? ChorusError)?.line == 2 }
    #expect(dir.contents == ["pop.csv"])
  }

  @Test func splitFromAnotherDatasetIsRejected() throws {
    let other = Fixtures.random(playlists: 480, tracks: 600, lengths: 10...50, seed: 4)
    let split = try FoldSplit(store: other.playlists, config: Self.config, fold: 0)
    #expect(throws: ChorusError.self) {
      try PlantPipeline.run(
        dataset: Self.data, split: split, request: PlantRequest(strategy: .dirLoF, size: .budget(3))
      )
    }
  }
}
