// Two playlists with one pid are refused wherever they come from — two copies of a slice in
// a folder, a repeated pid inside one slice, session keys equal as numbers, a cache — and
// the error names both places and says what to do.
import ChorusCore
import ChorusTestSupport
import Foundation
import PlaylistData
import Testing

@Suite struct DuplicatePlaylistIDTests {
  static func slice(pids: [Int]) -> String {
    let playlists = pids.map { pid in
      "{\"name\": \"p\(pid)\", \"pid\": \(pid), \"tracks\": [{\"track_uri\": \"t\(pid)\"}]}"
    }
    return "{\"info\": {}, \"playlists\": [" + playlists.joined(separator: ", ") + "]}"
  }

  @Test func twoCopiesOfASliceInOneFolderAreRefused() throws {
    let dir = TemporaryDirectory()
    dir.write("mpd.slice.0-2.json", Self.slice(pids: [0, 1, 2]))
    dir.write("mpd.slice.3-5.json", Self.slice(pids: [3, 4, 5]))
    dir.write("mpd.slice.3-5 (copy).json", Self.slice(pids: [3, 4, 5]))
    let e = #expect(throws: ChorusError.self) { try DatasetSource.load(dir.path) }
    #expect(e?.kind == .data)
    #expect(e?.file == dir.path)
    #expect(e?.field == "pid")
    #expect(e?.message.contains("pid 3") == true)
    #expect(e?.message.contains("playlist #1 of mpd.slice.3-5 (copy).json") == true)
    #expect(e?.message.contains("playlist #1 of mpd.slice.3-5.json") == true)
    #expect(e?.hint?.contains("copy of a slice") == true)
  }

  @Test func distinctPidsAcrossSlicesLoad() throws {
    let dir = TemporaryDirectory()
    dir.write("mpd.slice.0-2.json", Self.slice(pids: [0, 1, 2]))
    dir.write("mpd.slice.3-5.json", Self.slice(pids: [3, 4, 5]))
    #expect(try DatasetSource.load(dir.path).pids == [0, 1, 2, 3, 4, 5])
  }

  @Test func aRepeatedPidInsideOneSliceIsRefused() throws {
    let dir = TemporaryDirectory()
    let path = dir.write("one.json", Self.slice(pids: [10, 11, 12, 11]))
    let e = #expect(throws: ChorusError.self) { try DatasetSource.load(path) }
    #expect(e?.file == path)
    #expect(e?.message.contains("pid 11: playlist #2 of the file and playlist #4") == true)
  }

  @Test func sessionKeysEqualAsNumbersAreRefusedWithBothLines() throws {
    let dir = TemporaryDirectory()
    let path = dir.write("s.csv", "session,item\n7,a\n8,b\n007,c\n")
    let e = #expect(throws: ChorusError.self) { try DatasetSource.load(path) }
    #expect(e?.file == path)
    #expect(e?.message.contains("session '7' first seen on line 2") == true)
    #expect(e?.message.contains("session '007' first seen on line 4") == true)
    #expect(e?.hint?.contains("own key") == true)
  }

  @Test func mixedSessionKeysUseIndicesSoTheyCannotCollide() throws {
    // Before, "a" took index 0 and "1"... took its number: "b" (index 1) and "1" collided.
    let dir = TemporaryDirectory()
    let path = dir.write("s.csv", "session,item\na,x\nb,y\n1,z\n")
    let d = try SessionFormat.read(path: path)
    #expect(d.pids == [0, 1, 2])
    #expect(d.names.strings == ["a", "b", "1"])
  }

  @Test func firstDuplicateFindsTheEarliestSecondOccurrence() {
    #expect(PlaylistIDCheck.firstDuplicate([]) == nil)
    #expect(PlaylistIDCheck.firstDuplicate([5, 6, 7]) == nil)
    #expect(PlaylistIDCheck.firstDuplicate([4, 9, 9, 4])! == (1, 2))
    // A wide range takes the hash-set path.
    #expect(PlaylistIDCheck.firstDuplicate([Int64.min, 0, Int64.max, 0])! == (1, 3))
    #expect(PlaylistIDCheck.firstDuplicate([Int64.min, Int64.max]) == nil)
  }
}
