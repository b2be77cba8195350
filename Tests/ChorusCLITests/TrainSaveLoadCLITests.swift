// `chorus train --save` and `--load` end to end: a saved sequence model evaluated with
// --load reports the same accuracy as the run that trained it; models without a saved form,
// files of another fold and other --set settings are refused with the usage, data or
// configuration exit code.
import ChorusTestSupport
import Foundation
import Testing

@Suite struct TrainSaveLoadCLITests {
  @Test func saveThenLoadGivesTheSameAccuracy() throws {
    let dir = TemporaryDirectory()
    let path = dir.file("mean.seq")
    let common = [
      "train", "--dataset", "synthetic:tiny", "--model", "mean", "--k", "50", "--json",
    ]
    let tiny = ["--set", "dim=8", "--set", "epochs=1", "--set", "alsIterations=2"]
    let trained = try ChorusBinary.run(common + tiny + ["--save", path])
    #expect(trained.status == 0, "\(trained.stderr)")
    #expect(FileManager.default.fileExists(atPath: path))
    let loaded = try ChorusBinary.run(common + ["--load", path])
    #expect(loaded.status == 0, "\(loaded.stderr)")
    func overall(_ out: String) throws -> String {
      let json = try JSONSerialization.jsonObject(with: Data(out.utf8)) as? [String: Any]
      let o = try #require(json?["overall"])
      return String(
        decoding: try JSONSerialization.data(withJSONObject: o, options: [.sortedKeys]),
        as: UTF8.self)
    }
    #expect(try overall(trained.stdout) == overall(loaded.stdout))
    // The same settings given again are accepted; other settings are refused.
    let same = try ChorusBinary.run(common + tiny + ["--load", path])
    #expect(same.status == 0, "\(same.stderr)")
    let other = try ChorusBinary.run(common + ["--set", "dim=16", "--load", path])
    #expect(other.status == 64)
    #expect(other.stderr.contains("different config"))
    // Another fold's training split is other data.
    let otherFold = try ChorusBinary.run(common + ["--fold", "1", "--load", path])
    #expect(otherFold.status == 1)
    #expect(otherFold.stderr.contains("does not match the dataset"))
    // A model without a saved form.
    let popularity = try ChorusBinary.run([
      "train", "--dataset", "synthetic:tiny", "--model", "popularity", "--save",
      dir.file("p.bin"),
    ])
    #expect(popularity.status == 64)
    #expect(popularity.stderr.contains("cannot be saved"))
    #expect(!FileManager.default.fileExists(atPath: dir.file("p.bin")))
  }
}
