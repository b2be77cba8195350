// `chorus evaluate` end to end: a Windows-style CSV (BOM + CRLF) is read, the target's
// exposure comes out as numbers in --json (amplification with --budget), and a row that
// repeats a track is refused with the line and id named.
import ChorusCore
import ChorusTestSupport
import Foundation
import Testing

@Suite struct EvaluateCLITests {
  /// Splits synthetic:tiny fold 0 into `dir` and returns one perfect row per test playlist
  /// (pid, then its held-out track ids), with `first` put in front of every list.
  static func perfectRows(_ dir: TemporaryDirectory, first: String?) throws -> [String] {
    let s = try ChorusBinary.run([
      "dataset", "split", "synthetic:tiny", "--fold", "0", "--out", dir.file("split"),
    ])
    #expect(s.status == 0, "\(s.stderr)")
    let truth = try String(contentsOfFile: dir.file("split/test-truth.csv"), encoding: .utf8)
    var lists: [String: [String]] = [:]
    var order: [String] = []
    for line in truth.split(separator: "\n").dropFirst() {
      let f = line.split(separator: ",").map(String.init)
      if lists[f[0]] == nil { order.append(f[0]) }
      lists[f[0], default: []].append(f[3])
    }
    return order.map { ([$0] + (first.map { [$0] } ?? []) + lists[$0]!).joined(separator: ",") }
  }

  @Test func crlfFileGivesTargetNumbersInJSON() throws {
    let dir = TemporaryDirectory()
    let rows = try Self.perfectRows(dir, first: "chorus:target:0")
    let bytes =
      [0xEF, 0xBB, 0xBF] + Array(("pid,tracks\r\n" + rows.joined(separator: "\r\n")).utf8)
    let recs = dir.write("recs.csv", bytes: bytes)
    let r = try ChorusBinary.run([
      "evaluate", "--dataset", "synthetic:tiny", "--recommendations", recs, "--json",
      "--target", "chorus:target:0", "--budget", "5",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let json = try #require(
      try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
    let target = try #require(json["target"] as? [String: Any])
    #expect(target["recommendations"] as? Int == rows.count)
    #expect(target["testPlaylists"] as? Int == rows.count)
    #expect(target["successAll"] as? Double == 1)
    #expect(target["medianRank"] as? Double == 1)
    #expect(target["budget"] as? Int == 5)
    let entries = try #require(target["trainingEntries"] as? Int)
    let amplification = try #require(target["amplification"] as? Double)
    // Every test playlist has s* in top_R: R = n; Σ|G| from the truth file.
    let truthRows =
      try String(contentsOfFile: dir.file("split/test-truth.csv"), encoding: .utf8)
      .split(separator: "\n").count - 1
    let expected = (Double(rows.count) / Double(truthRows)) / (5.0 / Double(entries))
    #expect(approximatelyEqual(amplification, expected))
    let text = try ChorusBinary.run([
      "evaluate", "--dataset", "synthetic:tiny", "--recommendations", recs,
      "--target", "chorus:target:0", "--budget", "5",
    ])
    #expect(text.stdout.contains("amplification"))
    let noTarget = try ChorusBinary.run([
      "evaluate", "--dataset", "synthetic:tiny", "--recommendations", recs, "--budget", "5",
    ])
    #expect(noTarget.status == 64)
  }

  @Test func repeatedTrackInARowIsRefused() throws {
    let dir = TemporaryDirectory()
    var rows = try Self.perfectRows(dir, first: nil)
    let repeated = String(rows[3].split(separator: ",")[1])
    rows[3] += "," + repeated
    let recs = dir.write("recs.csv", "pid,tracks\n" + rows.joined(separator: "\n"))
    let r = try ChorusBinary.run([
      "evaluate", "--dataset", "synthetic:tiny", "--recommendations", recs,
    ])
    #expect(r.status == 1)
    #expect(r.stderr.contains("recs.csv:5"))
    #expect(r.stderr.contains("'\(repeated)' appears twice"))
    let help = try ChorusBinary.run(["evaluate", "--help"])
    #expect(help.stdout.contains("repeated within one row is refused"))
    #expect(help.stdout.contains("not capped at the list length"))
  }
}
