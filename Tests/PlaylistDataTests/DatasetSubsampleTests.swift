// Subsampling playlists: the sample has the asked size, every kept playlist is an input
// playlist unchanged (pid, name, track ids, names and artists in order), the same seed gives
// the same sample and another seed another one, the catalogue keeps only occurring tracks in
// first-seen order (so an MPD round trip is exact), and bad sizes are refused.
import ChorusCore
import ChorusTestSupport
import Foundation
import PlaylistData
import Testing

@Suite struct DatasetSubsampleTests {
  static let input = Fixtures.random(playlists: 400, tracks: 300, seed: 7)

  /// A playlist as the strings a reader would see: pid, name, and per track its id, name,
  /// artist key and artist name.
  static func described(_ d: Dataset, _ p: Int) -> [String] {
    let c = d.catalogue
    return ["\(d.pids[p])", d.names[p]]
      + d.playlists[p].flatMap { t -> [String] in
        let a = Int(c.trackArtist[Int(t)])
        return [c.trackIDs[Int(t)], c.trackNames[Int(t)], c.artistIDs[a], c.artistNames[a]]
      }
  }

  @Test func sampleHasTheAskedSizeAndKeepsInputPlaylistsUnchanged() throws {
    let input = Self.input
    let byPid = Dictionary(uniqueKeysWithValues: input.pids.enumerated().map { ($1, $0) })
    let sample = try DatasetSubsample.sample(input, size: .playlists(57), seed: 3)
    #expect(sample.playlistCount == 57)
    #expect(Set(sample.pids).count == 57)
    var previous = -1
    for p in 0..<sample.playlistCount {
      let source = try #require(byPid[sample.pids[p]])
      #expect(Self.described(sample, p) == Self.described(input, source))
      #expect(source > previous, "kept playlists stay in input order")
      previous = source
    }
    #expect(sample.warnings == DataWarnings())
  }

  @Test func fractionRoundsToTheNearestCount() throws {
    #expect(try SubsampleSize.fraction(0.1).count(of: 400) == 40)
    #expect(try SubsampleSize.fraction(0.0001).count(of: 400) == 1)
    #expect(try SubsampleSize.fraction(1).count(of: 400) == 400)
    #expect(try SubsampleSize.fraction(0.125).count(of: 10) == 1)  // 1.25 → 1
    #expect(try SubsampleSize.fraction(0.15).count(of: 10) == 2)  // 1.5 → 2
    let sample = try DatasetSubsample.sample(Self.input, size: .fraction(0.25), seed: 0)
    #expect(sample.playlistCount == 100)
  }

  @Test func catalogueHoldsOnlyOccurringTracksInFirstSeenOrder() throws {
    let sample = try DatasetSubsample.sample(Self.input, size: .playlists(5), seed: 1)
    var seen: [Int32] = []
    var known = Set<Int32>()
    for t in sample.playlists.tracks where known.insert(t).inserted { seen.append(t) }
    #expect(seen == (0..<Int32(sample.trackCount)).map { $0 })
    #expect(sample.trackCount < Self.input.trackCount)
    let artists = Set(sample.catalogue.trackArtist)
    #expect(artists.count == sample.artistCount)
  }

  @Test func sameSeedSameSampleOtherSeedOtherSample() throws {
    let a = try DatasetSubsample.sample(Self.input, size: .playlists(100), seed: 11)
    let b = try DatasetSubsample.sample(Self.input, size: .playlists(100), seed: 11)
    let c = try DatasetSubsample.sample(Self.input, size: .playlists(100), seed: 12)
    #expect(a == b)
    #expect(a.pids != c.pids)
    #expect(
      DatasetSubsample.indices(total: 1000, count: 10, seed: 5)
        == DatasetSubsample.indices(total: 1000, count: 10, seed: 5))
  }

  @Test func indicesAreDistinctSortedAndRoughlyUniform() {
    // Each index is kept with probability 1/4; over 200 seeds every index of 0..<40 must be
    // drawn between 20 and 80 times (expected 50, sd 6.1; the bounds are ~5 sd away).
    var counts = [Int](repeating: 0, count: 40)
    for seed in 0..<200 {
      let drawn = DatasetSubsample.indices(total: 40, count: 10, seed: UInt64(seed))
      #expect(drawn.count == 10 && Set(drawn).count == 10 && drawn == drawn.sorted())
      for i in drawn { counts[i] += 1 }
    }
    #expect(counts.allSatisfy { (20...80).contains($0) }, "\(counts)")
    #expect(DatasetSubsample.indices(total: 7, count: 7, seed: 0) == Array(0..<7))
  }

  @Test func writtenAsMPDAndReadBackTheSampleIsTheSame() throws {
    let dir = TemporaryDirectory()
    let sample = try DatasetSubsample.sample(Self.input, size: .playlists(30), seed: 2)
    try MPDJSONWriter.writeFile(sample, to: dir.file("s.json"))
    let back = try DatasetSource.load(dir.file("s.json"))
    #expect(back.sameContent(as: sample))
  }

  @Test func badSizesAreUsageErrorsNamingTheOption() {
    func field(_ size: SubsampleSize, of total: Int) -> (ChorusErrorKind, String?)? {
      do {
        _ = try size.count(of: total)
        return nil
      } catch let e as ChorusError {
        return (e.kind, e.field)
      } catch {
        return nil
      }
    }
    #expect(field(.playlists(401), of: 400)! == (.usage, "playlists"))
    #expect(field(.playlists(0), of: 400)! == (.usage, "playlists"))
    for f in [0, -0.5, 1.0001, .nan, .infinity] {
      #expect(field(.fraction(f), of: 400)! == (.usage, "fraction"), "\(f)")
    }
    #expect(field(.fraction(0.5), of: 0)! == (.usage, "fraction"))
  }
}
