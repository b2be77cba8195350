// Golden values for DatasetStatistics on a hand-made four-playlist dataset: every number
// below was worked out by hand from the playlists in `handMade()`, so a change in any
// formula (median, nearest-rank percentiles, Gini, top-decile share) shows up here.
import ChorusCore
import Foundation
import Testing

@testable import PlaylistData

@Suite struct DatasetStatisticsTests {
  /// Tracks (artist): a, b (X); c, d (Y); e (Z); f (W); g (V, only in an abandoned playlist).
  /// P0 = a b c · P1 = a f · P2 = b a e (a repeated once, dropped) · P3 = a c d e b.
  static func handMade() -> Dataset {
    var b = DatasetBuilder()
    let artistOf = ["a": "X", "b": "X", "c": "Y", "d": "Y", "e": "Z", "f": "W", "g": "V"]
    func add(_ ids: [String], pid: Int64) {
      for id in ids {
        b.appendTrack(
          id: id, name: "Song \(id)", artist: artistOf[id]!, artistName: "Name \(artistOf[id]!)")
      }
      b.endPlaylist(pid: pid, name: "p\(pid)")
    }
    add(["a", "b", "c"], pid: 10)
    add(["a", "f"], pid: 11)
    // An abandoned playlist leaves track g (artist V) in the catalogue but in no playlist.
    b.appendTrack(id: "g", name: "Song g", artist: "V", artistName: "Name V")
    b.abandonPlaylist()
    add(["b", "a", "e", "a"], pid: 12)
    add(["a", "c", "d", "e", "b"], pid: 13)
    return b.finish()
  }

  @Test func sizesAndLengths() {
    let s = DatasetStatistics(dataset: Self.handMade())
    #expect(s.playlists == 4)
    #expect(s.entries == 13)  // 3 + 2 + 3 + 5
    #expect(s.tracks == 6)  // g never occurs
    #expect(s.catalogueTracks == 7)
    #expect(s.artists == 4)  // V never occurs
    #expect(s.catalogueArtists == 5)
    #expect(s.lengthMin == 2)
    #expect(s.lengthMax == 5)
    #expect(s.lengthMean == 3.25)
    #expect(s.lengthMedian == 3)  // sorted 2 3 3 5
    #expect(s.lengthP10 == 2)  // ⌈0.4⌉ = 1st smallest
    #expect(s.lengthP90 == 5)  // ⌈3.6⌉ = 4th smallest
  }

  @Test func trackFrequencies() {
    let s = DatasetStatistics(dataset: Self.handMade())
    // a 4, b 3, c 2, e 2, d 1, f 1.
    #expect(s.maxTrackFrequency == 4)
    #expect(abs(s.meanTrackFrequency - 13.0 / 6) < 1e-12)
    #expect(s.medianTrackFrequency == 2)  // sorted 1 1 2 2 3 4
    #expect(abs(s.shareOfTracksInOnePlaylist - 2.0 / 6) < 1e-12)
    #expect(s.topTrackShareOfPlaylists == 1)
    #expect(abs(s.density - 13.0 / 24) < 1e-12)
  }

  @Test func artistConcentration() {
    let s = DatasetStatistics(dataset: Self.handMade())
    // Entries per artist: X 7, Y 3, Z 2, W 1. Gini = 2·(1·1+2·2+3·3+4·7)/(4·13) − 5/4.
    #expect(abs(s.artistGini - 19.0 / 52) < 1e-12)
    #expect(abs(s.topDecileArtistShareOfEntries - 7.0 / 13) < 1e-12)  // ⌈0.4⌉ = 1 artist
    #expect(s.meanTracksPerArtist == 1.5)
    // Same-artist adjacent pairs: a-b (P0), b-a (P2), c-d (P3) out of 2 + 1 + 2 + 4 pairs.
    #expect(abs(s.consecutiveSameArtistShare - 3.0 / 9) < 1e-12)
  }

  @Test func topLists() {
    let s = DatasetStatistics(dataset: Self.handMade(), top: 3)
    #expect(s.topTracks.map(\.id) == ["a", "b", "c"])  // c before e: lower dense id on a tie
    #expect(s.topTracks.map(\.count) == [4, 3, 2])
    #expect(s.topTracks[0].name == "Song a")
    #expect(s.topTracks[0].artist == "Name X")
    #expect(s.topTracks[1].shareOfPlaylists == 0.75)
    #expect(s.topArtists.map(\.id) == ["X", "Y", "Z"])
    #expect(s.topArtists.map(\.entries) == [7, 3, 2])
    #expect(s.topArtists.map(\.tracks) == [2, 2, 1])
    #expect(abs(s.topArtists[0].shareOfEntries - 7.0 / 13) < 1e-12)
    #expect(DatasetStatistics(dataset: Self.handMade(), top: 0).topTracks.isEmpty)
  }

  @Test func emptyDataset() {
    let empty = DatasetBuilder().finish()
    let s = DatasetStatistics(dataset: empty)
    #expect(s.playlists == 0 && s.entries == 0 && s.tracks == 0 && s.artists == 0)
    #expect(s.lengthMin == 0 && s.lengthMax == 0 && s.lengthMedian == 0)
    #expect(s.artistGini == 0 && s.density == 0 && s.topTracks.isEmpty)
    #expect(!s.text.isEmpty)
  }

  @Test func textAndJSON() throws {
    let s = DatasetStatistics(dataset: Self.handMade(), top: 2)
    let text = s.text
    #expect(text.contains("Playlists            4"))
    #expect(text.contains("median 3.0"))
    #expect(text.contains("Tracks in 1 playlist 33.33%"))
    #expect(text.contains("Song a — Name X"))
    let data = try JSONEncoder().encode(s)
    let json = String(decoding: data, as: UTF8.self)
    #expect(json.contains("\"shareOfTracksInOnePlaylist\""))
    #expect(json.contains("\"topDecileArtistShareOfEntries\""))
    #expect(try JSONDecoder().decode(DatasetStatistics.self, from: data) == s)
  }

  @Test func formatting() {
    #expect(DatasetStatistics.grouped(1_234_567) == "1,234,567")
    #expect(DatasetStatistics.grouped(999) == "999")
    #expect(DatasetStatistics.fixed(2.005, 1) == "2.0")
    #expect(DatasetStatistics.fixed(9.999, 2) == "10.00")
    #expect(DatasetStatistics.percent(0.04663) == "4.66%")
    #expect(DatasetStatistics.scientific(2.93e-5) == "2.93e-5")
  }
}
