// The two studies `chorus demo` runs, embedded so that the demo works from any folder and
// on a fresh clone: the lab's measured answer to the study's headline (the next-track SGNS
// model whose rare tracks share one input row) and the contrast with the default
// co-occurrence model. Experiments/demo.json and demo-cooccurrence.json hold the same text
// (a test checks it); the demo always runs the embedded text, so editing the files changes
// `chorus run Experiments/demo.json`, never the demo.

import ChorusCore
import Foundation

/// The embedded specs of `chorus demo`.
public enum DemoStudies {
  /// DirLoF, Random and AtTheEnd at 10 playlists of synthetic:small (α = 0.05%), 3 folds,
  /// in the next-track embedding model with rare-track sharing: the study's headline as the
  /// lab measures it (Notebooks-md/06). About 12 models of 10 epochs.
  public static let finding = """
    {
      "name": "demo",
      "dataset": "synthetic:small",
      "split": { "minTracks": 20, "folds": 3, "seed": 0 },
      "model": {
        "name": "embedding",
        "config": {
          "window": 1,
          "contextDirection": "next",
          "epochs": 10,
          "popularityFeature": true,
          "popularityFeatureMaxFrequency": 2
        }
      },
      "strategies": ["dirlof", "random", "at-the-end"],
      "alphas": [0.0005],
      "statistics": ["full"],
      "k": 500
    }
    """

  /// The same strategies in the default co-occurrence model, which scores by track identity:
  /// placement barely matters there (Notebooks-md/03). A few seconds.
  public static let contrast = """
    {
      "name": "demo-cooccurrence",
      "dataset": "synthetic:small",
      "split": { "minTracks": 20, "folds": 3, "seed": 0 },
      "model": { "name": "cooccurrence", "config": {} },
      "strategies": ["dirlof", "random", "at-the-end"],
      "alphas": [0.0005, 0.005],
      "statistics": ["full"],
      "k": 500
    }
    """

  /// The file in Experiments/ that holds the same text as each embedded spec.
  public static let files = ["demo.json": finding, "demo-cooccurrence.json": contrast]
}

extension DemoStudies {
  /// Decodes an embedded spec with `--set` style overrides applied.
  public static func spec(_ text: String, overrides: [String] = []) throws -> ExperimentSpec {
    guard
      var dict = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
    else {
      preconditionFailure("an embedded demo spec is not a JSON object")
    }
    for o in overrides { try ConfigOverride(o, example: "split.folds=2").apply(to: &dict) }
    return try ExperimentSpec.decode(dict)
  }
}
