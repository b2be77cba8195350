// `chorus frontier` end to end: two tiny studies (no defence, and a cold-track cap) give a table
// and, with --out, frontier.csv and frontier.svg; bad input is refused naming the folder or
// option, with the usage exit code for what the user asked wrongly.
import ChorusCore
import ChorusTestSupport
import Foundation
import Testing

@Suite struct FrontierCLITests {
  @Test func buildsTheFrontierFromTwoStudiesAndRefusesBadInput() throws {
    let dir = TemporaryDirectory()
    let spec = dir.write(
      "spec.json",
      """
      {"name": "f", "dataset": "synthetic:tiny", "split": {"folds": 3, "minTracks": 10},
       "strategies": ["dirlof", "random"], "budgets": [5], "k": 50}
      """)
    let none = try ChorusBinary.run(["run", spec, "--quiet", "--out", dir.file("none")])
    #expect(none.status == 0, "\(none.stderr)")
    let cap = try ChorusBinary.run([
      "run", spec, "--quiet", "--out", dir.file("cap"), "--set",
      #"reranking={"kind":"cold-cap","minCount":3,"maxCold":1}"#,
    ])
    #expect(cap.status == 0, "\(cap.stderr)")
    let f = try ChorusBinary.run([
      "frontier", dir.file("cap"), "--baseline", dir.file("none"), "--out", dir.file("fr"),
    ])
    #expect(f.status == 0, "\(f.stderr)")
    #expect(f.stdout.contains("| dirlof | none |"))
    #expect(f.stdout.contains("| dirlof | cold-cap below 3 max 1, depth 2 |"))
    let csv = try String(contentsOfFile: dir.file("fr/frontier.csv"), encoding: .utf8)
    #expect(csv.split(separator: "\n").count == 1 + 4)
    #expect(FileManager.default.fileExists(atPath: dir.file("fr/frontier.svg")))
    // Help, an unknown metric, a missing folder.
    let help = try ChorusBinary.run(["frontier", "--help"])
    #expect(help.status == 0 && help.stdout.contains("--baseline"))
    let metric = try ChorusBinary.run(["frontier", dir.file("cap"), "--metric", "mrr"])
    #expect(metric.status == 64 && metric.stderr.contains("unknown accuracy metric 'mrr'"))
    let missing = try ChorusBinary.run(["frontier", dir.file("nowhere")])
    #expect(missing.status == 1 && missing.stderr.contains(dir.file("nowhere")))
    let size = try ChorusBinary.run(["frontier", dir.file("cap"), "--size", "7"])
    #expect(size.status == 64 && size.stderr.contains("no collective size 7"))
  }
}
