// The detection sweep's figure draws what the sweep's `chorus detect --json` files say: a
// folder of hand-written outputs (two strategies, two sizes, two folds, two flag rates in
// rate-R folders) and `chorus report`'s figure of it, read back through each panel's ticks —
// recall, precision and ROC AUC per strategy and size as the mean over folds with its 95% CI,
// and the perfect-detector and random-flagging bounds. A file that is not detect output is
// refused by name.
import ChorusCore
import ChorusTestSupport
import Foundation
import Reports
import Testing

@Suite struct DetectionSweepFigureTests {
  /// (strategy, budget, fold) → true positives at 0.1% and at 1% of 20,000 playlists, and AUC.
  static let runs: [(String, Int, Int, Int, Int, Double)] = [
    ("at-the-end", 10, 0, 10, 10, 1.0), ("at-the-end", 10, 1, 10, 10, 1.0),
    ("at-the-end", 40, 0, 20, 40, 1.0), ("at-the-end", 40, 1, 20, 40, 1.0),
    ("dirlof", 10, 0, 4, 8, 0.9), ("dirlof", 10, 1, 6, 10, 0.8),
    ("dirlof", 40, 0, 10, 30, 0.95), ("dirlof", 40, 1, 14, 34, 0.85),
  ]

  func json(rate: Double, planted: Int, hits: Int, auc: Double) -> String {
    let flagged = Int((rate * 20_000).rounded(.up))
    return """
      {"collective": \(planted), "flagRate": \(rate), "playlists": 20000, "rareMaxCount": 1,
       "rows": [
        {"detector": "rare-predecessor", "metrics": {"flagged": \(flagged), "planted": \(planted),
         "playlists": 20000, "rocAUC": 0.5, "truePositives": 0}},
        {"detector": "combined", "metrics": {"flagged": \(flagged), "planted": \(planted),
         "playlists": 20000, "rocAUC": \(auc), "truePositives": \(hits)}}]}
      """
  }

  func sweep(_ dir: TemporaryDirectory) throws -> String {
    let folder = dir.file("sweep")
    for (rate, index) in [(0.001, 3), (0.01, 4)] {
      try FileManager.default.createDirectory(
        atPath: folder + "/rate-\(rate)", withIntermediateDirectories: true)
      for r in Self.runs {
        let hits = index == 3 ? r.3 : r.4
        try json(rate: rate, planted: r.1, hits: hits, auc: r.5).write(
          toFile: folder + "/rate-\(rate)/\(r.0)-b\(r.1)-f\(r.2).json", atomically: true,
          encoding: .utf8)
      }
    }
    // The sweep's edit logs lie beside the outputs; they are not read.
    try "pid\n1\n".write(
      toFile: folder + "/dirlof-b10-f0.edits.csv", atomically: true, encoding: .utf8)
    return folder
  }

  /// Mean and 95% CI half-width over folds (1.96 · s / √n).
  func meanCI(_ v: [Double]) -> (Double, Double) {
    let m = v.reduce(0, +) / Double(v.count)
    let s = (v.map { ($0 - m) * ($0 - m) }.reduce(0, +) / Double(v.count - 1)).squareRoot()
    return (m, 1.96 * s / Double(v.count).squareRoot())
  }

