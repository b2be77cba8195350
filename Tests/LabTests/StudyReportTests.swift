// The report of a finished study: well-formed SVG with the expected series and axis labels,
// report.md embedding the figures, and the partial-information figure skipped when the
// spec has a single statistics source.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Foundation
import Lab
import PlaylistData
import Reports
import Testing

#if canImport(FoundationXML)
  import FoundationXML
#endif

@Suite struct StudyReportTests {
  func runStudy(_ dir: TemporaryDirectory, statistics: [EstimateSource]) throws -> String {
    let data = dir.file("data.chorus")
    try BinaryCache.write(
      Fixtures.random(playlists: 1200, tracks: 500, lengths: 10...50, seed: 4), to: data)
    var s = ExperimentSpec()
    s.name = "report"
    s.dataset = data
    s.split = SplitConfig(testSize: 40, folds: 2, seed: 1)
    s.strategies = [.dirLoF, .random]
    s.sizes = [.alpha(0.05), .alpha(0.2)]
    s.statistics = statistics
    s.k = 30
    let folder = dir.file("out")
    try runQuietly(s, in: folder)
    try StudyReport.write(folder: folder)
    return folder
  }

  @Test func figuresAreWellFormedAndLabelled() throws {
    let dir = TemporaryDirectory()
    let folder = try runStudy(dir, statistics: [.full, .sample(fraction: 0.1)])
    let svg = try String(contentsOfFile: folder + "/figures/amplification.svg", encoding: .utf8)
    let parser = XMLParser(data: Data(svg.utf8))
    #expect(parser.parse(), "amplification.svg is not well-formed XML")
    #expect(svg.contains("data-name=\"dirlof (full information)\""))
    #expect(svg.contains("data-name=\"random (own + 10% sample)\""))
    #expect(svg.contains("collective size α (% of training playlists, log scale)"))
    #expect(svg.contains(">amplification<"))
    #expect(svg.contains("class=\"ci-band\""))
    let partial = try String(
      contentsOfFile: folder + "/figures/partial-information.svg", encoding: .utf8)
    #expect(XMLParser(data: Data(partial.utf8)).parse())
    let md = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
    #expect(md.contains("![amplification](figures/amplification.svg)"))
    #expect(md.contains("| dirlof | full |"))
  }

