// `chorus sweep` end to end: two tiny studies of one spec at K = 20 and K = 50 give a table and,
// with --out, sweep.csv, sweep.svg and sweep.md; folders that are not one sweep are refused
// with the usage exit code, a missing folder with the failure code, and a folder of the user's
// is never written into.
import ChorusCore
import ChorusTestSupport
import Foundation
import Testing

@Suite struct SweepCLITests {
  @Test func drawsAmplificationAgainstKAndRefusesBadInput() throws {
    let dir = TemporaryDirectory()
    let spec = dir.write(
      "spec.json",
      """
      {"name": "s", "dataset": "synthetic:tiny", "split": {"folds": 2, "minTracks": 10},
       "strategies": ["dirlof", "random"], "budgets": [5], "k": 20}
      """)
    for k in [50, 20] {
      let r = try ChorusBinary.run([
        "run", spec, "--quiet", "--out", dir.file("k\(k)"), "--set", "k=\(k)",
      ])
      #expect(r.status == 0, "\(r.stderr)")
    }
    let s = try ChorusBinary.run([
      "sweep", dir.file("k50"), dir.file("k20"), "--key", "k", "--out", dir.file("sw"),
    ])
    #expect(s.status == 0, "\(s.stderr)")
    #expect(s.stdout.contains("2 studies of one spec, k = 20, 50"))
    #expect(s.stdout.contains("| dirlof | 5 playlists | 20 |"))
    #expect(s.stdout.contains("| random | 5 playlists | 50 |"))
    let csv = try String(contentsOfFile: dir.file("sw/sweep.csv"), encoding: .utf8)
    let lines = csv.split(separator: "\n")
    #expect(lines.count == 1 + 4)
    #expect(
      lines[0].hasPrefix("k,folder,strategy,statistics,size_kind,size,budget,folds,amplification,"))
    #expect(lines[1].hasPrefix("20,\(dir.file("k20")),dirlof,full,budget,5.0,"))
    let md = try String(contentsOfFile: dir.file("sw/sweep.md"), encoding: .utf8)
    #expect(s.stdout.contains(md))
    let svg = try String(contentsOfFile: dir.file("sw/sweep.svg"), encoding: .utf8)
    #expect(svg.contains(">Amplification against k</text>"))
    // Again into the same folder: its own files are replaced.
    let again = try ChorusBinary.run([
      "sweep", dir.file("k50"), dir.file("k20"), "--key", "k", "--out", dir.file("sw"),
    ])
    #expect(again.status == 0, "\(again.stderr)")
    // A folder holding a file of the user's is refused and left as it was.
    try FileManager.default.createDirectory(
      atPath: dir.file("mine"), withIntermediateDirectories: true)
    let mine = dir.write("mine/notes.txt", "mine")
    let foreign = try ChorusBinary.run([
      "sweep", dir.file("k50"), dir.file("k20"), "--key", "k", "--out", dir.file("mine"),
    ])
    #expect(foreign.status == 1 && foreign.stderr.contains("did not write"))
    #expect(try String(contentsOfFile: mine, encoding: .utf8) == "mine")
    #expect(!FileManager.default.fileExists(atPath: dir.file("mine/sweep.csv")))
    // Help; one folder; no --key; a key that is not in the spec; another setting besides the
    // key; a missing folder.
    let help = try ChorusBinary.run(["sweep", "--help"])
    #expect(help.status == 0 && help.stdout.contains("--key <dotted.key>"))
    let one = try ChorusBinary.run(["sweep", dir.file("k20"), "--key", "k"])
    #expect(one.status == 64 && one.stderr.contains("at least two results folders"))
    let noKey = try ChorusBinary.run(["sweep", dir.file("k20"), dir.file("k50")])
    #expect(noKey.status == 64 && noKey.stderr.contains("missing option '--key"))
    let unknown = try ChorusBinary.run([
      "sweep", dir.file("k20"), dir.file("k50"), "--key", "model.config.epochs",
    ])
    #expect(unknown.status == 64 && unknown.stderr.contains("no key 'model.config.epochs'"))
    #expect(unknown.stderr.contains(dir.file("k20")))
    let differs = try ChorusBinary.run([
      "sweep", dir.file("k20"), dir.file("k50"), "--key", "split.minTracks",
    ])
    #expect(differs.status == 64 && differs.stderr.contains("differs from that of"))
    #expect(differs.stderr.contains("(field 'k')") && differs.stderr.contains(dir.file("k50")))
    let missing = try ChorusBinary.run([
      "sweep", dir.file("k20"), dir.file("nowhere"), "--key", "k",
    ])
    #expect(missing.status == 1 && missing.stderr.contains(dir.file("nowhere")))
    #expect(missing.stderr.contains("no such results folder"))
  }
}
