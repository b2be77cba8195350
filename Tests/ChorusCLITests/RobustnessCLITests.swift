// `chorus robustness` end to end: four tiny generated datasets that differ in one knob, the
// same small spec on each, then the regression with --out. Checks the files it writes (with
// leave-one-out.csv: one refit per study) and the refusals of bad usage.
import ChorusCore
import ChorusTestSupport
import Foundation
import Testing

@Suite struct RobustnessCLITests {
  @Test func regressesAcrossStudiesAndRefitsWithoutEachOne() throws {
    let dir = TemporaryDirectory()
    var folders: [String] = []
    for (i, exponent) in ["1.5", "2.5", "4.0", "6.0"].enumerated() {
      let data = dir.file("d\(i).chorus")
      let g = try ChorusBinary.run([
        "dataset", "generate", "--preset", "tiny", "--playlists", "400", "--set",
        "trackExponent=\(exponent)", "--seed", "\(i)", "--out", data,
      ])
      #expect(g.status == 0, "\(g.stderr)")
      let spec = dir.write(
        "spec\(i).json",
        """
        {"name": "rob\(i)", "dataset": "\(data)", "split": {"folds": 2, "testSize": 40},
         "strategies": ["random"], "budgets": [8], "k": 50}
        """)
      let r = try ChorusBinary.run(["run", spec, "--out", dir.file("s\(i)"), "--quiet"])
      #expect(r.status == 0, "\(r.stderr)")
      folders.append(dir.file("s\(i)"))
    }
    let out = dir.file("regression")
    let r = try ChorusBinary.run(
      ["robustness"] + folders + [
        "--predictors", "density", "--response", "ndcg_clean", "--out", out,
      ])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("| density |"))
    #expect(r.stdout.contains("without any one design"))
    #expect(r.stdout.contains(" of 4"))
    for file in [
      "observations.csv", "coefficients.csv", "leave-one-out.csv", "coefficients.svg",
      "observations.svg",
    ] {
      #expect(FileManager.default.fileExists(atPath: out + "/" + file), "\(file)")
    }
    // One refit per study, each with the intercept and the slope.
    let lines = try String(contentsOfFile: out + "/leave-one-out.csv", encoding: .utf8)
      .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    let without = try #require(lines.first?.firstIndex(of: "without"))
    #expect(Set(lines.dropFirst().map { String($0[without]) }) == Set(folders))
    #expect(lines.count == 1 + 4 * 2)
    // Usage errors exit 64 and name the option.
    let unknown = try ChorusBinary.run(["robustness"] + folders + ["--predictors", "densty"])
    #expect(unknown.status == 64)
    #expect(unknown.stderr.contains("predictors"))
  }
}
