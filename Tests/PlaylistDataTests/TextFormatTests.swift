// The plain text format: comments, blank lines, repeats, round trips, and bad input
// (empty files, comment-only files, invalid UTF-8, unwritable ids).
import ChorusCore
import ChorusTestSupport
import PlaylistData
import Testing

@Suite struct TextFormatTests {
  @Test func parsesPlaylistsCommentsAndRepeats() throws {
    let dir = TemporaryDirectory()
    let path = dir.write(
      "p.txt",
      """
      # a header comment
      a b c   # trailing comment
      \tb  d b

      e
      """)
    let d = try TextFormat.read(path: path)
    #expect(d.playlists.arrays == [[0, 1, 2], [1, 3], [4]])
    #expect(d.catalogue.trackIDs.strings == ["a", "b", "c", "d", "e"])
    #expect(d.pids == [0, 1, 2])
    #expect(d.warnings.duplicatesDropped == 1)
    #expect(d.catalogue.artistIDs.strings == [unknownArtistKey])
  }

  @Test func roundTrip() throws {
    let dir = TemporaryDirectory()
    let original = Fixtures.random(playlists: 50)
    let path = dir.file("r.txt")
    try TextFormat.write(original, to: path)
    let back = try TextFormat.read(path: path)
    #expect(back.playlists.count == original.playlists.count)
    for p in 0..<original.playlistCount {
      let a = original.playlists[p].map { original.catalogue.trackIDs[Int($0)] }
      let b = back.playlists[p].map { back.catalogue.trackIDs[Int($0)] }
      #expect(a == b)
    }
    // A second write of what was read is byte-identical.
    let again = dir.file("s.txt")
    try TextFormat.write(back, to: again)
    #expect(try FileIO.read(path) == FileIO.read(again))
  }

  @Test func emptyAndCommentOnlyFilesAreErrors() {
    let dir = TemporaryDirectory()
    let empty = dir.write("e.txt", "")
    let e1 = #expect(throws: ChorusError.self) { try TextFormat.read(path: empty) }
    #expect(e1?.message.contains("empty") == true)
    #expect(e1?.file == empty)
    let comments = dir.write("c.txt", "# nothing\n\n   \n")
    let e2 = #expect(throws: ChorusError.self) { try TextFormat.read(path: comments) }
    #expect(e2?.message.contains("no playlists") == true)
  }

  @Test func invalidUTF8NamesTheLine() {
    let dir = TemporaryDirectory()
    let path = dir.write("u.txt", bytes: Array("a b\nc ".utf8) + [0xFF, 0x41] + Array("\n".utf8))
    let e = #expect(throws: ChorusError.self) { try TextFormat.read(path: path) }
    #expect(e?.line == 2)
    #expect(e?.column == 3)
    #expect(e?.message.contains("UTF-8") == true)
  }

  @Test func idsWithSpacesCannotBeWritten() {
    let dir = TemporaryDirectory()
    let d = Fixtures.dataset([["has space", "b"]])
    let path = dir.file("x.txt")
    #expect(throws: ChorusError.self) { try TextFormat.write(d, to: path) }
    #expect(dir.contents.isEmpty)  // nothing half-written
  }

  @Test func missingFileIsAClearError() {
    let e = #expect(throws: ChorusError.self) { try TextFormat.read(path: "/nonexistent/x.txt") }
    #expect(e?.message.contains("no such file") == true)
  }
}