  /// report.md's findings section is written from summary.csv: one line per size with each
  /// strategy's amplification as the summary table prints it, and a verdict; the summary
  /// table itself never prints floating-point noise or a "± 0" from a single fold.
  @Test func findingsSectionComesFromTheNumbers() throws {
    let dir = TemporaryDirectory()
    let folder = try runStudy(dir, statistics: [.full])
    let md = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
    let comparison = try StrategyComparison(folder: folder)
    #expect(md.contains("## Findings"))
    #expect(comparison.rows.count == 2)
    for line in comparison.lines() { #expect(md.contains("- " + line)) }
    for row in comparison.rows {
      for e in row.entries {
        #expect(md.contains("| \(e.amplification.formatted()) |"), "\(e.strategy) at \(row.budget)")
      }
    }
    #expect(!md.contains("e-17") && !md.contains("e-16"))
  }

  func svg(_ folder: String, _ name: String) throws -> String {
    let text = try String(contentsOfFile: folder + "/figures/\(name).svg", encoding: .utf8)
    #expect(XMLParser(data: Data(text.utf8)).parse(), "\(name).svg is not well-formed XML")
    return text
  }

  /// Every other figure: well-formed, with its series, labels and legend entries.
  @Test func everyFigureHasItsSeriesAndLabels() throws {
    let dir = TemporaryDirectory()
    let folder = try runStudy(dir, statistics: [.full])
    let scatter = try svg(folder, "frequency-scatter")
    #expect(scatter.contains("data-name=\"ordinary songs (sample)\""))
    #expect(scatter.contains("data-name=\"s* – dirlof\""))
    #expect(scatter.contains("data-name=\"s* – random\""))
    #expect(scatter.contains("class=\"highlight\""))
    #expect(scatter.contains("training frequency (playlists holding the song, log)"))
    #expect(scatter.contains("class=\"axis-break\""), "a zero row under the log axis")
    let accuracy = try svg(folder, "accuracy-loss")
    for metric in ["NDCG", "R-precision", "clicks"] {
      #expect(accuracy.contains("\(metric): measured (95% CI)"))
      #expect(accuracy.contains("\(metric): within its bounds"))
      #expect(accuracy.contains("% of clean \(metric)"))
    }
    #expect(accuracy.contains("data-name=\"dirlof adversarial\""))
    #expect(accuracy.contains("data-name=\"random optimistic\""))
    #expect(accuracy.contains("stroke-dasharray=\"7 4\""))
    let ext = try svg(folder, "externalities")
    #expect(ext.contains("dirlof, α = 20%"))
    #expect(ext.contains("data-name=\"other songs\""))
    #expect(ext.contains("ΔR per song (mean, 95% CI)"))
    let lorenz = try svg(folder, "concentration")
    #expect(lorenz.contains("clean (Gini 0."))
    #expect(lorenz.contains("Change in the Gini coefficient (with − clean)"))
    #expect(lorenz.contains("data-name=\"dirlof gained (Gini 0."))
    #expect(lorenz.contains("class=\"whisker\"") || lorenz.contains("class=\"marker\""))
    let data = try svg(folder, "dataset")
    #expect(data.contains("data-name=\"tracks per bin\""))
    #expect(data.contains("<rect x="))
    // The CSVs behind them.
    let points = try CSVTable.read(path: folder + "/cloud-points.csv")
    #expect(points.header == ["fold", "track_id", "training_frequency", "recommendations"])
    #expect(!points.rows.isEmpty)
    let shape = try CSVTable.read(path: folder + "/dataset.csv")
    let lengths = shape.rows.filter { $0[0].string == "playlist_length" }.compactMap {
      $0[3].double
    }
    #expect(lengths.reduce(0, +) == 1200, "every playlist counted once")
    let md = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
    for name in ["frequency-scatter", "accuracy-loss", "externalities", "concentration", "dataset"]
    {
      #expect(md.contains("![\(name)](figures/\(name).svg)"))
    }
  }

  /// A folder without the dataset histogram (e.g. from an older version) gets no dataset
  /// figure, and the report says nothing about it.
  @Test func figuresWithoutTheirDataAreSkipped() throws {
    let dir = TemporaryDirectory()
    let folder = try runStudy(dir, statistics: [.full])
    try FileManager.default.removeItem(atPath: folder + "/dataset.csv")
    try FileManager.default.removeItem(atPath: folder + "/figures")
    // Such a folder's manifest does not list dataset.csv.
    let manifestPath = folder + "/manifest.json"
    var manifest = try #require(
      try JSONSerialization.jsonObject(with: FileIO.read(manifestPath)) as? [String: Any])
    manifest["files"] = (manifest["files"] as? [String] ?? []).filter { $0 != "dataset.csv" }
    try FileIO.writeAtomically(
      try JSONSerialization.data(withJSONObject: manifest), to: manifestPath)
    try StudyReport.write(folder: folder)
    #expect(!FileManager.default.fileExists(atPath: folder + "/figures/dataset.svg"))
    #expect(FileManager.default.fileExists(atPath: folder + "/figures/concentration.svg"))
    let md = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
    #expect(!md.contains("dataset.svg"))
  }

