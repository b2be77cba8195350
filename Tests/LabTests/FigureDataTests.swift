// What the amplification figure draws is what summary.csv says: a small study on
// synthetic:tiny, its figure's polylines, markers and CI bands read back into data units
// through the axes' own tick marks (log x, linear y), and compared with summary.csv row by
// row — within the SVG's rounding to 0.1 px, converted to data units.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Foundation
import Lab
import PlaylistData
import Reports
import Testing

@Suite struct FigureDataTests {
  /// Every match of `pattern` in `text`, as its capture groups.
  func matches(_ pattern: String, in text: String) -> [[String]] {
    let re = try! NSRegularExpression(pattern: pattern)
    let ns = text as NSString
    return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
      (1..<m.numberOfRanges).map { ns.substring(with: m.range(at: $0)) }
    }
  }

  /// "x,y x,y …" as pixel pairs.
  func pairs(_ points: String) -> [(x: Double, y: Double)] {
    points.split(separator: " ").map { p in
      let xy = p.split(separator: ",")
      return (Double(xy[0])!, Double(xy[1])!)
    }
  }

  /// The data value at pixel `p` on an axis through two ticks (value a at pixel pa, value b
  /// at pixel pb), in log10 units for a log axis.
  func invert(_ p: Double, _ a: (v: Double, px: Double), _ b: (v: Double, px: Double)) -> Double {
    a.v + (p - a.px) * (b.v - a.v) / (b.px - a.px)
  }

  @Test func amplificationFigureDrawsSummaryNumbers() throws {
    let dir = TemporaryDirectory()
    var s = ExperimentSpec()
    s.name = "figure-data"
    s.dataset = "synthetic:tiny"
    s.split = SplitConfig(testSize: 40, folds: 2, seed: 3)
    s.strategies = [.dirLoF, .random, .inClust]
    s.sizes = [.alpha(0.03), .alpha(0.06), .alpha(0.12)]
    s.k = 30
    var o = RunOptions()
    o.showProgress = false
    let folder = dir.file("out")
    try ExperimentRunner(spec: s, folder: folder, options: o).run()
    try StudyReport.write(folder: folder)
    let svg = try String(contentsOfFile: folder + "/figures/amplification.svg", encoding: .utf8)

    // summary.csv, split plainly (no field of this study needs quoting).
    let lines = try String(contentsOfFile: folder + "/summary.csv", encoding: .utf8)
      .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    let header = lines[0].map(String.init)
    func column(_ name: String) -> Int { header.firstIndex(of: name)! }
    let (cStrategy, cSize, cKind) = (column("strategy"), column("size"), column("size_kind"))
    let (cAmp, cCI) = (column("amplification"), column("amplification_ci"))
    var expected: [String: [(x: Double, y: Double, ci: Double)]] = [:]
    for row in lines.dropFirst() {
      #expect(row[cKind] == "alpha")
      // x is α in percent of the training playlists.
      expected[String(row[cStrategy]), default: []].append(
        (Double(row[cSize])! * 100, Double(row[cAmp]) ?? .nan, Double(row[cCI]) ?? 0))
    }
    #expect(expected.keys.sorted() == ["dirlof", "inclust", "random"])

    // Axis calibration: y grid lines (#e5e5e5) with their labels at x = 72 (left − 8), and
    // x grid lines (#f0f0f0) with their labels under the plot, in drawing order.
    let yGrid = matches(
      ##"<line x1="80\.0" y1="([-0-9.]+)" x2="[-0-9.]+" y2="[-0-9.]+" stroke="#e5e5e5""##, in: svg)
    let yLabels = matches(#"<text x="72\.0" y="[-0-9.]+"[^>]*>([^<]+)</text>"#, in: svg)
    let xGrid = matches(
      ##"<line x1="([-0-9.]+)" y1="50\.0" x2="[-0-9.]+" y2="[-0-9.]+" stroke="#f0f0f0""##, in: svg)
    let xLabels = matches(#"<text x="[-0-9.]+" y="418\.0"[^>]*>([^<]+)</text>"#, in: svg)
    #expect(yGrid.count == yLabels.count && yGrid.count >= 2)
    #expect(xGrid.count == xLabels.count && xGrid.count >= 2)
    let yTicks = zip(yGrid, yLabels).map { (v: Double($1[0])!, px: Double($0[0])!) }
    let xTicks = zip(xGrid, xLabels).map { (v: log10(Double($1[0])!), px: Double($0[0])!) }
    let (ya, yb) = (yTicks.first!, yTicks.last!)
    let (xa, xb) = (xTicks.first!, xTicks.last!)
    // Rounding to 0.1 px in the point and in the ticks: at most 0.15 px, in data units.
    let yTolerance = 0.15 * abs((yb.v - ya.v) / (yb.px - ya.px))
    let xTolerance = 0.15 * abs((xb.v - xa.v) / (xb.px - xa.px))
    func dataY(_ p: Double) -> Double { invert(p, ya, yb) }
    func dataX(_ p: Double) -> Double { pow(10, invert(p, xa, xb)) }
    func close(_ a: Double, _ b: Double, _ tolerance: Double) -> Bool {
      abs(a - b) <= tolerance
    }

    // The reference line is drawn at amplification 1.
    let reference = matches(#"<line class="reference" x1="[-0-9.]+" y1="([-0-9.]+)""#, in: svg)
    #expect(reference.count == 1)
    #expect(close(dataY(Double(reference[0][0])!), 1, yTolerance))

    // Series: one polyline each, its points = summary rows in x order; each preceded by its
    // CI band (upper edge y + ci left to right, then lower edge max(0, y − ci) back).
    let polylines = matches(
      #"<polyline class="series" data-name="([^"]+)" points="([^"]+)""#, in: svg)
    let bands = matches(#"<polygon class="ci-band" points="([^"]+)""#, in: svg)
    #expect(polylines.map { $0[0] }.sorted() == expected.keys.sorted())
    var bandIndex = 0
    for line in polylines {
      let want = expected[line[0]]!.sorted { $0.x < $1.x }
      let drawn = pairs(line[1])
      #expect(drawn.count == want.count, "\(line[0])")
      for (p, w) in zip(drawn, want) {
        // log10 tolerance on x: compare exponents.
        #expect(close(log10(dataX(p.x)), log10(w.x), xTolerance), "\(line[0]) x \(w.x)")
        #expect(close(dataY(p.y), w.y, yTolerance), "\(line[0]) y at \(w.x): \(w.y)")
      }
      guard want.contains(where: { $0.ci > 0 }) else { continue }
      let band = pairs(bands[bandIndex][0])
      bandIndex += 1
      #expect(band.count == 2 * want.count)
      for (i, w) in want.enumerated() {
        #expect(close(dataY(band[i].y), w.y + w.ci, yTolerance), "\(line[0]) upper at \(w.x)")
        let lower = band[band.count - 1 - i]
        #expect(close(dataY(lower.y), max(0, w.y - w.ci), yTolerance), "\(line[0]) lower")
      }
    }
    #expect(bandIndex == bands.count)
    // The markers sit on the lines: one circle per point, at the polyline's pixels.
    let circles = matches(#"<circle cx="([-0-9.]+)" cy="([-0-9.]+)" r="3\.2""#, in: svg)
    let linePixels = polylines.flatMap { pairs($0[1]) }.map { "\($0.x),\($0.y)" }
    #expect(circles.map { "\(Double($0[0])!),\(Double($0[1])!)" } == linePixels)
  }
}
