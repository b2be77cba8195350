// The appendix figures from hand-written CSVs: every drawn point read back through the
// panel's own axes equals the fixture's value — anchor selection (one dot per edit with both
// neighbours), estimated vs true frequency (unknown estimates in the zero row, the diagonal),
// the precision@50 CDF pooled over folds, and the similarity of s* with its fold CI — and
// each figure is skipped without its CSV.
import ChorusCore
import ChorusTestSupport
import Foundation
import Testing

@testable import Reports

#if canImport(FoundationXML)
  import FoundationXML
#endif

@Suite struct AppendixFiguresTests {
  static let id = "fold,strategy,statistics,size_kind,size"
  /// anchors.csv's header.
  static let anchorsHeader =
    id + ",edit,targeted,direct_true_freq,direct_estimate,indirect_true_freq,indirect_estimate"

  /// A report context over `folder` with one strategy and the given statistics sources.
  func context(_ folder: String, strategies: [String] = ["dirlof"], sources: [String] = ["full"])
    -> ReportContext
  {
    ReportContext(
      folder: folder,
      summary: CSVTable(header: ["strategy", "statistics", "size_kind", "size", "folds"]),
      isAlpha: false, xLabel: "collective size B (playlists, log scale)", strategies: strategies,
      statsSources: sources)
  }

  func write(_ dir: TemporaryDirectory, _ name: String, _ lines: [String]) throws {
    try FileIO.writeAtomically(lines.joined(separator: "\n") + "\n", to: dir.file(name))
  }

  /// The pixel centres of the circles in the series group named `name`.
  func dots(_ svg: String, _ name: String) -> [(x: Double, y: Double)] {
    guard let start = svg.range(of: "<g class=\"series\" data-name=\"\(name)\"") else {
      return []
    }
    let rest = svg[start.upperBound...]
    let group = rest.range(of: "</g>").map { rest[..<$0.lowerBound] } ?? rest
    return FigureDataTests.matches(#"<circle cx="([-0-9.]+)" cy="([-0-9.]+)""#, in: String(group))
      .map { (Double($0[0])!, Double($0[1])!) }
  }

  @Test func anchorSelectionDrawsEveryEditWithBothNeighbours() throws {
    let dir = TemporaryDirectory()
    try write(
      dir, "anchors.csv",
      [
        Self.anchorsHeader,
        "0,dirlof,full,budget,3,0,direct,1,1,10,10",
        "0,dirlof,full,budget,3,1,direct,2,2,100,100",
        "0,dirlof,full,budget,3,2,direct,1,1,,",
        "1,dirlof,full,budget,3,0,direct,7,7,7,7",
      ])
    let section = try #require(StudyReport.anchorSelection(context(dir.path)))
    let svg = section.svg
    #expect(XMLParser(data: Data(svg.utf8)).parse())
    #expect(svg.contains("dirlof, B = 3.0: 2 of 3 edits"))
    let axes = FigureDataTests.Axes(svg, logX: true, logY: true)
    let drawn = dots(svg, "aimed at the song before s*")
    #expect(drawn.count == 2, "fold 0 only, edits with both neighbours")
    for (p, want) in zip(drawn, [(1.0, 10.0), (2.0, 100.0)]) {
      #expect(axes.showsX(p.x, want.0) && axes.showsY(p.y, want.1), "\(p) vs \(want)")
    }
    #expect(dots(svg, "aimed at the song after s*").isEmpty)
    #expect(StudyReport.anchorSelection(context(TemporaryDirectory().path)) == nil)
    // A strategy that always puts s* last has no point with both neighbours: no panel.
    let last = TemporaryDirectory()
    try write(
      last, "anchors.csv",
      [
        Self.anchorsHeader,
        "0,dirlof,full,budget,3,0,direct,1,1,10,10",
        "0,at-the-end,full,budget,3,0,direct,5,5,,",
      ])
    let two = try #require(
      StudyReport.anchorSelection(context(last.path, strategies: ["dirlof", "at-the-end"])))
    #expect(!two.svg.contains("at-the-end, B = 3.0"))
    #expect(two.svg.contains("no panel for at-the-end"))
  }

