// Writing `chorus plant`'s outcome: an MPD copy that differs from its input only in the
// collective's playlists (every other playlist byte-identical, with its repeats, extra fields
// and artist_uri), the edit log and the dataset published together, and refusals that leave
// nothing behind.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Foundation
import PlaylistData
import Testing

@Suite struct PlantOutputTests {
  static let config = SplitConfig(minTracks: 20, testSize: 10, folds: 2, seed: 1)

  /// A small MPD-format slice in the real files' style: extra playlist fields
  /// (`num_followers`, `description`), a repeated track in every fifth playlist, artist_uri
  /// on most tracks and only artist_name on every seventh.
  static func slice(first: Int, count: Int) -> String {
    var rng = RandomStream(seed: UInt64(first), component: "plant-output-fixture")
    var playlists: [String] = []
    for p in first..<(first + count) {
      let n = 22 + rng.nextInt(below: 15)
      var tracks: [String] = []
      var used: [Int] = []
      for k in 0..<n {
        let u = rng.nextDouble()
        var t = Int(u * u * 300)
        if p % 5 == 0 && k == n - 1 { t = used[0] }  // a repeat
        used.append(t)
        let artist =
          t % 7 == 0
          ? "\"artist_name\": \"Band \(t / 10)\""
          : "\"artist_name\": \"Band \(t / 10)\", \"artist_uri\": \"spotify:artist:\(t / 10)\""
        tracks.append(
          "{\"pos\": \(k), \(artist), \"track_uri\": \"spotify:track:\(t)\", "
            + "\"track_name\": \"Song \(t)\", \"album_uri\": \"spotify:album:\(t / 3)\", "
            + "\"duration_ms\": \(200_000 + t), \"album_name\": \"Album \(t / 3)\"}")
      }
      playlists.append(
        "{\"name\": \"mix \(p)\", \"collaborative\": \"false\", \"pid\": \(p), "
          + "\"modified_at\": 1500000000, \"num_tracks\": \(n), \"num_followers\": \(p % 4 + 1), "
          + "\"description\": \"for \\\"friends\\\" \(p)\", \"tracks\": ["
          + tracks.joined(separator: ", ") + "], \"num_edits\": 3, \"num_artists\": \(n / 3)}")
    }
    return "{\"info\": {\"slice\": \"\(first)-\(first + count - 1)\", \"version\": \"v1\"}, "
      + "\"playlists\": [" + playlists.joined(separator: ", ") + "]}"
  }

  /// An MPD folder of two slices (80 playlists) in `dir`.
  static func mpdFolder(_ dir: TemporaryDirectory) throws -> String {
    try FileManager.default.createDirectory(
      atPath: dir.file("in"), withIntermediateDirectories: false)
    _ = dir.write("in/mpd.slice.0-39.json", slice(first: 0, count: 40))
    _ = dir.write("in/mpd.slice.40-79.json", slice(first: 40, count: 40))
    return dir.file("in")
  }

  static func trackIDs(_ d: Dataset, _ p: Int) -> [String] {
    d.playlists[p].map { d.catalogue.trackIDs[Int($0)] }
  }

