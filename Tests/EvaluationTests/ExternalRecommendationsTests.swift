// The reader of external recommendation CSVs (`chorus evaluate`): line ends, byte order mark,
// quoting, refused repeats, pids, and the target's exposure numbers checked by hand.
import ChorusCore
import ChorusTestSupport
import Evaluation
import PlaylistData
import Recommenders
import Testing

@Suite struct ExternalRecommendationsTests {
  /// 120 playlists of 25…50 distinct-ish tracks; a fold with 10 test playlists.
  static let data = Fixtures.random(playlists: 120, tracks: 3000, lengths: 25...50, seed: 7)
  static func split() throws -> FoldSplit {
    try FoldSplit(store: data.playlists, config: SplitConfig(testSize: 10), fold: 0)
  }

  /// One row per test playlist: pid, then its held-out tracks (a perfect model), plus `extra`.
  static func perfectRows(_ split: FoldSplit, extra: (Int) -> [String] = { _ in [] }) -> [String] {
    (0..<split.test.count).map { i in
      let truth = split.context(ofTest: i, in: data.playlists).truth
      let ids = extra(i) + truth.map { data.catalogue.trackIDs[Int($0)] }
      return ([String(data.pids[split.test[i]])] + ids).joined(separator: ",")
    }
  }

  static func parse(_ text: [UInt8], _ split: FoldSplit) throws -> ExternalRecommendations {
    try ExternalRecommendations(csv: text, path: "recs.csv", dataset: data, split: split)
  }

  @Test func perfectListsScoreOne() throws {
    let split = try Self.split()
    let text = "pid,tracks\n" + Self.perfectRows(split).joined(separator: "\n") + "\n"
    let recs = try Self.parse(Array(text.utf8), split)
    let report = AccuracyReport(table: recs.table, split: split, dataset: Self.data)
    #expect(approximatelyEqual(report.overall.ndcg, 1))
    #expect(approximatelyEqual(report.overall.recall, 1))
    #expect(recs.unknownIDs.count == 0)
  }

  @Test func reportTextFormsHoldTheReportsNumbers() throws {
    let split = try Self.split()
    let recs = try Self.parse(Array(Self.perfectRows(split).joined(separator: "\n").utf8), split)
    let report = AccuracyReport(table: recs.table, split: split, dataset: Self.data)
    let lines = report.seedLengthCSV.split(separator: "\n")
    #expect(lines.count == 12)
    #expect(lines[0] == "seed_length," + PlaylistMetrics.names.joined(separator: ","))
    #expect(lines[11] == "all," + report.overall.values.map { "\($0)" }.joined(separator: ","))
    let table = report.markdownTable.split(separator: "\n")
    #expect(table.count == 13)
    #expect(table[12].hasPrefix("| all | "))
  }

  @Test func crlfLineEndsAndByteOrderMarkReadLikePlainLines() throws {
    let split = try Self.split()
    let rows = Self.perfectRows(split)
    let plain = try Self.parse(Array(("pid,tracks\n" + rows.joined(separator: "\n")).utf8), split)
    // What Python's csv.writer writes by default, saved by an editor that adds a BOM.
    let windows =
      [0xEF, 0xBB, 0xBF] + Array(("pid,tracks\r\n" + rows.joined(separator: "\r\n") + "\r\n").utf8)
    let crlf = try Self.parse(windows, split)
    #expect(crlf.table == plain.table)
    #expect(crlf.unknownIDs.count == 0)
    // Without a header the BOM must not stick to the first pid.
    let bomNoHeader = [0xEF, 0xBB, 0xBF] + Array(rows.joined(separator: "\r\n").utf8)
    #expect(try Self.parse(bomNoHeader, split).table == plain.table)
  }

  @Test func quotedFieldsSpacesAndEmptyFields() throws {
    let split = try Self.split()
    let rows = Self.perfectRows(split)
    let quoted = rows.map { row in
      row.split(separator: ",").map { "\"\($0)\"" }.joined(separator: " , ") + ",,"
    }
    let a = try Self.parse(Array(quoted.joined(separator: "\n").utf8), split)
    let b = try Self.parse(Array(rows.joined(separator: "\n").utf8), split)
    #expect(a.table == b.table)
    // A quoted id with a comma and a doubled quote is one unknown id.
    let odd = rows[0] + ",\"x,\"\"y\"\"\""
    let c = try Self.parse(Array(([odd] + rows.dropFirst()).joined(separator: "\n").utf8), split)
    #expect(c.track("x,\"y\"") == Int32(Self.data.trackCount))
  }

