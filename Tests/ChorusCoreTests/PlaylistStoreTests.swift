// The CSR store and its builder: offsets, repeat dropping (first occurrence kept, counted),
// subsets, and the string pool that backs the catalogue.
import ChorusCore
import Testing

@Suite struct PlaylistStoreTests {
  @Test func builderDropsRepeatsKeepingFirst() {
    var b = PlaylistStoreBuilder()
    b.append([3, 1, 3, 2, 1] as [Int32])
    b.append([1, 1] as [Int32])
    b.append([7] as [Int32])
    let s = b.finish()
    #expect(s.arrays == [[3, 1, 2], [1], [7]])
    #expect(s.offsets == [0, 3, 4, 5])
    #expect(b.duplicatesDropped == 3)
    #expect(s.count == 3)
    #expect(s.entryCount == 5)
    #expect(s.length(0) == 3)
  }

  @Test func builderWithoutDedupKeepsRepeats() {
    var b = PlaylistStoreBuilder(dedup: false)
    b.append([1, 1] as [Int32])
    #expect(b.finish().arrays == [[1, 1]])
  }

  @Test func subsetKeepsOrder() {
    var b = PlaylistStoreBuilder()
    for p in 0..<5 { b.append([Int32(p), Int32(p + 10)]) }
    let s = b.finish().subset([4, 0, 2])
    #expect(s.arrays == [[4, 14], [0, 10], [2, 12]])
  }

  @Test func abandonDiscardsOpenPlaylist() {
    var b = PlaylistStoreBuilder()
    b.append([1, 2] as [Int32])
    b.appendTrack(5)
    b.abandonPlaylist()
    b.append([6] as [Int32])
    #expect(b.finish().arrays == [[1, 2], [6]])
  }

  @Test func stringPoolRoundTrip() {
    var pool = StringPool()
    let words = ["", "a", "spotify:track:0UaMYEvWZi0ZqiDOoHU3YI", "Beyoncé", "🎵"]
    for w in words { pool.append(w) }
    #expect(pool.strings == words)
    #expect(pool.byteCount(3) == "Beyoncé".utf8.count)
    let copy = StringPool(bytes: pool.bytes, offsets: pool.offsets)
    #expect(copy == pool)
  }

  @Test func catalogueBuilderKeepsFirstNameAndArtist() {
    var b = CatalogueBuilder()
    let a = b.addTrack(id: "t1", name: "One", artist: "ar1", artistName: "Artist One")
    let c = b.addTrack(id: "t2", name: "Two", artist: "", artistName: "")
    let again = b.addTrack(id: "t1", name: "Other", artist: "ar2", artistName: "X")
    let cat = b.finish()
    #expect(a == 0 && c == 1 && again == 0)
    #expect(cat.trackNames.strings == ["One", "Two"])
    #expect(cat.artistIDs.strings == ["ar1", unknownArtistKey])
    #expect(cat.trackArtist == [0, 1])
  }
}
