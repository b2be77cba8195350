// `chorus dataset subsample`: reads MPD slices (or any dataset the lab reads), writes a
// byte-identical sample for the same seed on any thread count, another sample for another
// seed, and refuses bad sizes and an existing --out with exit 64, writing nothing.
import ChorusCore
import ChorusTestSupport
import Foundation
import PlaylistData
import Testing

@Suite struct SubsampleCLITests {
  /// A folder of MPD slices with 250 playlists (3 files).
  static func mpdFolder(_ dir: TemporaryDirectory) throws -> String {
    let folder = dir.file("mpd")
    try MPDJSONWriter.writeFolder(
      Fixtures.random(playlists: 250, tracks: 400, seed: 3), to: folder, playlistsPerFile: 100)
    return folder
  }

  @Test func sameSeedIsByteIdenticalOnAnyThreadCountOtherSeedDiffers() throws {
    let dir = TemporaryDirectory()
    let mpd = try Self.mpdFolder(dir)
    var outputs: [Data] = []
    for (name, seed, threads) in [("a", "4", "1"), ("b", "4", "2"), ("c", "5", "2")] {
      let r = try ChorusBinary.run([
        "dataset", "subsample", mpd, "--playlists", "60", "--seed", seed, "--threads", threads,
        "--out", dir.file("\(name).chorus"),
      ])
      #expect(r.status == 0, "\(r.stderr)")
      #expect(r.stdout.contains("60 playlists"))
      outputs.append(try Data(contentsOf: URL(fileURLWithPath: dir.file("\(name).chorus"))))
    }
    #expect(outputs[0] == outputs[1])
    #expect(outputs[0] != outputs[2])
    let input = try DatasetSource.load(mpd)
    let sample = try BinaryCache.read(path: dir.file("a.chorus"))
    #expect(sample.playlistCount == 60)
    #expect(Set(sample.pids).isSubset(of: Set(input.pids)))
  }

  @Test func fractionAndMPDOutputRoundTrip() throws {
    let dir = TemporaryDirectory()
    let mpd = try Self.mpdFolder(dir)
    let r = try ChorusBinary.run([
      "dataset", "subsample", mpd, "--fraction", "0.2", "--format", "mpd", "--out",
      dir.file("small-mpd"),
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let back = try DatasetSource.load(dir.file("small-mpd"))
    #expect(back.playlistCount == 50)
    let direct = try DatasetSubsample.sample(
      try DatasetSource.load(mpd), size: .fraction(0.2), seed: 0)
    #expect(back.sameContent(as: direct))
  }

  @Test func badRequestsExit64AndWriteNothing() throws {
    let dir = TemporaryDirectory()
    let mpd = try Self.mpdFolder(dir)
    let out = dir.file("x.chorus")
    for bad in [
      ["--playlists", "251"], ["--playlists", "0"], ["--fraction", "0"], ["--fraction", "1.5"],
      ["--fraction", "abc"], ["--playlists", "10", "--fraction", "0.1"], [],
      ["--playlists", "10", "--seed", "-1"],
    ] {
      let r = try ChorusBinary.run(["dataset", "subsample", mpd, "--out", out] + bad)
      #expect(r.status == 64, "\(bad): \(r.stderr)")
      #expect(!FileManager.default.fileExists(atPath: out), "\(bad)")
    }
    let tooMany = try ChorusBinary.run([
      "dataset", "subsample", mpd, "--playlists", "251", "--out", out,
    ])
    #expect(tooMany.stderr.contains("250 playlists"))
    // A bad size is refused before the input is read.
    let early = try ChorusBinary.run([
      "dataset", "subsample", dir.file("missing.chorus"), "--fraction", "2", "--out", out,
    ])
    #expect(early.status == 64 && early.stderr.contains("--fraction must lie in (0, 1]"))
    // An existing output is never overwritten.
    let existing = dir.write("old.chorus", "keep me")
    let r = try ChorusBinary.run([
      "dataset", "subsample", mpd, "--playlists", "10", "--out", existing,
    ])
    #expect(r.status == 64, "\(r.stderr)")
    #expect(r.stderr.contains("already exists"))
    #expect(try String(contentsOfFile: existing, encoding: .utf8) == "keep me")
  }
}