  @Test func mpdCopyDiffersOnlyInTheCollectivesPlaylists() throws {
    let dir = TemporaryDirectory()
    let input = try Self.mpdFolder(dir)
    let data = try MPDJSONReader.read(path: input)
    #expect(data.warnings.duplicatesDropped > 0)
    let outcome = try PlantPipeline.run(
      dataset: data, config: Self.config, fold: 0,
      request: PlantRequest(strategy: .dirLoF, size: .budget(12)))
    let out = dir.file("planted")
    try PlantOutput.write(
      outcome, format: .mpd, out: out, edits: out + "/edits.csv", source: input)
    let collective = Set(outcome.plant.collective.map { data.pids[$0] })
    #expect(collective.count == 12)
    var untouched = 0
    var repeatsKept = 0
    for name in ["mpd.slice.0-39.json", "mpd.slice.40-79.json"] {
      let a = try FileIO.read(input + "/" + name)
      let b = try FileIO.read(out + "/" + name)
      let sa = try a.withUnsafeBytes { try MPDJSONReader.playlistSpans($0, path: name) }
      let sb = try b.withUnsafeBytes { try MPDJSONReader.playlistSpans($0, path: name) }
      #expect(sa.map(\.pid) == sb.map(\.pid))
      for (x, y) in zip(sa, sb) {
        let same = a[x.bytes] == b[y.bytes]
        if collective.contains(x.pid!) {
          #expect(!same)
          try Self.expectOneInsertion(Data(a[x.bytes]), Data(b[y.bytes]))
          if x.pid! % 5 == 0 { repeatsKept += 1 }
        } else {
          #expect(same, "playlist \(x.pid!) changed")
          untouched += 1
        }
      }
    }
    #expect(untouched == 80 - collective.count)
    #expect(repeatsKept > 0, "the fixture should put a playlist with a repeat in the collective")
    // The copy reads back as the manipulated dataset.
    let back = try MPDJSONReader.read(path: out)
    #expect(back.pids == outcome.dataset.pids)
    for p in 0..<back.playlistCount {
      #expect(Self.trackIDs(back, p) == Self.trackIDs(outcome.dataset, p))
    }
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: out).sorted() == [
        "edits.csv", "mpd.slice.0-39.json", "mpd.slice.40-79.json",
      ])
    #expect(try FileIO.read(out + "/edits.csv") == Data(outcome.editsCSV.utf8))
    #expect(dir.contents.sorted() == ["in", "planted"])
    // Planting again into the same folder replaces it (it holds only what plant writes).
    try PlantOutput.write(
      outcome, format: .mpd, out: out, edits: out + "/edits.csv", source: input)
    #expect(dir.contents.sorted() == ["in", "planted"])
  }

  /// `after` is `before` with one track object (s*) inserted into `tracks`: every other
  /// field equal, `num_tracks` and `num_artists` one more, the other track objects (repeats
  /// included) equal but for `pos`.
  static func expectOneInsertion(_ before: Data, _ after: Data) throws {
    let a = try #require(try JSONSerialization.jsonObject(with: before) as? NSDictionary)
    let b = try #require(try JSONSerialization.jsonObject(with: after) as? NSDictionary)
    #expect(Set(a.allKeys as! [String]) == Set(b.allKeys as! [String]))
    for key in a.allKeys as! [String] where !["tracks", "num_tracks", "num_artists"].contains(key) {
      #expect((a[key] as? NSObject) == (b[key] as? NSObject), "\(key) changed")
    }
    #expect((b["num_tracks"] as! Int) == (a["num_tracks"] as! Int) + 1)
    // s* has its own new artist.
    #expect((b["num_artists"] as! Int) == (a["num_artists"] as! Int) + 1)
    let ta = a["tracks"] as! [NSDictionary]
    var tb = b["tracks"] as! [NSDictionary]
    let k = try #require(tb.firstIndex { $0["track_uri"] as? String == "chorus:target:0" })
    #expect(tb[k]["pos"] as? Int == k)
    tb.remove(at: k)
    #expect(tb.count == ta.count)
    for (x, y) in zip(ta, tb) {
      let mx = x.mutableCopy() as! NSMutableDictionary
      let my = y.mutableCopy() as! NSMutableDictionary
      mx["pos"] = nil
      my["pos"] = nil
      #expect(mx == my)
    }
    #expect(tb.enumerated().allSatisfy { i, t in t["pos"] as? Int == (i < k ? i : i + 1) })
  }

  @Test func fileOutputsAppearAsAPairAndStaleTemporariesAreRemoved() throws {
    let dir = TemporaryDirectory()
    let input = dir.write("in.json", Self.slice(first: 0, count: 60))
    let data = try MPDJSONReader.read(path: input)
    let outcome = try PlantPipeline.run(
      dataset: data, config: Self.config, fold: 1,
      request: PlantRequest(strategy: .random, size: .budget(3)))
    // Left by a killed run whose process is gone, two minutes ago.
    let stale = dir.write(".p.json.2147483000.tmp", "half")
    try FileManager.default.setAttributes(
      [.modificationDate: Date().addingTimeInterval(-120)], ofItemAtPath: stale)
    try PlantOutput.write(
      outcome, format: .json, out: dir.file("p.json"), edits: dir.file("p.edits.csv"),
      source: input)
    #expect(dir.contents.sorted() == ["in.json", "p.edits.csv", "p.json"])
    let a = try FileIO.read(input)
    let b = try FileIO.read(dir.file("p.json"))
    let sa = try a.withUnsafeBytes { try MPDJSONReader.playlistSpans($0, path: "in") }
    let sb = try b.withUnsafeBytes { try MPDJSONReader.playlistSpans($0, path: "out") }
    let changed = zip(sa, sb).filter { a[$0.bytes] != b[$1.bytes] }.map { $0.0.pid! }
    #expect(Set(changed) == Set(outcome.plant.collective.map { data.pids[$0] }))
    // A binary cache has no MPD source to copy: encoded whole, still as a pair.
    try PlantOutput.write(
      outcome, format: .chorus, out: dir.file("p.chorus"), edits: dir.file("p2.edits.csv"),
      source: input)
    #expect(try BinaryCache.read(path: dir.file("p.chorus")).sameContent(as: outcome.dataset))
    #expect(
      dir.contents.sorted() == ["in.json", "p.chorus", "p.edits.csv", "p.json", "p2.edits.csv"])
  }

  @Test func refusalsLeaveNothingBehind() throws {
    let dir = TemporaryDirectory()
    let input = try Self.mpdFolder(dir)
    let data = try MPDJSONReader.read(path: input)
    let outcome = try PlantPipeline.run(
      dataset: data, config: Self.config, fold: 0,
      request: PlantRequest(strategy: .atTheEnd, size: .budget(2)))
    // The input itself.
    #expect(throws: ChorusError.self) {
      try PlantOutput.write(
        outcome, format: .mpd, out: input, edits: input + "/edits.csv", source: input)
    }
    // A folder that holds something plant does not write.
    try FileManager.default.createDirectory(
      atPath: dir.file("mine"), withIntermediateDirectories: false)
    _ = dir.write("mine/notes.txt", "keep")
    #expect(throws: ChorusError.self) {
      try PlantOutput.write(
        outcome, format: .mpd, out: dir.file("mine"), edits: dir.file("mine/edits.csv"),
        source: input)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.file("mine")) == ["notes.txt"])
    #expect(dir.contents.sorted() == ["in", "mine"])
    #expect(try MPDJSONReader.read(path: input).sameContent(as: data))
  }
}