  /// Partial and full information are paired by strategy and typed collective size, not by
  /// the size's text: a summary.csv re-saved with other number spellings ("0.050") still
  /// gives the figure.
  @Test func partialInformationPairsSizesByValue() throws {
    let dir = TemporaryDirectory()
    let folder = try runStudy(dir, statistics: [.full, .sample(fraction: 0.1)])
    let path = folder + "/summary.csv"
    let lines = try String(contentsOfFile: path, encoding: .utf8).split(
      separator: "\n", omittingEmptySubsequences: false)
    let respelled = lines.map { line -> String in
      guard line.contains(",sample:0.1,") else { return String(line) }
      return line.replacingOccurrences(of: ",alpha,0.05,", with: ",alpha,0.050,")
        .replacingOccurrences(of: ",alpha,0.2,", with: ",alpha,0.20,")
    }
    #expect(respelled.joined(separator: "\n") != lines.joined(separator: "\n"))
    try FileIO.writeAtomically(Data(respelled.joined(separator: "\n").utf8), to: path)
    try FileManager.default.removeItem(atPath: folder + "/figures")
    try StudyReport.write(folder: folder)
    let partial = try String(
      contentsOfFile: folder + "/figures/partial-information.svg", encoding: .utf8)
    #expect(partial.contains("data-name=\"dirlof (own + 10% sample)\""))
    #expect(partial.contains("data-name=\"random (own + 10% sample)\""))
  }

  /// A study in which no other song changed (every ΔR 0, as with tiny collectives) still gets
  /// its externality panels, on one shared range around 0, instead of a crash.
  @Test func externalitiesWithoutAnyChangeAreDrawn() throws {
    let dir = TemporaryDirectory()
    let folder = try runStudy(dir, statistics: [.full])
    let path = folder + "/externalities.csv"
    let t = try CSVTable.read(path: path)
    let zeroed = Set(["delta_r_mean", "delta_r_ci", "delta_r_pct_mean", "delta_r_pct_ci"])
    let lines =
      [t.header.joined(separator: ",")]
      + t.rows.map { row in
        zip(t.header, row).map { zeroed.contains($0) ? "0" : $1.string }.joined(separator: ",")
      }
    try FileIO.writeAtomically(lines.joined(separator: "\n") + "\n", to: path)
    try StudyReport.write(folder: folder)
    let ext = try svg(folder, "externalities")
    let panels = ext.components(separatedBy: "<g transform=").dropFirst()
    #expect(panels.count == 2)
    let axes = Set(
      panels.map { p in
        p.components(separatedBy: "<text x=\"72.0\"").dropFirst().map { $0.prefix(40) }
          .joined()
      })
    #expect(axes.count == 1, "one shared y axis")
    #expect(ext.contains(">-1<") && ext.contains(">1<"))
  }

  @Test func partialInformationFigureIsSkippedWithoutItsData() throws {
    let dir = TemporaryDirectory()
    let folder = try runStudy(dir, statistics: [.full])
    #expect(!FileManager.default.fileExists(atPath: folder + "/figures/partial-information.svg"))
    let md = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
    #expect(!md.contains("partial-information.svg"))
    #expect(FileManager.default.fileExists(atPath: folder + "/figures/accuracy-loss.svg"))
  }