  @Test func repeatedTrackInARowIsRefusedNamingLineAndID() throws {
    let split = try Self.split()
    var rows = Self.perfectRows(split)
    let first = split.context(ofTest: 1, in: Self.data.playlists).truth.first!
    let id = Self.data.catalogue.trackIDs[Int(first)]
    rows[1] += "," + id  // the relevant track again at the end of row 2 (file line 3)
    let text = "pid,tracks\n" + rows.joined(separator: "\n")
    do {
      _ = try Self.parse(Array(text.utf8), split)
      Issue.record("a repeated track was accepted")
    } catch let e as ChorusError {
      #expect(e.file == "recs.csv")
      #expect(e.line == 3)
      #expect(e.message.contains("'\(id)' appears twice"))
      #expect(e.message.contains("pid \(Self.data.pids[split.test[1]])"))
    }
    // Repeats of an unknown id are refused too.
    rows = Self.perfectRows(split)
    rows[0] += ",nope,nope"
    #expect(throws: ChorusError.self) {
      try Self.parse(Array(rows.joined(separator: "\n").utf8), split)
    }
  }

  @Test func badPidsMissingRowsAndEmptyFilesAreRefused() throws {
    let split = try Self.split()
    let rows = Self.perfectRows(split)
    for (text, needle) in [
      (rows.joined(separator: "\n") + "\nabc,t1", "'abc' is not a playlist pid"),
      (rows.joined(separator: "\n") + "\n" + rows[0], "appears twice"),
      (rows.dropFirst().joined(separator: "\n"), "1 test playlists have no recommendations"),
      ("pid\r\n", "have no recommendations"),
    ] {
      #expect {
        try Self.parse(Array(text.utf8), split)
      } throws: { ($0 as? ChorusError)?.message.contains(needle) == true }
    }
  }

  @Test func targetExposureByHand() throws {
    let split = try Self.split()
    // s* (unknown to the dataset) first in rows 0 and 1, last in row 2 (outside top_R).
    let rows = Self.perfectRows(split) { i in i < 2 ? ["chorus:target:0"] : [] }
    var withTail = rows
    withTail[2] += ",chorus:target:0"
    let recs = try Self.parse(Array(withTail.joined(separator: "\n").utf8), split)
    let store = Self.data.playlists
    let truth = (0..<10).map { split.context(ofTest: $0, in: store).truth.count }
    let nTrain = split.training.reduce(0) { $0 + store.length($1) }
    let e = ExternalTargetExposure(
      target: "chorus:target:0", recommendations: recs, split: split, dataset: Self.data,
      budget: 4)
    #expect(!e.inCatalogue)
    #expect(e.recommendations == 2)
    #expect(e.testPlaylists == 10)
    #expect(e.successAll == 0.2)
    #expect(e.inList == 3)
    // Ranks 1, 1 and |G_2| + 1.
    #expect(e.meanRank == Double(1 + 1 + truth[2] + 1) / 3)
    #expect(e.medianRank == 1)
    #expect(e.trainingEntries == nTrain)
    let expected =
      (2.0 / Double(truth.reduce(0, +))) / (4.0 / Double(nTrain))
    #expect(approximatelyEqual(e.amplification!, expected))
    // No budget: no amplification; an id nowhere: zeros and no ranks.
    let none = ExternalTargetExposure(
      target: "absent", recommendations: recs, split: split, dataset: Self.data)
    #expect(none.amplification == nil && none.recommendations == 0 && none.meanRank == nil)
  }

  @Test func targetInThePlantedDatasetIsLeftOutOfTrainingEntries() throws {
    let split = try Self.split()
    // Plant "star" at the end of the first three training playlists.
    var playlists = (0..<Self.data.playlistCount).map { p in
      Self.data.playlists[p].map { Self.data.catalogue.trackIDs[Int($0)] }
    }
    for p in split.training.prefix(3) { playlists[p].append("star") }
    var b = DatasetBuilder()
    for (i, p) in playlists.enumerated() {
      for t in p { b.appendTrack(id: t, artist: "a") }
      b.endPlaylist(pid: Self.data.pids[i], name: "")
    }
    let planted = b.finish()
    let plantedSplit = try FoldSplit(
      store: planted.playlists, config: SplitConfig(testSize: 10), fold: 0)
    #expect(plantedSplit.test == split.test)
    let rows = Self.perfectRows(split) { _ in ["star"] }
    let recs = try ExternalRecommendations(
      csv: Array(rows.joined(separator: "\n").utf8), path: "r.csv", dataset: planted,
      split: plantedSplit)
    let e = ExternalTargetExposure(
      target: "star", recommendations: recs, split: plantedSplit, dataset: planted, budget: 3)
    let clean = try Self.parse(Array(rows.joined(separator: "\n").utf8), split)
    let c = ExternalTargetExposure(
      target: "star", recommendations: clean, split: split, dataset: Self.data, budget: 3)
    #expect(e.inCatalogue && !c.inCatalogue)
    #expect(e.trainingEntries == c.trainingEntries)
    #expect(e.trainingOccurrences == 3 && c.trainingOccurrences == 0)
    #expect(e.recommendations == 10 && e.amplification == c.amplification)
  }
}
