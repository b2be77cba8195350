// A run record holds its collective size once, typed (α or B as the spec gives it), with the
// fold's training playlists; B, the realised α and the CSV's size_kind/size are derived from
// it. CollectiveSize reads a results row back and is the one place α becomes a percentage.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Foundation
import Lab
import PlaylistData
import Reports
import Testing

@Suite struct RunRecordTests {
  @Test func budgetAndAlphaAreDerivedFromTheTypedSize() {
    // α = 0.0001 of 1,000 playlists rounds to 0.1 playlists: B = max(1, 0) = 1, realised α
    // = 1/1000.
    let tiny = CollectiveSize.alpha(0.0001)
    #expect(tiny.budget(trainingCount: 1000) == 1)
    // α = 0.0125 of 1,000: 12.5 rounds half away from zero to 13.
    #expect(CollectiveSize.alpha(0.0125).budget(trainingCount: 1000) == 13)
    #expect(CollectiveSize.budget(7).budget(trainingCount: 1000) == 7)
  }

  @Test func sizeColumnsRoundTrip() {
    for size in [CollectiveSize.alpha(0.0005), .alpha(0.2), .budget(10), .budget(1)] {
      #expect(CollectiveSize(kind: size.kind, value: size.value) == size)
    }
    #expect(CollectiveSize(kind: "budget", value: 2.5) == nil)
    #expect(CollectiveSize(kind: "fraction", value: 0.1) == nil)
    #expect(CollectiveSize.budget(10).kind == "budget")
    #expect(CollectiveSize.budget(10).value == 10)
  }

  @Test func percentIsAlphaTimesOneHundredAndOnlyForAlpha() {
    let a = 0.0005
    #expect(CollectiveSize.alpha(a).percent == a * 100)
    #expect(CollectiveSize.alpha(a).axisValue == a * 100)
    #expect(CollectiveSize.budget(10).percent == nil)
    #expect(CollectiveSize.budget(10).axisValue == 10)
  }
}

@Suite struct RunRecordStorageTests {
  /// The record file stores the size once (no copies as kind/value/B/α), and what the
  /// record derives agrees with runs.csv.
  @Test func recordStoresTheSizeOnce() throws {
    let dir = TemporaryDirectory()
    let path = dir.file("data.chorus")
    try BinaryCache.write(
      Fixtures.random(playlists: 400, tracks: 300, lengths: 10...30, seed: 2), to: path)
    var s = ExperimentSpec()
    s.dataset = path
    s.split = SplitConfig(testSize: 20, folds: 2, seed: 3)
    s.model = .popularity
    s.strategies = [.dirLoF]
    s.sizes = [.alpha(0.01), .alpha(0.05)]
    s.folds = [0]
    s.k = 10
    let folder = dir.file("out")
    let store = try runQuietly(s, in: folder)
    let key = RunKey(fold: 0, strategyIndex: 0, sizeIndex: 1, statisticsIndex: 0)
    let json = try #require(
      try JSONSerialization.jsonObject(with: FileIO.read(folder + "/runs/\(key.id).json"))
        as? [String: Any])
    for copy in ["sizeKind", "sizeValue", "budget", "alpha"] { #expect(json[copy] == nil) }
    #expect(json["size"] != nil)
    let record = try store.readRun(key)
    #expect(record.size == .alpha(0.05))
    #expect(
      record.budget == CollectiveSize.alpha(0.05).budget(trainingCount: record.trainingPlaylists))
    let runs = try CSVTable.read(path: folder + "/runs.csv")
    let row = try #require(runs.rows.last)
    #expect(row[try #require(runs.column("size_kind"))].string == "alpha")
    #expect(row[try #require(runs.column("size"))].double == 0.05)
    #expect(row[try #require(runs.column("budget"))].double == Double(record.budget))
    #expect(row[try #require(runs.column("alpha"))].double == record.alpha)
  }
}

extension RunRecordStorageTests {
  /// A folder whose records have the earlier layout (size in four fields) is refused with a
  /// message that says so, not a bare "missing key".
  @Test func earlierRecordLayoutIsNamed() throws {
    let dir = TemporaryDirectory()
    var s = ExperimentSpec()
    s.sizes = [.budget(3)]
    s.strategies = [.dirLoF]
    let store = try ResultsStore.prepare(
      folder: dir.file("out"), spec: s,
      dataset: DatasetIdentity(playlists: 1, entries: 1, tracks: 1, hash: "0"), resume: false)
    let key = RunKey(fold: 0, strategyIndex: 0, sizeIndex: 0, statisticsIndex: 0)
    let earlier = """
      {"key":{"fold":0,"strategy":0,"size":0,"statistics":0},"strategy":"dirlof",\
      "statistics":"full","sizeKind":"budget","sizeValue":3,"budget":3,"alpha":0.01}
      """
    try FileIO.writeAtomically(Data(earlier.utf8), to: dir.file("out/runs/\(key.id).json"))
    let e = try #require(throws: ChorusError.self) { try store.readRun(key) }
    #expect(e.message.contains("earlier build"))
    #expect(e.hint?.contains("another --out") == true)
    try FileIO.writeAtomically(Data("{}".utf8), to: dir.file("out/runs/\(key.id).json"))
    let other = try #require(throws: ChorusError.self) { try store.readRun(key) }
    #expect(other.message.hasPrefix("unreadable run record"))
  }
}