  @Test func estimatedFrequencyPutsUnknownEstimatesInTheZeroRow() throws {
    let dir = TemporaryDirectory()
    try write(
      dir, "anchors.csv",
      [
        Self.anchorsHeader,
        "0,dirlof,full,budget,3,0,direct,1,1,10,10",
        "0,dirlof,sample:0.1,budget,3,0,direct,4,1,10,2",
        "0,dirlof,sample:0.1,budget,3,1,indirect,3,1,50,6",
        "0,dirlof,sample:0.1,budget,3,2,direct,8,,9,1",
      ])
    let only = context(dir.path)
    #expect(StudyReport.estimatedFrequency(only) == nil, "full information alone: nothing to show")
    let section = try #require(
      StudyReport.estimatedFrequency(context(dir.path, sources: ["full", "sample:0.1"])))
    let svg = section.svg
    #expect(XMLParser(data: Data(svg.utf8)).parse())
    #expect(
      svg.contains("statistics: own + 10% sample (sample:0.1)")
        && !svg.contains("statistics: full"))
    #expect(svg.contains("estimate = truth"))
    let axes = FigureDataTests.Axes(svg, logX: true, logY: true)
    let drawn = dots(svg, "dirlof, B = 3.0").sorted { $0.x < $1.x }
    #expect(drawn.count == 3)
    // The targeted side's truth and estimate: (4, 1), (50, 6) and (8, unknown → zero row).
    #expect(axes.showsX(drawn[0].x, 4) && axes.showsY(drawn[0].y, 1))
    #expect(axes.showsX(drawn[1].x, 8))
    #expect(axes.showsX(drawn[2].x, 50) && axes.showsY(drawn[2].y, 6))
    let zeroRow = try #require(
      FigureDataTests.matches(#"<text x="72\.0" y="([-0-9.]+)"[^>]*>0</text>"#, in: svg).first)
    #expect(abs(drawn[1].y - (Double(zeroRow[0])! - 4)) < 0.2, "unknown estimate in the zero row")
  }

  @Test func precisionCDFIsPooledOverFolds() throws {
    let dir = TemporaryDirectory()
    try write(
      dir, "precision-at-50.csv",
      [
        Self.id + ",depth,series,hits,precision,lists",
        "0,dirlof,full,budget,3,50,clean,0,0,2", "0,dirlof,full,budget,3,50,clean,1,0.02,2",
        "0,dirlof,full,budget,3,50,with,0,0,1", "0,dirlof,full,budget,3,50,with,1,0.02,3",
        "1,dirlof,full,budget,3,50,clean,2,0.04,4", "1,dirlof,full,budget,3,50,with,2,0.04,4",
      ])
    try write(
      dir, "precision-at-50-change.csv",
      [
        Self.id + ",depth,lists,lists_gained,lists_lost,precision_clean,precision_with",
        "0,dirlof,full,budget,3,50,4,1,0,0.005,0.0075", "1,dirlof,full,budget,3,50,4,0,0,0.04,0.04",
      ])
    let section = try #require(StudyReport.precisionDistribution(context(dir.path)))
    let svg = section.svg
    #expect(XMLParser(data: Data(svg.utf8)).parse())
    #expect(svg.contains(">of 8 test lists:<") && svg.contains(">1 gained a hit,<"))
    #expect(svg.contains(">0 lost one<"))
    let axes = FigureDataTests.Axes(svg, logX: false, logY: false)
    // Plain CDFs of the pooled histograms, in % of lists.
    let expected: [String: [(Double, Double)]] = [
      "clean": [(0, 25), (0.02, 50), (0.04, 100)],
      "with the collective": [(0, 12.5), (0.02, 50), (0.04, 100)],
    ]
    for (name, want) in expected {
      let line = try #require(
        FigureDataTests.matches(
          #"<polyline class="series" data-name="\#(name)" points="([^"]+)""#, in: svg
        ).first)
      let pts = line[0].split(separator: " ").map { $0.split(separator: ",").map { Double($0)! } }
      #expect(pts.count == want.count)
      for (p, w) in zip(pts, want) {
        #expect(axes.showsX(p[0], w.0) && axes.showsY(p[1], w.1), "\(name): \(p) vs \(w)")
      }
    }
  }

  @Test func similarityHasItsFoldCI() throws {
    let dir = TemporaryDirectory()
    let header =
      Self.id
      + ",targeted_seeds,targeted_cosine_mean,targeted_cosine_ci,other_seeds,other_cosine_mean,other_cosine_ci,seeds_without_vector"
    try write(
      dir, "similarity.csv",
      [
        header, "0,dirlof,full,budget,3,5,0.4,0.1,90,0.1,0.01,0",
        "1,dirlof,full,budget,3,4,0.6,0.1,91,0.2,0.01,0",
        "0,dirlof,full,budget,30,9,0.5,0.1,80,0.1,0.01,1",
      ])
    let section = try #require(StudyReport.contextSimilarity(context(dir.path)))
    let svg = section.svg
    #expect(XMLParser(data: Data(svg.utf8)).parse())
    let axes = FigureDataTests.Axes(svg, logX: true, logY: false)
    let markers = FigureDataTests.matches(
      #"<circle class="marker" cx="([-0-9.]+)" cy="([-0-9.]+)""#, in: svg
    ).map { (x: Double($0[0])!, y: Double($0[1])!) }
    // Targeted: B = 3 mean of 0.4 and 0.6; B = 30 one fold. Others: 0.15 and 0.1.
    let ys = markers.map { axes.dataY($0.y) }
    for want in [0.5, 0.5, 0.15, 0.1] {
      #expect(ys.contains { abs($0 - want) <= axes.yTolerance }, "\(want) in \(ys)")
    }
    // The B = 3 targeted whisker: 1.96 · sd(0.4, 0.6) / √2.
    let half = 1.96 * (0.02).squareRoot() / 2.0.squareRoot()
    let whiskers = FigureDataTests.matches(
      #"<line class="whisker" data-name="seeds ending in a targeted anchor" x1="[-0-9.]+" y1="([-0-9.]+)" x2="[-0-9.]+" y2="([-0-9.]+)""#,
      in: svg)
    let w = try #require(whiskers.first)
    #expect(abs(axes.dataY(Double(w[0])!) - (0.5 - half)) <= 2 * axes.yTolerance)
    #expect(abs(axes.dataY(Double(w[1])!) - (0.5 + half)) <= 2 * axes.yTolerance)
  }

  /// Success among seeds holding a targeted anchor and among all test playlists: per strategy
  /// and size the mean over the folds of runs.csv where it is defined, with its CI; the top
  /// axis counts the anchors on the side anchors.csv says the strategy aimed at; a strategy
  /// whose anchors no seed holds has no panel but its rows in the table.
  @Test func anchorSuccessDrawsBothRatesWithTheirFoldCIs() throws {
    let dir = TemporaryDirectory()
    let header =
      Self.id
      + ",success_all,success_seed_anchor,seed_anchor_playlists,direct_anchors,indirect_anchors"
    try write(
      dir, "runs.csv",
      [
        header,
        "0,inclust,full,budget,10,0.01,0.0,3,4,9",
        "1,inclust,full,budget,10,0.03,,0,5,10",
        "0,inclust,full,budget,100,0.2,0.5,30,40,60",
        "1,inclust,full,budget,100,0.3,0.7,40,42,70",
        "0,dirlof,full,budget,10,0.05,,0,10,9",
        "1,dirlof,full,budget,10,0.07,,0,10,9",
      ])
    try write(
      dir, "anchors.csv",
      [
        Self.anchorsHeader, "0,inclust,full,budget,10,0,indirect,1,1,5,5",
        "0,dirlof,full,budget,10,0,direct,1,1,5,5",
      ])
    let section = try #require(
      StudyReport.anchorSuccess(context(dir.path, strategies: ["inclust", "dirlof"])))
    let svg = section.svg
    #expect(XMLParser(data: Data(svg.utf8)).parse())
    // One panel: DirLoF's anchors are in no seed.
    let panels = Array(svg.components(separatedBy: "<g transform=\"translate(").dropFirst())
    #expect(panels.count == 1)
    #expect(svg.contains("No panel for dirlof"))
    let axes = FigureDataTests.Axes(panels[0], logX: true, logY: false)
    let markers = FigureDataTests.matches(
      #"<circle class="marker" cx="([-0-9.]+)" cy="([-0-9.]+)" r="3\.5" fill="([^"]+)""#,
      in: panels[0])
    // Seeds (colour 0, shifted −4 px): B = 10 one fold (0), B = 100 mean of 0.5 and 0.7.
    // All test playlists (black, +4 px): 0.02 and 0.25.
    let want: [(String, Double, Double, Double)] = [
      (LineChart.palette[0], -4, 10, 0), (LineChart.palette[0], -4, 100, 0.6),
      (LineChart.palette[7], 4, 10, 0.02), (LineChart.palette[7], 4, 100, 0.25),
    ]
    #expect(markers.count == want.count)
    for (colour, dodge, x, y) in want {
      #expect(
        markers.contains {
          $0[2] == colour && axes.showsX(Double($0[0])! - dodge, x)
            && axes.showsY(Double($0[1])!, y)
        }, "\(colour) at \(x): \(y)")
    }
    // The B = 100 seeds whisker: 1.96 · sd(0.5, 0.7) / √2.
    let half = 1.96 * (0.02).squareRoot() / 2.0.squareRoot()
    let whiskers = FigureDataTests.matches(
      #"<line class="whisker" data-name="seeds with a targeted anchor" x1="([-0-9.]+)" y1="([-0-9.]+)" x2="[-0-9.]+" y2="([-0-9.]+)""#,
      in: panels[0])
    #expect(whiskers.count == 1)
    #expect(axes.showsX(Double(whiskers[0][0])! + 4, 100))
    #expect(abs(axes.dataY(Double(whiskers[0][1])!) - (0.6 - half)) <= 2 * axes.yTolerance)
    #expect(abs(axes.dataY(Double(whiskers[0][2])!) - (0.6 + half)) <= 2 * axes.yTolerance)
    // Top axis: InClust aimed after s*, so the indirect anchors: 9.5 and 65 at their sizes.
    #expect(panels[0].contains("targeted anchors: songs after s*"))
    for (label, x) in [("9.5", 10.0), ("65", 100.0)] {
      let at = FigureDataTests.matches(
        #"<text x="([-0-9.]+)" y="[-0-9.]+" font-size="11\.0"[^>]*>\#(label)</text>"#,
        in: panels[0])
      #expect(at.count == 1 && axes.showsX(Double(at[0][0])!, x), "\(label)")
    }
    // The table: DirLoF's rows say no seed holds one; a rate defined in one fold says so.
    #expect(section.text.contains("| dirlof | B = 10.0 | 10 | 0 | – (no seed holds one) |"))
    #expect(
      section.text.contains(
        "| inclust | B = 10.0 | 9.5 | 1.5 | 0 (1 fold, no CI) | 0.02 ± 0.0196 |"))
    // Without the columns, no section.
    try write(dir, "runs.csv", [Self.id + ",success_all", "0,inclust,full,budget,10,0.01"])
    #expect(StudyReport.anchorSuccess(context(dir.path, strategies: ["inclust"])) == nil)
  }

  /// Statistics sources are named as a reader would say them in legends and panel titles.
  @Test func statisticsSourcesGetReadableLabels() {
    #expect(StudyReport.sourceLabel("full") == "full information")
    #expect(StudyReport.sourceLabel("sample:0.1") == "own + 10% sample")
    #expect(StudyReport.sourceLabel("sample:0.01") == "own + 1% sample")
    #expect(StudyReport.sourceLabel("sample:0.0") == "own playlists only")
    #expect(StudyReport.sourceLabel("proxy:1.0") == "public proxy, σ = 1")
    #expect(StudyReport.sourceLabel("table:data/streams.csv") == "table data/streams.csv")
    let sources = [
      "full", "sample:1.0", "sample:0.1", "sample:0.0", "proxy:1.0", "proxy:0.5",
      "table:a/x.csv", "table:b/x.csv",
    ]
    #expect(Set(sources.map(StudyReport.sourceLabel)).count == sources.count)
    #expect(StudyReport.sourceLabel("sample:x") == "sample:x")
    #expect(StudyReport.sourceLabel("dirlof") == "dirlof")
  }
}