  /// Untrusted names: Markdown/HTML characters are escaped; spreadsheet formulas get a
  /// leading ' while ordinary text (and text that merely contains those characters) is kept.
  @Test func untrustedTextIsEscaped() {
    #expect(
      SafeText.markdown("<script>alert(1)</script>") == "&lt;script&gt;alert\\(1\\)&lt;/script&gt;")
    #expect(SafeText.markdown("a|b *c* [d](e)") == "a\\|b \\*c\\* \\[d\\]\\(e\\)")
    #expect(SafeText.markdown("hybrid:tau=2") == "hybrid:tau=2")
    for (cell, safe) in [
      ("=HYPERLINK(\"x\")", "'=HYPERLINK(\"x\")"), ("+1", "'+1"), ("-5", "'-5"),
      ("@SUM(A1)", "'@SUM(A1)"),
      ("\tx", "'\tx"), ("spotify:track:1", "spotify:track:1"), ("a=b", "a=b"), ("", ""),
    ] {
      #expect(SafeText.spreadsheetCell(cell) == safe)
    }
  }

  /// The reference line's label is drawn after every series, with a white halo, at the end
  /// of the line where the data are farther from it: curves never cross it.
  @Test func referenceLabelSitsOverTheSeriesAwayFromThem() {
    // Data near 1 on the right, far from it on the left: the label goes left.
    var chart = LineChart(
      title: "t", xLabel: "x", yLabel: "y",
      series: [ChartSeries(name: "s", points: [(1, 6, 0), (10, 3, 0), (100, 1.05, 0)])])
    chart.logX = true
    chart.referenceY = (1, "amplification = 1")
    let svg = chart.svg()
    let label = svg.components(separatedBy: "\n").last { $0.contains(">amplification = 1<") }!
    #expect(label.contains("paint-order=\"stroke\""))
    #expect(label.contains("text-anchor=\"start\""))
    let labelAt = svg.range(of: ">amplification = 1<")!.lowerBound
    let seriesAt = svg.range(of: "class=\"series\"")!.lowerBound
    #expect(labelAt > seriesAt, "drawn after the series")
    // Mirrored data: the label goes right.
    chart.series = [ChartSeries(name: "s", points: [(1, 1.05, 0), (10, 3, 0), (100, 6, 0)])]
    let mirrored = chart.svg().components(separatedBy: "\n").last {
      $0.contains(">amplification = 1<")
    }!
    #expect(mirrored.contains("text-anchor=\"end\""))
  }

  /// The reference label's halo never hides a marker: with a marker where the label would go
  /// (left end, above the line), it moves to a free place, and the box it takes holds no
  /// marker. Without the marker it stays at the preferred place.
  @Test func referenceLabelAvoidsMarkers() throws {
    func chart(_ points: [(x: Double, y: Double, ci: Double)]) -> LineChart {
      var c = LineChart(
        title: "t", xLabel: "x", yLabel: "y",
        series: [ChartSeries(name: "s", points: points, style: .errorBars)])
      c.logX = true
      c.nonNegative = true
      c.referenceY = (100, "as good as full information")
      return c
    }
    func label(_ svg: String) -> (x: Double, y: Double, anchor: String) {
      let line = svg.components(separatedBy: "\n").last {
        $0.contains(">as good as full information<")
      }!
      func attr(_ name: String) -> String {
        let start = line.range(of: "\(name)=\"")!.upperBound
        return String(line[start...].prefix { $0 != "\"" })
      }
      return (Double(attr("x"))!, Double(attr("y"))!, attr("text-anchor"))
    }
    // Data far below 100 on the left: the label's preferred place is the left end, above.
    let free = chart([(0.2, 5, 2), (1, 60, 5)])
    let preferred = label(free.svg())
    #expect(preferred.anchor == "start")
    // A marker just above the line at the left end, where that label sits.
    let crowded = chart([(0.2, 5, 2), (0.21, 107, 0), (1, 60, 5)])
    let svg = crowded.svg()
    let moved = label(svg)
    #expect(moved.anchor != preferred.anchor || moved.y != preferred.y)
    let markers = FigureDataTests.matches(
      #"<circle class="marker" cx="([-0-9.]+)" cy="([-0-9.]+)""#, in: svg
    )
    .map { (x: Double($0[0])!, y: Double($0[1])!) }
    #expect(markers.count == 3)
    let width = 6.2 * 27 + 4
    let x0 =
      moved.anchor == "start"
      ? moved.x - 2 : moved.anchor == "middle" ? moved.x - width / 2 : moved.x - width + 2
    for m in markers {
      let inside =
        m.x + 3.5 >= x0 && m.x - 3.5 <= x0 + width && m.y + 3.5 >= moved.y - 11
        && m.y - 3.5 <= moved.y + 3
      #expect(!inside, "marker at \(m) under the label at \(moved)")
    }
  }

  /// A curve that crosses the reference line near both ends (as amplification does: high for
  /// tiny collectives, low in between, high again for large ones) must not run under the
  /// label: it moves to the middle of the line, where no stretch of any drawn line passes
  /// through its box. Without the crossings it stays at an end.
  @Test func referenceLabelAvoidsCurves() throws {
    func chart(_ points: [(x: Double, y: Double, ci: Double)]) -> LineChart {
      var c = LineChart(
        title: "t", xLabel: "x", yLabel: "y",
        series: [
          ChartSeries(name: "s", points: points),
          ChartSeries(name: "other", points: points.map { ($0.x, $0.y * 0.9, 0) }, style: .context),
        ])
      c.logX = true
      c.referenceY = (1, "amplification = 1")
      return c
    }
    func anchor(_ svg: String) -> String {
      let line = svg.components(separatedBy: "\n").last { $0.contains(">amplification = 1<") }!
      let start = line.range(of: "text-anchor=\"")!.upperBound
      return String(line[start...].prefix { $0 != "\"" })
    }
    // Steep crossings of y = 1 close to both ends, the middle far below the line.
    let u = chart([
      (0.01, 4, 0), (0.012, 0.3, 0), (0.1, 0.2, 0), (1, 0.25, 0), (8, 0.3, 0), (10, 4, 0),
    ])
    #expect(anchor(u.svg()) == "middle")
    // The same curve without the crossings (low everywhere): an end is free, and preferred.
    let low = chart([(0.01, 0.3, 0), (0.1, 0.2, 0), (1, 0.25, 0), (10, 0.3, 0)])
    #expect(anchor(low.svg()) != "middle")
  }

  /// Ten series (a frontier of nine defences and none) get ten different colours: the palette
  /// used to repeat after eight, so the ninth defence was drawn in the first one's colour.
  @Test func tenSeriesGetTenColours() {
    let series = (0..<10).map { i in
      ChartSeries(name: "s\(i)", points: [(1, Double(i), 0), (2, Double(i) + 1, 0)])
    }
    let svg = LineChart(title: "t", xLabel: "x", yLabel: "y", series: series).svg()
    let used = Set(
      LineChart.palette.filter {
        svg.contains("stroke=\"\($0)\"") || svg.contains("fill=\"\($0)\"")
      })
    #expect(LineChart.palette.count >= 10)
    #expect(used.count == 10)
  }

  /// Tick labels keep two significant digits: −1.5e-4 is not printed as −2e-4 next to a
  /// real −2e-4.
  @Test func smallTickLabelsStayDistinct() {
    var chart = LineChart(
      title: "t", xLabel: "x", yLabel: "y",
      series: [ChartSeries(name: "s", points: [(1, 0, 0), (10, -2e-4, 0)])])
    chart.yIncludesZero = true
    let labels = chart.svg().components(separatedBy: "text-anchor=\"end\"").dropFirst().compactMap {
      $0.split(separator: ">").dropFirst().first?.split(separator: "<").first.map(String.init)
    }
    #expect(Set(labels).count == labels.count, "\(labels)")
    #expect(labels.contains("-1.5e-4") || labels.contains("-5e-5"))
  }

  /// Amplification cannot be negative: with `nonNegative` the CI band stops at 0 and the axis
  /// does not extend below it; without it the band shows the (impossible) negative values.
  @Test func nonNegativeChartsClampTheirBands() {
    var chart = LineChart(
      title: "t", xLabel: "x", yLabel: "y",
      series: [ChartSeries(name: "s", points: [(1, 0.1, 1), (10, 0.5, 0.2)])])
    chart.logX = true
    func lowestBandPoint(_ svg: String) -> Double {
      let band = svg.components(separatedBy: "class=\"ci-band\" points=\"")[1].prefix { $0 != "\"" }
      return band.split(separator: " ").map { Double($0.split(separator: ",")[1])! }.max()!
    }
    let plain = chart.svg()
    chart.nonNegative = true
    let clamped = chart.svg()
    // The plot area ends at y = height − 60 = 400 (the x axis, here y = 0).
    #expect(lowestBandPoint(clamped) <= 400.0)
    #expect(!clamped.contains(">-0.5<"))
    #expect(plain.contains(">-0.5<") || plain.contains(">-1<"))
  }
}
