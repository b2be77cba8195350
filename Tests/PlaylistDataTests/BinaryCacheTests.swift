// The .chorus cache: exact round trip of playlists, pids, names, catalogue and warnings;
// corrupt, truncated and foreign files are refused with a hint to rebuild.
import ChorusCore
import ChorusTestSupport
import Foundation
import PlaylistData
import Testing

@Suite struct BinaryCacheTests {
  @Test func roundTripIsExact() throws {
    let dir = TemporaryDirectory()
    var d = Fixtures.random(playlists: 200)
    d.warnings.missingName = 3
    let path = dir.file("d.chorus")
    try BinaryCache.write(d, to: path)
    let back = try BinaryCache.read(path: path)
    #expect(back == d)
    #expect(dir.contents == ["d.chorus"])
  }

  @Test func emptyDatasetRoundTrips() throws {
    let dir = TemporaryDirectory()
    let d = Dataset(
      playlists: PlaylistStore(), pids: [], names: StringPool(), catalogue: Catalogue())
    let path = dir.file("e.chorus")
    try BinaryCache.write(d, to: path)
    #expect(try BinaryCache.read(path: path) == d)
  }

  @Test func corruptAndTruncatedFilesAreRefused() throws {
    let dir = TemporaryDirectory()
    let path = dir.file("d.chorus")
    try BinaryCache.write(Fixtures.random(playlists: 20), to: path)
    var bytes = [UInt8](try FileIO.read(path))
    bytes[bytes.count / 2] ^= 1
    let corrupt = dir.write("c.chorus", bytes: bytes)
    let e1 = #expect(throws: ChorusError.self) { try BinaryCache.read(path: corrupt) }
    #expect(e1?.hint?.contains("chorus dataset convert") == true)
    let truncated = dir.write("t.chorus", bytes: Array(bytes.prefix(bytes.count / 2 / 8 * 8)))
    #expect(throws: ChorusError.self) { try BinaryCache.read(path: truncated) }
    let foreign = dir.write("f.chorus", "this is not a cache file at all, just text....")
    let e3 = #expect(throws: ChorusError.self) { try BinaryCache.read(path: foreign) }
    #expect(e3?.file == foreign)
  }
}
