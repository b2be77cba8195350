// Invariants of a study on the embedded default (synthetic:small, the co-occurrence model)
// that must hold for any correct lab: the collective barely moves the platform's accuracy;
// DirLoF really anchors s* on the rarest songs and Random on ordinary ones; wherever a test
// seed holds a DirLoF anchor, the next-track model recommends s* there; larger collectives
// get more recommendations. Research findings, which should move when the science moves,
// are in FindingsTests.swift.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Foundation
import Lab
import Recommenders
import Reports
import Testing

@Suite struct SanityTests {
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
}
