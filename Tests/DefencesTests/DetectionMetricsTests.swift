// Detection metrics: the rank-based ROC AUC against its plain pairwise twin (ties count ½),
// flagging by rate with deterministic tie-breaking, and precision/recall/FPR by hand.
import ChorusCore
import Defences
import Testing

@Suite struct DetectionMetricsTests {
  /// The definition: the share of (planted, honest) pairs in which the planted scores higher,
  /// ties counting one half.
  func pairwiseAUC(_ s: [Double], _ y: [Bool]) -> Double {
    var wins = 0.0
    var pairs = 0.0
    for i in s.indices where y[i] {
      for j in s.indices where !y[j] {
        pairs += 1
        wins += s[i] > s[j] ? 1 : (s[i] == s[j] ? 0.5 : 0)
      }
    }
    return wins / pairs
  }

  @Test func rankAUCEqualsThePairwiseDefinition() {
    var rng = RandomStream(seed: 7, component: "auc")
    for trial in 0..<200 {
      let n = 2 + rng.nextInt(below: 40)
      // Few distinct values, so that ties are common.
      let s = (0..<n).map { _ in Double(rng.nextInt(below: 5)) }
      var y = (0..<n).map { _ in rng.nextInt(below: 3) == 0 }
      y[0] = true
      y[1] = false
      let auc = DetectionMetrics.rocAUC(scores: s, isPlanted: y)!
      #expect(abs(auc - pairwiseAUC(s, y)) < 1e-12, "trial \(trial)")
    }
    #expect(DetectionMetrics.rocAUC(scores: [1, 2], isPlanted: [true, true]) == nil)
  }

  @Test func flaggingTakesTheTopShareWithTiesByIndex() {
    // 5 playlists, rate 0.5 → ⌈2.5⌉ = 3 flagged: 9, then the two 4s at indices 1 and 3.
    let flags = DetectionMetrics.flagMostSuspicious(scores: [1, 4, 9, 4, 4], rate: 0.5)
    #expect(flags == [false, true, true, true, false])
    #expect(DetectionMetrics.flagMostSuspicious(scores: [1, 2], rate: 0) == [false, false])
    #expect(DetectionMetrics.flagMostSuspicious(scores: [1, 2], rate: 1) == [true, true])
  }

  @Test func precisionRecallAndFalsePositiveRateByHand() {
    // Planted: 0, 2, 5. Scores rank 2 > 0 > 4 > 1 > 3 > 5. Rate 0.5 of 6 → 3 flagged: 2, 0, 4.
    // TP 2 → precision 2/3, recall 2/3, FPR 1/3 (one of three honest). AUC: planted 2 and 0
    // beat all three honest (6 wins), 5 beats none: 6/9.
    let m = DetectionMetrics(
      scores: [8, 3, 9, 2, 5, 1], isPlanted: [true, false, true, false, false, true], flagRate: 0.5)
    #expect(m.flagged == 3 && m.truePositives == 2)
    #expect(m.precision == 2.0 / 3 && m.recall == 2.0 / 3 && m.falsePositiveRate == 1.0 / 3)
    #expect(abs(m.rocAUC! - 6.0 / 9) < 1e-12)
  }

  @Test func theHandCaseIsFoundPerfectly() {
    let report = DetectionReport(
      playlists: PlantingDetectorTests.store, trackCount: 7,
      isPlanted: [true, true, true, false, false], detector: PlantingDetector(), flagRate: 0.4)
    #expect(report.rows.map(\.detector) == ["rare-predecessor", "last-position", "combined"])
    for row in report.rows { #expect(row.metrics.rocAUC == 1) }
    // The report's combination equals the detector's own combined scores.
    #expect(report.scores == PlantingDetector().scores(PlantingDetectorTests.store, trackCount: 7))
    let combined = report.rows[2].metrics
    #expect(combined.flagged == 2 && combined.truePositives == 2 && combined.recall == 2.0 / 3)
    let csv = report.scoresCSV(pids: [10, 11, 12, 13, 14]).split(separator: "\n")
    #expect(csv.first == "pid,score,planted,flagged")
    #expect(csv.count == 6)
    #expect(csv[1].hasPrefix("10,") && csv[1].hasSuffix(",1,1"))
    #expect(csv[3].hasSuffix(",1,0"))
    #expect(csv[4].hasSuffix(",0,0"))
  }
}
