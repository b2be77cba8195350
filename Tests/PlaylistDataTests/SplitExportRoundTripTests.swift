// An exported fold read back: the training file holds exactly the fold's training
// playlists (chorus and MPD JSON), the seeds file the test playlists cut to their seed
// lengths, the truth CSV every held-out track at its position (ids with commas and quotes
// quoted), and the collective order the fold's permutation — all by pid, as FoldSplit says.
import ChorusCore
import ChorusTestSupport
import Foundation
import PlaylistData
import Testing

@Suite struct SplitExportRoundTripTests {
  /// 400 playlists of 5…40 tracks; pids are not indices; some ids need CSV quoting.
  static let data: Dataset = {
    var rng = RandomStream(seed: 6, component: "test.splitexport")
    var b = DatasetBuilder()
    for p in 0..<400 {
      for _ in 0..<(5 + rng.nextInt(below: 36)) {
        let u = rng.nextDouble()
        let t = Int(u * u * 900)
        let id =
          t % 7 == 0 ? "spotify:track:\(t),x" : t % 11 == 0 ? "q\"\(t)" : "spotify:track:\(t)"
        b.appendTrack(id: id, name: "Song \(t)", artist: "a\(t / 9)", artistName: "Artist \(t / 9)")
      }
      b.endPlaylist(pid: Int64(5000 + 3 * p), name: "list \(p) — é")
    }
    return b.finish()
  }()

  /// The track ids of every playlist, as strings.
  static func idLists(_ d: Dataset) -> [[String]] {
    d.playlists.arrays.map { $0.map { d.catalogue.trackIDs[Int($0)] } }
  }

  /// Splits one CSV line, honouring double-quoted fields with doubled quotes inside.
  static func csvFields(_ line: Substring) -> [String] {
    var fields: [String] = []
    var field = ""
    var quoted = false
    var i = line.startIndex
    while i < line.endIndex {
      let c = line[i]
      if quoted {
        if c == "\"" {
          let next = line.index(after: i)
          if next < line.endIndex && line[next] == "\"" {
            field.append("\"")
            i = next
          } else {
            quoted = false
          }
        } else {
          field.append(c)
        }
      } else if c == "\"" {
        quoted = true
      } else if c == "," {
        fields.append(field)
        field = ""
      } else {
        field.append(c)
      }
      i = line.index(after: i)
    }
    fields.append(field)
    return fields
  }

  /// Data rows of a CSV file after checking its header.
  static func rows(_ path: String, header: String) throws -> [[String]] {
    let text = try String(contentsOfFile: path, encoding: .utf8)
    let lines = text.split(separator: "\n")
    #expect(lines.first.map(String.init) == header)
    return lines.dropFirst().map(csvFields)
  }

  @Test(arguments: [nil, "json"] as [String?])
  func exportedFoldReadsBackAsTheSplit(format: String?) throws {
    let data = Self.data
    let split = try FoldSplit(
      store: data.playlists, config: SplitConfig(testSize: 50, folds: 2, seed: 4), fold: 1)
    let dir = TemporaryDirectory()
    let folder = dir.file("fold1")
    try SplitExport.write(dataset: data, split: split, to: folder, format: format)

    // Training: the fold's training playlists, in order, with pids, names and track ids.
    let training = try DatasetSource.load(
      folder + (format == "json" ? "/training.json" : "/training.chorus"))
    let expected = data.subset(split.training)
    #expect(training.pids == split.training.map { data.pids[$0] })
    #expect(Self.idLists(training) == Self.idLists(expected))
    #expect(
      (0..<training.playlistCount).map { training.names[$0] }
        == split.training.map {
          data.names[$0]
        })
    if format == nil { #expect(training.sameContent(as: expected)) }

    // Seeds: test playlists in block order, cut to 1…10 tracks.
    let seeds = try DatasetSource.load(folder + "/test-seeds.json")
    #expect(seeds.pids == split.test.map { data.pids[$0] })
    let seedIDs = Self.idLists(seeds)
    let all = Self.idLists(data)
    for i in 0..<split.test.count {
      let length = split.seedLength(ofTest: i)
      #expect(length == i / 5 + 1)
      #expect(seedIDs[i] == Array(all[split.test[i]].prefix(length)))
      #expect(seeds.names[i] == data.names[split.test[i]])
    }

    // Truth: per test playlist, every track after the seed with its 0-based position.
    var expectedTruth: [[String]] = []
    for i in 0..<split.test.count {
      let p = split.test[i]
      let length = split.seedLength(ofTest: i)
      for position in length..<all[p].count {
        expectedTruth.append(["\(data.pids[p])", "\(length)", "\(position)", all[p][position]])
      }
    }
    let truth = try Self.rows(
      folder + "/test-truth.csv", header: "pid,seed_length,position,track_id")
    #expect(truth == expectedTruth)
    // The fixture really has ids that needed quoting.
    #expect(truth.contains { $0[3].contains(",") } && truth.contains { $0[3].contains("\"") })

    // Collective order: rank and pid of the fold's permutation.
    let order = try Self.rows(folder + "/collective-order.csv", header: "rank,pid")
    #expect(
      order
        == split.collectiveOrder.enumerated().map { ["\($0.offset)", "\(data.pids[$0.element])"] })
    #expect(order.count > 100)
  }
}
