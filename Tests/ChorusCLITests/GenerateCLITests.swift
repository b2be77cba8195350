// `chorus dataset generate` with a changed synthetic process: --playlists sets the size,
// --set changes a parameter (and so the data), unknown or invalid settings exit 64 and write
// nothing; generate and convert never replace an existing --out.
import ChorusCore
import ChorusTestSupport
import Foundation
import PlaylistData
import Testing

@Suite struct GenerateCLITests {
  @Test func settingsChangeTheProcessAndBadOnesAreRefused() throws {
    let dir = TemporaryDirectory()
    let plain = try ChorusBinary.run([
      "dataset", "generate", "--playlists", "300", "--out", dir.file("a.chorus"),
    ])
    #expect(plain.status == 0, "\(plain.stderr)")
    let longer = try ChorusBinary.run([
      "dataset", "generate", "--playlists", "300", "--set", "lengthMean=20", "--set",
      "trackExponent=3", "--out", dir.file("b.chorus"),
    ])
    #expect(longer.status == 0, "\(longer.stderr)")
    let a = try BinaryCache.read(path: dir.file("a.chorus"))
    let b = try BinaryCache.read(path: dir.file("b.chorus"))
    #expect(a.playlistCount == 300 && b.playlistCount == 300)
    // Mean length 69 by default, 20 with the setting.
    #expect(b.playlists.entryCount < a.playlists.entryCount / 2)
    for bad in [["--set", "bogus=1"], ["--set", "lengthMean=-3"], ["--playlists", "0"]] {
      let r = try ChorusBinary.run(["dataset", "generate", "--out", dir.file("c.chorus")] + bad)
      #expect(r.status == 64, "\(bad): \(r.stderr)")
      #expect(!FileManager.default.fileExists(atPath: dir.file("c.chorus")))
    }
  }

  @Test func generateAndConvertRefuseAnExistingOutputAndLeaveItUntouched() throws {
    let dir = TemporaryDirectory()
    let mine = dir.file("mine.chorus")
    let original = Data("a user's file".utf8)
    try original.write(to: URL(fileURLWithPath: mine))
    let gen = try ChorusBinary.run([
      "dataset", "generate", "--playlists", "200", "--out", mine,
    ])
    #expect(gen.status == 64, "\(gen.stderr)")
    #expect(gen.stderr.contains("already exists") && gen.stderr.contains(mine))
    let made = dir.file("made.chorus")
    let ok = try ChorusBinary.run(["dataset", "generate", "--playlists", "200", "--out", made])
    #expect(ok.status == 0, "\(ok.stderr)")
    let conv = try ChorusBinary.run(["dataset", "convert", made, "--out", mine])
    #expect(conv.status == 64, "\(conv.stderr)")
    #expect(try Data(contentsOf: URL(fileURLWithPath: mine)) == original)
  }
}