  @Test func drawsRecallPrecisionAndAUCPerStrategyAndSize() throws {
    let dir = TemporaryDirectory()
    let folder = try sweep(dir)
    #expect(DetectionSweepReport.isSweep(folder))
    #expect(try DetectionSweepReport.write(folder: folder) == ["figures/detection.svg"])
    let svg = try String(contentsOfFile: folder + "/figures/detection.svg", encoding: .utf8)
    let panels = Array(svg.components(separatedBy: "<g transform=\"translate(").dropFirst())
    // Row 1: recall at 0.1%, at 1%, the AUC; row 2: precision at 0.1%, at 1%.
    #expect(panels.count == 5)
    let titles = panels.map {
      FigureDataTests.matches(#"font-size="16\.0"[^>]*>([^<]+)</text>"#, in: $0)[0][0]
    }
    #expect(
      titles == [
        "recall at flag rate 0.1%", "recall at flag rate 1%", "ROC AUC (any flag rate)",
        "precision at flag rate 0.1%", "precision at flag rate 1%",
      ])
    #expect(svg.contains("by the combined detector"))
    let strategies = ["at-the-end", "dirlof"]
    // Panel → (value of a run at that panel), nil for the AUC's.
    let panelValues: [(Int, ((String, Int, Int, Int, Int, Double)) -> Double)] = [
      (0, { Double($0.3) / Double($0.1) }), (1, { Double($0.4) / Double($0.1) }),
      (2, { $0.5 }), (3, { Double($0.3) / 20 }), (4, { Double($0.4) / 200 }),
    ]
    for (index, value) in panelValues {
      let panel = panels[index]
      let axes = FigureDataTests.Axes(panel, logX: true, logY: false)
      #expect(axes.x.map { pow(10, $0.v) }.map { $0.rounded() } == [10, 40], "\(titles[index])")
      let markers = FigureDataTests.matches(
        #"<circle class="marker" cx="([-0-9.]+)" cy="([-0-9.]+)" r="3\.5" fill="([^"]+)""#,
        in: panel)
      #expect(markers.count == 4)
      for (i, strategy) in strategies.enumerated() {
        let dodge = (Double(i) - 0.5) * 5
        let mine = markers.filter { $0[2] == LineChart.palette[i] }
        let whiskers = FigureDataTests.matches(
          #"<line class="whisker" data-name="\#(strategy)" x1="([-0-9.]+)" y1="([-0-9.]+)" x2="[-0-9.]+" y2="([-0-9.]+)""#,
          in: panel)
        for budget in [10, 40] {
          let values = Self.runs.filter { $0.0 == strategy && $0.1 == budget }.map(value)
          let (mean, ci) = meanCI(values)
          let m = try #require(
            mine.first { axes.showsX(Double($0[0])! - dodge, Double(budget)) },
            "\(titles[index]) \(strategy) \(budget)")
          #expect(axes.showsY(Double(m[1])!, mean), "\(titles[index]) \(strategy) \(budget)")
          if ci > 0 {
            let w = try #require(
              whiskers.first { axes.showsX(Double($0[0])! - dodge, Double(budget)) })
            #expect(axes.showsY(Double(w[1])!, max(0, mean - ci)))
            #expect(axes.showsY(Double(w[2])!, min(1, mean + ci)))
          }
        }
      }
      guard index != 2 else {
        #expect(panel.contains("class=\"reference\""))
        continue
      }
      // The bounds: a perfect detector catches min(1, flagged / B) of the collective and is
      // right on min(1, B / flagged) of its flags; random flags catch flagged / playlists
      // and hit B / playlists.
      let flagged = index == 0 || index == 3 ? 20.0 : 200.0
      let perfect = FigureDataTests.matches(
        #"<polyline class="series" data-name="perfect detector" points="([^"]+)""#, in: panel)
      let random = FigureDataTests.matches(
        #"<polyline class="series" data-name="flagging at random" points="([^"]+)""#, in: panel)
      #expect(perfect.count == 1 && random.count == 1)
      let p = perfect[0][0].split(separator: " ").map {
        $0.split(separator: ",").map { Double($0)! }
      }
      let q = random[0][0].split(separator: " ").map {
        $0.split(separator: ",").map { Double($0)! }
      }
      for (k, budget) in [10.0, 40].enumerated() {
        let isRecall = index < 2
        #expect(axes.showsX(p[k][0], budget))
        #expect(
          axes.showsY(p[k][1], isRecall ? min(1, flagged / budget) : min(1, budget / flagged)))
        #expect(axes.showsY(q[k][1], isRecall ? flagged / 20_000 : budget / 20_000))
      }
    }
  }

  @Test func aFileThatIsNotDetectOutputIsRefusedByName() throws {
    let dir = TemporaryDirectory()
    let folder = try sweep(dir)
    let path = folder + "/rate-0.01/random-b10-f2.json"
    try "{\"rows\": []}".write(toFile: path, atomically: true, encoding: .utf8)
    #expect {
      try DetectionSweepReport.write(folder: folder)
    } throws: { e in
      (e as? ChorusError)?.file == path
    }
    // A calibrated run is refused for what it is, not as foreign output.
    try "{\"falsePositiveRate\": 0.01, \"rows\": []}".write(
      toFile: path, atomically: true, encoding: .utf8)
    #expect {
      try DetectionSweepReport.write(folder: folder)
    } throws: { e in
      let c = e as? ChorusError
      return c?.file == path && "\(c!)".contains("calibrated run")
    }
    // A study folder (with a manifest) is never taken for a sweep.
    try "{}".write(toFile: folder + "/manifest.json", atomically: true, encoding: .utf8)
    #expect(!DetectionSweepReport.isSweep(folder))
  }
}
