// Experiment specs: defaults for missing keys, strict unknown keys (named), overrides with
// dotted keys, every value resolved into its typed form (strategies, statistics, model config,
// collective sizes) at decode time with the key named when it is wrong, sane ranges for every
// number, duplicates refused, messages in words (no Swift type names), JSON syntax errors
// with line and column, and a hash that ignores only the output.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Foundation
import Lab
import Recommenders
import Testing

@Suite struct ExperimentSpecTests {
  @Test func missingKeysTakeDefaults() throws {
    let s = try ExperimentSpec.decode(["name": "x", "alphas": [0.01], "split": ["folds": 2]])
    #expect(s.split.folds == 2)
    #expect(s.split.minTracks == 20)
    #expect(s.k == 500)
    #expect(s.outputFolder == "results/x")
    #expect(s.foldList == [0, 1])
    #expect(s.model == .cooccurrence(CoOccurrenceConfig()))
    #expect(s.sizes == [.alpha(0.01)])
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

  /// Every setting is resolved when the spec is decoded, so a typo anywhere fails at once
  /// with the key named (before the runner creates anything), and the message says what
  /// was expected in words.
  @Test func everyInvalidValueNamesItsKey() {
    let cases: [([String: Any], String)] = [
      (["strategies": ["dirlov"]], "strategies"),
      (["statistics": ["sampel:0.1"]], "statistics"),
      (["model": ["name": "gru"]], "model.name"),
      (["model": ["config": ["windw": 2]]], "model.config.windw"),
      (["model": ["config": ["window": "three"]]], "model.config.window"),
      (["model": ["config": ["window": 2.5]]], "model.config.window"),
      (["model": ["config": ["window": 50]]], "model.config.window"),
      (["model": ["name": "popularity", "config": ["window": 2]]], "model.config"),
      (["dataset": "synthetic:huge"], "dataset"),
      (["split": ["testSize": 15]], "split.testSize"),
      (["split": ["seed": -1]], "split.seed"),
      (["split": ["folds": 1e9]], "split.folds"),
      (["k": 50.5], "k"),
      (["k": 1e12], "k"),
      (["k": 1 << 62], "k"),
      (["k": true], "k"),
      (["target": ""], "target"),
      (["strategies": ["dirlof", "dirlof"]], "strategies"),
      (["statistics": ["full", "full"]], "statistics"),
      (["folds": [0, 0]], "folds"),
    ]
    for (object, key) in cases {
      var dict = object
      if dict["budgets"] == nil { dict["alphas"] = [0.01] }
      let e = #expect(throws: ChorusError.self, "\(object)") { try ExperimentSpec.decode(dict) }
      #expect(e?.field == key, "\(object): \(e?.description ?? "")")
      #expect(e?.kind == .config)
    }
    let sizes: [([String: Any], String)] = [
      (["alphas": "many"], "alphas"), (["budgets": [5, 5]], "budgets"),
      (["budgets": [1e12]], "budgets"), (["alphas": [0.1, 0.1]], "alphas"),
      (["budgets": [2.5]], "budgets"),
    ]
    for (object, key) in sizes {
      let e = #expect(throws: ChorusError.self) { try ExperimentSpec.decode(object) }
      #expect(e?.field == key, "\(object): \(e?.description ?? "")")
    }
  }

  /// A wrong kind of number names the field and the value, in words — never "The given
  /// data was not valid JSON" nor a Swift type name such as Array<Any>.
  @Test func messagesNameTheValueInWords() throws {
    for object: [String: Any] in [
      ["alphas": [0.01], "k": 50.5], ["alphas": [0.01], "split": ["seed": -1]],
      ["alphas": "many"], ["alphas": [0.01], "model": ["config": ["window": 2.5]]],
      ["alphas": [0.01], "model": ["config": ["window": [1]]]],
    ] {
      let e = try #require(throws: ChorusError.self) { try ExperimentSpec.decode(object) }
      for swiftName in ["Array<", "Dictionary<", "Int.", " Int", "Double", "not valid JSON"] {
        #expect(!e.description.contains(swiftName), "\(e.description)")
      }
    }
    let k = try #require(throws: ChorusError.self) {
      try ExperimentSpec.decode(["alphas": [0.01], "k": 50.5])
    }
    #expect(k.message.contains("50.5") && k.message.contains("whole number"))
    let seed = try #require(throws: ChorusError.self) {
      try ExperimentSpec.decode(["alphas": [0.01], "split": ["seed": -1]])
    }
    #expect(seed.message.contains("-1"))
  }

  @Test func namesThatLeaveResultsAreRefused() {
    for name in ["../../x", "a/b", "..", ".hidden", "x\u{1B}[31m", "tab\there", ""] {
      let e = #expect(throws: ChorusError.self, "\(name)") {
        try ExperimentSpec.decode(["alphas": [0.01], "name": name])
      }
      #expect(e?.field == "name")
    }
  }

  @Test func invalidJSONGivesLineAndColumn() throws {
    let dir = TemporaryDirectory()
    let path = dir.write("spec.json", "{\n  \"alphas\": [0.01],\n  \"k\": 50,,\n}\n")
    let e = try #require(throws: ChorusError.self) { try ExperimentSpec.load(path: path) }
    #expect(e.file == path)
    #expect(e.line == 3)
    #expect(e.column != nil)
  }

  @Test func overridesUseDottedKeys() throws {
    var d: [String: Any] = ["alphas": [0.01]]
    try override("split.folds=3").apply(to: &d)
    try override("model.config.window=2").apply(to: &d)
    try override("dataset=synthetic:tiny").apply(to: &d)
    try override("strategies=[\"random\"]").apply(to: &d)
    let s = try ExperimentSpec.decode(d)
    #expect(s.split.folds == 3)
    var config = CoOccurrenceConfig()
    config.window = 2
    #expect(s.model == .cooccurrence(config))
    #expect(s.dataset == "synthetic:tiny")
    #expect(s.strategies == [.random])
    #expect(throws: ChorusError.self) { try override("novalue").apply(to: &d) }
  }

  func override(_ item: String) throws -> ConfigOverride {
    try ConfigOverride(item, example: "split.folds=2")
  }

  /// One parser for spec and model-config overrides: both refuse the same bad syntax with a
  /// message naming the item and a hint in the syntax of the config at hand.
  @Test(arguments: ["novalue", "=3", "split..folds=2", ".folds=2"])
  func badOverridesAreRefusedAlike(item: String) throws {
    let inSpec = try #require(throws: ChorusError.self) { try override(item) }
    let inModel = try #require(throws: ChorusError.self) {
      try ConfigCoding.apply([item], to: CoOccurrenceConfig(), context: "the config")
    }
    for e in [inSpec, inModel] {
      #expect(e.kind == .usage)
      #expect(e.message.contains("'\(item)'"))
    }
    #expect(inSpec.hint?.contains("split.folds=2") == true)
    #expect(inModel.hint?.contains("window=3") == true)
  }

  @Test func overrideValuesAreJSONOrText() throws {
    var d: [String: Any] = ["split": 5]
    try override("split.folds=2").apply(to: &d)
    try override("name=a=b").apply(to: &d)
    try override("k=\"50\"").apply(to: &d)
    #expect((d["split"] as? [String: Any])?["folds"] as? Int == 2)
    #expect(d["name"] as? String == "a=b")
    #expect(d["k"] as? String == "50")
  }

  /// The resolved spec writes the model's whole config (not `{}`), the sizes in the user's
  /// format, and decodes back to the same spec.
  @Test func resolvedSpecWritesEveryDefaultAndRoundTrips() throws {
    let s = try ExperimentSpec.decode([
      "budgets": [3, 20], "model": ["name": "cooccurrence", "config": [:]],
      "strategies": ["dirlof", "hybrid:tau=2"], "statistics": ["full", "sample:0.1"],
    ])
    let json = try s.canonicalJSON()
    let object = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
    let model = try #require(object["model"] as? [String: Any])
    let config = try #require(model["config"] as? [String: Any])
    #expect(Set(config.keys) == Set(try ConfigCoding.object(CoOccurrenceConfig()).keys))
    #expect(object["budgets"] as? [Int] == [3, 20])
    #expect(object["alphas"] == nil)
    #expect(object["strategies"] as? [String] == ["dirlof", "hybrid:tau=2"])
    #expect(try ExperimentSpec.decode(object) == s)
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

@Suite struct ModelSpecInitialiserTests {
  /// One initialiser: a settings object and `--set` overrides together, overrides on top.
  @Test func settingsObjectThenOverrides() throws {
    let both = try ModelSpec(name: "cooccurrence", config: ["window": 2], overrides: ["window=3"])
    var expected = CoOccurrenceConfig()
    expected.window = 3
    #expect(both == .cooccurrence(expected))
    expected.window = 2
    #expect(try ModelSpec(name: "cooccurrence", config: ["window": 2]) == .cooccurrence(expected))
  }

  @Test func errorsNameTheKeyOfEachSource() throws {
    let fromObject = try #require(throws: ChorusError.self) {
      try ModelSpec(name: "cooccurrence", config: ["windows": 2])
    }
    #expect(fromObject.field == "windows")
    #expect(fromObject.message.contains("model.config"))
    let fromSet = try #require(throws: ChorusError.self) {
      try ModelSpec(name: "cooccurrence", overrides: ["windows=2"])
    }
    #expect(fromSet.field == "windows")
    #expect(fromSet.message.contains("the co-occurrence config"))
    #expect(fromSet.hint?.contains("window") == true)
    let popularity = try #require(throws: ChorusError.self) {
      try ModelSpec(name: "popularity", overrides: ["k=1"])
    }
    #expect(popularity.field == "model")
    let unknown = try #require(throws: ChorusError.self) {
      try ModelSpec(name: "nonesuch", config: ["a": 1])
    }
    #expect(unknown.field == "model")
  }
}

@Suite struct SizesKeyTests {
  /// Errors about sizes name the key the spec used, decided in one place.
  @Test func sizesKeyFollowsTheKindOfSize() throws {
    var s = ExperimentSpec()
    #expect(s.sizesKey == "alphas")
    s.sizes = [.budget(3), .budget(5)]
    #expect(s.sizesKey == "budgets")
    s.sizes = [.alpha(0.1)]
    #expect(s.sizesKey == "alphas")
    s.sizes = [.budget(3), .alpha(0.1)]
    let mixed = try #require(throws: ChorusError.self) { try s.validate() }
    #expect(mixed.field == "budgets")
  }
}
