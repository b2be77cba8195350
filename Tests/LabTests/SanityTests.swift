// The qualitative sanity checks of a study on the embedded default (synthetic:small, the
// co-occurrence model): the collective barely moves the platform's accuracy; DirLoF really
// anchors s* on the rarest songs and Random on ordinary ones; wherever a test seed holds a
// DirLoF anchor, the next-track model recommends s* there; and at the smallest collectives,
// measured over enough folds and test playlists, Random's amplification is near 1. (What
// does NOT hold with the lab's identity-based models — DirLoF beating Random at tiny
// collectives, as with the study's transformer — is pinned by the third test and documented
// in Notebooks-md/03-strategies-compared.md.) With one row shared by the rare tracks, the
// next-track embedding model shows DirLoF's mechanism from 10 playlists (α = 0.05%), far
// above Random; the last test pins that (Notebooks-md/06).
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Foundation
import Lab
import Recommenders
import Reports
import Testing

@Suite struct SanityTests {
  /// One row of runs.csv: every column by name, as a number (NaN when empty or not numeric).
  typealias Run = [String: Double]

  /// Runs `spec` in a temporary folder (no progress bar) and reads its runs.csv, the rows
  /// grouped by strategy in file order.
  func runsByStrategy(of spec: ExperimentSpec) throws -> [String: [Run]] {
    let dir = TemporaryDirectory()
    var o = RunOptions()
    o.showProgress = false
    try ExperimentRunner(spec: spec, folder: dir.path + "/out", options: o).run()
    let table = try CSVTable.read(path: dir.path + "/out/runs.csv")
    let strategy = table.column("strategy")!
    var runs: [String: [Run]] = [:]
    for row in table.rows {
      var run: Run = [:]
      for (name, cell) in zip(table.header, row) { run[name] = cell.double ?? .nan }
      runs[row[strategy].string, default: []].append(run)
    }
    return runs
  }

  @Test func quickstartShapedStudyOnSmall() throws {
    var s = ExperimentSpec()
    s.name = "sanity"
    s.dataset = "synthetic:small"
    s.split.folds = 1
    s.strategies = [.dirLoF, .random]
    s.sizes = [.alpha(0.001), .alpha(0.02), .alpha(0.05)]
    s.k = 500
    let runs = try runsByStrategy(of: s)
    let dirlof = runs["dirlof"] ?? []
    let random = runs["random"] ?? []
    #expect(runs.values.map(\.count).reduce(0, +) == 6)
    for r in dirlof + random {
      // The platform barely notices: accuracy changes by less than 0.1 percentage points.
      #expect(abs(r["ndcg_loss"]!) < 1e-3, "NDCG loss \(r["ndcg_loss"]!)")
      #expect(abs(r["r_precision_loss"]!) < 1e-3)
      #expect(r["ndcg_loss_adversarial"]! <= r["ndcg_loss"]! + 1e-12)
    }
    // DirLoF's anchors are the rarest training songs; Random's are ordinary ones.
    for r in dirlof { #expect(r["direct_anchor_true_freq_mean"]! < 2) }
    for r in random { #expect(r["direct_anchor_true_freq_mean"]! > 20) }
    // Where a test seed holds a DirLoF anchor, s* is in that playlist's top-R.
    let reached = dirlof.filter { $0["seed_anchor_playlists"]! > 0 }
    #expect(!reached.isEmpty, "no test seed holds a DirLoF anchor")
    for r in reached { #expect(r["success_seed_anchor"]! == 1) }
    // Larger collectives win s* more recommendations.
    for rows in [dirlof, random] {
      let recs = rows.sorted { $0["budget"]! < $1["budget"]! }.map { $0["recommendations"]! }
      #expect(recs.last! > recs.first!)
    }
  }

  /// At the smallest collectives (9 and 17 playlists) an amplification of 1 means about 2 and
  /// 4 recommendations, so single runs are 0 or several; averaged over 6 folds of 3,000 test
  /// playlists, Random places s* like an ordinary song (amplification near 1). DirLoF does
  /// NOT beat it here — the lab's finding with identity-based models (its rare anchors
  /// almost never occur in test seeds), unlike the study's transformer; see
  /// Experiments/smallest-collectives.json and Notebooks-md/03.
  @Test func randomStaysNearOneAtTheSmallestCollectives() throws {
    var s = ExperimentSpec()
    s.name = "sanity-smallest"
    s.dataset = "synthetic:small"
    s.split.folds = 6
    s.split.testSize = 3000
    s.strategies = [.dirLoF, .random]
    s.sizes = [.alpha(0.0005), .alpha(0.001)]
    let runs = try runsByStrategy(of: s)
    for r in runs.values.joined() { #expect(abs(r["ndcg_loss"]!) < 1e-4) }
    let random = (runs["random"] ?? []).map { $0["amplification"]! }
    let dirlof = (runs["dirlof"] ?? []).map { $0["amplification"]! }
    #expect(random.count == 12 && dirlof.count == 12)
    let randomMean = random.reduce(0, +) / 12
    let dirlofMean = dirlof.reduce(0, +) / 12
    #expect(randomMean > 0.4 && randomMean < 2.5, "Random's mean amplification \(randomMean)")
    #expect(dirlofMean <= randomMean, "DirLoF \(dirlofMean) vs Random \(randomMean)")
  }

  /// The study's DirLoF mechanism at a small collective: in the next-track embedding model
  /// with one row shared by the rare tracks (window 1, 10 epochs, the popularity feature
  /// limited to tracks in at most 2 training playlists — Experiments/next-track-sharing.json),
  /// 10 DirLoF playlists (α = 0.05%) get s* recommended to test playlists whose seeds hold
  /// none of its anchors — it generalises from its anchors to other rare songs — while Random
  /// gets nothing, and the platform barely notices; without the shared row (the same model,
  /// identity only) DirLoF gets nothing either. Fold 0 (Notebooks-md/06).
  @Test func rareTrackSharingLetsDirLoFGeneralise() throws {
    /// Fold 0 at α = 0.05%: the one run of each strategy.
    func study(sharing: Bool, strategies: [Strategy]) throws -> [String: Run] {
      var s = ExperimentSpec()
      s.name = "sanity-rare"
      s.dataset = "synthetic:small"
      s.split.folds = 1
      var config: [String: Any] = ["window": 1, "epochs": 10]
      if sharing {
        config["popularityFeature"] = true
        config["popularityFeatureMaxFrequency"] = 2
      }
      s.model = try ModelSpec(name: "embedding", config: config)
      s.strategies = strategies
      s.sizes = [.alpha(0.0005)]
      return try runsByStrategy(of: s).compactMapValues(\.first)
    }
    let shared = try study(sharing: true, strategies: [.dirLoF, .random])
    let dirlof = try #require(shared["dirlof"])
    let random = try #require(shared["random"])
    #expect(dirlof["budget"] == 10)
    #expect(dirlof["recommendations"]! >= 5, "DirLoF: \(dirlof["recommendations"]!)")
    #expect(dirlof["amplification"]! >= 10, "DirLoF: \(dirlof["amplification"]!)")
    #expect(random["amplification"]! <= 1, "Random: \(random["amplification"]!)")
    // Generalisation, not anchor hits: no test seed holds one of DirLoF's anchors.
    #expect(dirlof["seed_anchor_playlists"] == 0)
    // The platform barely notices (retraining noise is about ±0.001 NDCG here).
    #expect(abs(dirlof["ndcg_loss"]!) < 0.01)
    let identity = try study(sharing: false, strategies: [.dirLoF])
    #expect(identity["dirlof"]?["recommendations"] == 0, "identity-only embedding")
  }
}
