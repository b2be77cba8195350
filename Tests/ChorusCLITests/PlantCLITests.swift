// `chorus plant` end to end: the help names the edit log the command really writes, and an
// MPD JSON input gives a copy in which only the collective's playlists changed.
import ChorusCore
import ChorusTestSupport
import Foundation
import PlaylistData
import Testing

@Suite struct PlantCLITests {
  @Test func jsonOutputWritesTheEditLogTheHelpNames() throws {
    let help = try ChorusBinary.run(["plant", "--help"])
    #expect(help.stdout.contains("--out p.json writes p.edits.csv"))
    let dir = TemporaryDirectory()
    let g = try ChorusBinary.run([
      "dataset", "generate", "--preset", "tiny", "--out", dir.file("tiny.json"),
    ])
    #expect(g.status == 0, "\(g.stderr)")
    let r = try ChorusBinary.run([
      "plant", "--dataset", dir.file("tiny.json"), "--strategy", "dirlof", "--budget", "4",
      "--out", dir.file("p.json"),
    ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("p.edits.csv"))
    #expect(dir.contents == ["p.edits.csv", "p.json", "tiny.json"])
    let edits = try String(contentsOfFile: dir.file("p.edits.csv"), encoding: .utf8)
    #expect(edits.split(separator: "\n").count == 5)
    let a = try FileIO.read(dir.file("tiny.json"))
    let b = try FileIO.read(dir.file("p.json"))
    let sa = try a.withUnsafeBytes { try MPDJSONReader.playlistSpans($0, path: "in") }
    let sb = try b.withUnsafeBytes { try MPDJSONReader.playlistSpans($0, path: "out") }
    #expect(sa.count == sb.count)
    let changed = zip(sa, sb).filter { a[$0.bytes] != b[$1.bytes] }
    #expect(changed.count == 4)
    // The input folder or file itself is refused.
    let same = try ChorusBinary.run([
      "plant", "--dataset", dir.file("tiny.json"), "--strategy", "dirlof", "--budget", "4",
      "--out", dir.file("tiny.json"),
    ])
    #expect(same.status == 64)
    #expect(try FileIO.read(dir.file("tiny.json")) == a)
  }
}
