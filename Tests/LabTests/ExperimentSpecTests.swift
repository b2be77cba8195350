// Experiment specs: defaults for missing keys, strict unknown keys (named), overrides with
// dotted keys, validation of impossible values, and a hash that ignores only the output.
import ChorusCore
import Lab
import Testing

@Suite struct ExperimentSpecTests {
  @Test func missingKeysTakeDefaults() throws {
    let s = try ExperimentSpec.decode(["name": "x", "alphas": [0.01], "split": ["folds": 2]])
    #expect(s.split.folds == 2)
    #expect(s.split.minTracks == 20)
    #expect(s.k == 500)
    #expect(s.outputFolder == "results/x")
    #expect(s.foldList == [0, 1])
  }

  @Test func unknownKeysAreNamed() {
    let cases: [([String: Any], String)] = [
      (["alphas": [0.01], "colour": "red"], "colour"),
      (["alphas": [0.01], "split": ["fold": 2]], "split.fold"),
      (["alphas": [0.01], "model": ["nme": "x"]], "model.nme"),
    ]
    for (object, key) in cases {
      let e = #expect(throws: ChorusError.self) { try ExperimentSpec.decode(object) }
      #expect(e?.field == key)
    }
  }

  @Test func badValuesAreErrors() {
    for bad: [String: Any] in [
      ["alphas": [1.5]], ["alphas": [0.0]], ["budgets": [0]], ["alphas": [0.1], "budgets": [3]],
      [:],
      ["alphas": [0.1], "k": 0], ["alphas": [0.1], "strategies": []],
      ["alphas": [0.1], "folds": [7]],
      ["alphas": "many"],
    ] {
      #expect(throws: ChorusError.self) { try ExperimentSpec.decode(bad) }
    }
  }

  @Test func overridesUseDottedKeys() throws {
    var d: [String: Any] = ["alphas": [0.01]]
    try ExperimentSpec.applyOverride("split.folds=3", to: &d)
    try ExperimentSpec.applyOverride("model.config.window=2", to: &d)
    try ExperimentSpec.applyOverride("dataset=synthetic:tiny", to: &d)
    try ExperimentSpec.applyOverride("strategies=[\"random\"]", to: &d)
    let s = try ExperimentSpec.decode(d)
    #expect(s.split.folds == 3)
    #expect(s.model.config["window"] == .number(2))
    #expect(s.dataset == "synthetic:tiny")
    #expect(s.strategies == ["random"])
    #expect(throws: ChorusError.self) { try ExperimentSpec.applyOverride("novalue", to: &d) }
  }

  @Test func hashIgnoresOnlyTheOutputFolder() throws {
    var a = try ExperimentSpec.decode(["alphas": [0.01]])
    var b = a
    b.out = "elsewhere"
    #expect(try a.hash() == b.hash())
    a.k = 100
    #expect(try a.hash() != b.hash())
    #expect(try b.hash().count == 16)
  }
}
