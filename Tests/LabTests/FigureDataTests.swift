// What the figures draw is what the CSVs say: a small study on synthetic:tiny, its figures'
// polylines, markers, whiskers and CI bands read back into data units through each panel's
// own tick marks, and compared with summary.csv row by row — within the SVG's rounding to
// 0.1 px. Also: s* with R = 0 is drawn (in the zero row), small multiples share their axes,
// the top axis names each size's number of playlists, accuracy has a relative axis, and the
// Gini change is paired by fold.
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
  static func matches(_ pattern: String, in text: String) -> [[String]] {
    let re = try! NSRegularExpression(pattern: pattern)
    let ns = text as NSString
    return re.matches(in: text, range: NSRange(location: 0, length: ns.length)).map { m in
      (1..<m.numberOfRanges).map { ns.substring(with: m.range(at: $0)) }
    }
  }

  func matches(_ pattern: String, in text: String) -> [[String]] {
    Self.matches(pattern, in: text)
  }

  /// "x,y x,y …" as pixel pairs.
  func pairs(_ points: String) -> [(x: Double, y: Double)] {
    points.split(separator: " ").map { p in
      let xy = p.split(separator: ",")
      return (Double(xy[0])!, Double(xy[1])!)
    }
  }

  /// The panels of a small-multiple figure: the SVG of each `<g transform=…>` group.
  func panels(_ svg: String) -> [String] {
    Array(svg.components(separatedBy: "<g transform=\"translate(").dropFirst())
  }

  /// One panel's axes, from its grid lines and their labels: pixel ↔ data in both directions
  /// (log10 units on a log axis), with the tolerance that 0.1 px rounding allows.
  struct Axes {
    var y: [(v: Double, px: Double)]
    var x: [(v: Double, px: Double)]
    var logX: Bool
    var logY: Bool

    init(_ svg: String, logX: Bool, logY: Bool) {
      self.logX = logX
      self.logY = logY
      // y grid lines (#e5e5e5) with their labels at x = 72 (left − 8), in drawing order.
      let yGrid = FigureDataTests.matches(
        ##"<line x1="80\.0" y1="([-0-9.]+)" x2="[-0-9.]+" y2="[-0-9.]+" stroke="#e5e5e5""##,
        in: svg)
      let yLabels = FigureDataTests.matches(
        #"<text x="72\.0" y="[-0-9.]+"[^>]*>([^<]+)</text>"#, in: svg)
      // x grid lines (#f0f0f0) from the frame's top to its bottom; labels 18 px under it.
      let xGrid = FigureDataTests.matches(
        ##"<line x1="([-0-9.]+)" y1="[-0-9.]+" x2="[-0-9.]+" y2="([-0-9.]+)" stroke="#f0f0f0""##,
        in: svg)
      let bottom = xGrid.first.map { Double($0[1])! } ?? 0
      let xLabels = FigureDataTests.matches(
        #"<text x="[-0-9.]+" y="\#(String(format: "%.1f", bottom + 18))"[^>]*>([^<]+)</text>"#,
        in: svg)
      // A zero row adds one label ("0") and one grid line under the log part: keep them apart.
      var ys = zip(yGrid, yLabels).map { (v: Double($1[0])!, px: Double($0[0])!) }
      if logY { ys = ys.filter { $0.v > 0 }.map { (v: log10($0.v), px: $0.px) } }
      y = ys
      x = zip(xGrid, xLabels).map { (v: Double($1[0])!, px: Double($0[0])!) }.map {
        (v: logX ? log10($0.v) : $0.v, px: $0.px)
      }
    }

    func invert(_ p: Double, _ t: [(v: Double, px: Double)]) -> Double {
      let (a, b) = (t.first!, t.last!)
      return a.v + (p - a.px) * (b.v - a.v) / (b.px - a.px)
    }
    func dataY(_ p: Double) -> Double { logY ? pow(10, invert(p, y)) : invert(p, y) }
    func dataX(_ p: Double) -> Double { logX ? pow(10, invert(p, x)) : invert(p, x) }
    /// 0.15 px (rounding of the point and of the ticks), in axis units.
    var yTolerance: Double { 0.15 * abs((y.last!.v - y.first!.v) / (y.last!.px - y.first!.px)) }
    var xTolerance: Double { 0.15 * abs((x.last!.v - x.first!.v) / (x.last!.px - x.first!.px)) }
    /// Whether pixel `p` shows value `v` (compared in log units on a log axis).
    func showsY(_ p: Double, _ v: Double) -> Bool {
      logY ? abs(invert(p, y) - log10(v)) <= yTolerance : abs(invert(p, y) - v) <= yTolerance
    }
    func showsX(_ p: Double, _ v: Double) -> Bool {
      logX ? abs(invert(p, x) - log10(v)) <= xTolerance : abs(invert(p, x) - v) <= xTolerance
    }
  }

  /// summary.csv's rows as name → number (NaN when empty), split plainly: no field of these
  /// studies needs quoting.
  func summary(_ folder: String) throws -> [[String: Double]] {
    let lines = try String(contentsOfFile: folder + "/summary.csv", encoding: .utf8)
      .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    let header = lines[0].map(String.init)
    return lines.dropFirst().map { row in
      var r: [String: Double] = [:]
      for (h, cell) in zip(header, row) { r[h] = Double(cell) ?? .nan }
      return r
    }
  }

  func strategies(_ folder: String) throws -> [String] {
    let lines = try String(contentsOfFile: folder + "/summary.csv", encoding: .utf8)
      .split(separator: "\n").map { $0.split(separator: ",", omittingEmptySubsequences: false) }
    return lines.dropFirst().map { String($0[0]) }
  }

  /// A small study on synthetic:tiny (three strategies, three sizes, two folds) and its report.
  func study(
    _ dir: TemporaryDirectory,
    sizes: [CollectiveSize] = [.alpha(0.03), .alpha(0.06), .alpha(0.12)],
    statistics: [EstimateSource] = [.full]
  ) throws -> String {
    var s = ExperimentSpec()
    s.name = "figure-data"
    s.dataset = "synthetic:tiny"
    s.split = SplitConfig(testSize: 40, folds: 2, seed: 3)
    s.strategies = [.dirLoF, .random, .inClust]
    s.sizes = sizes
    s.statistics = statistics
    s.k = 30
    let folder = dir.file("out")
    try runQuietly(s, in: folder)
    try StudyReport.write(folder: folder)
    return folder
  }

  func figure(_ folder: String, _ name: String) throws -> String {
    try String(contentsOfFile: folder + "/figures/\(name).svg", encoding: .utf8)
  }

  /// One panel per strategy; each panel's line, markers and CI band are its strategy's rows
  /// of summary.csv, the other strategies are grey context lines, every panel has the same y
  /// axis, and the top axis gives each measured α's number of playlists B.
  @Test func amplificationPanelsDrawSummaryNumbers() throws {
    let dir = TemporaryDirectory()
    let folder = try study(dir)
    let svg = try figure(folder, "amplification")
    let rows = try summary(folder)
    let names = try strategies(folder)
    var expected: [String: [(x: Double, y: Double, ci: Double)]] = [:]
    for (name, row) in zip(names, rows) {
      // x is α in percent of the training playlists.
      expected[name, default: []].append(
        (
          row["size"]! * 100, row["amplification"]!,
          row["amplification_ci"].map { $0.isNaN ? 0 : $0 }!
        ))
    }
    #expect(expected.keys.sorted() == ["dirlof", "inclust", "random"])
    let parts = panels(svg)
    #expect(parts.count == 3)
    var yAxes: [[String]] = []
    for part in parts {
      let axes = Axes(part, logX: true, logY: false)
      #expect(axes.y.count >= 2 && axes.x.count >= 2)
      yAxes.append(
        matches(#"<text x="72\.0" y="([-0-9.]+)"[^>]*>([^<]+)</text>"#, in: part).map {
          $0.joined(separator: "@")
        })
      // The reference line is drawn at amplification 1.
      let reference = matches(#"<line class="reference" x1="[-0-9.]+" y1="([-0-9.]+)""#, in: part)
      #expect(reference.count == 1)
      #expect(axes.showsY(Double(reference[0][0])!, 1))
      // One coloured series: the panel's strategy; the two others as context lines.
      let lines = matches(
        #"<polyline class="series" data-name="([^"]+)" points="([^"]+)""#, in: part)
      let context = matches(#"<polyline class="context" data-name="([^"]+)""#, in: part)
      #expect(lines.count == 1)
      let name = lines[0][0]
      #expect(Set(context.map { $0[0] }) == Set(expected.keys).subtracting([name]))
      let want = expected[name]!.sorted { $0.x < $1.x }
      let drawn = pairs(lines[0][1])
      #expect(drawn.count == want.count, "\(name)")
      for (p, w) in zip(drawn, want) {
        #expect(axes.showsX(p.x, w.x), "\(name) x \(w.x)")
        #expect(axes.showsY(p.y, w.y), "\(name) y at \(w.x): \(w.y)")
      }
      // The CI band: upper edge y + ci left to right, then lower edge max(0, y − ci) back.
      let bands = matches(#"<polygon class="ci-band" points="([^"]+)""#, in: part)
      if want.contains(where: { $0.ci > 0 }) {
        #expect(bands.count == 1)
        let band = pairs(bands[0][0])
        #expect(band.count == 2 * want.count)
        for (i, w) in want.enumerated() {
          #expect(axes.showsY(band[i].y, w.y + w.ci), "\(name) upper at \(w.x)")
          #expect(axes.showsY(band[band.count - 1 - i].y, max(0, w.y - w.ci)), "\(name) lower")
        }
      }
      // The markers sit on the line: one circle per point, at the polyline's pixels.
      let circles = matches(#"<circle cx="([-0-9.]+)" cy="([-0-9.]+)" r="3\.2""#, in: part)
      #expect(
        circles.map { "\(Double($0[0])!),\(Double($0[1])!)" } == drawn.map { "\($0.x),\($0.y)" })
      // Top axis: at each measured α, its B from summary.csv, at the α's pixel.
      let top = matches(
        #"<line class="top-tick" x1="([-0-9.]+)"[^>]*/>\n<text x="[-0-9.]+" y="[-0-9.]+"[^>]*>([^<]+)</text>"#,
        in: part)
      #expect(top.count == want.count)
      for (t, w) in zip(top, want) {
        #expect(axes.showsX(Double(t[0])!, w.x))
        let budget = rows.first { $0["size"]! * 100 == w.x }!["budget"]!
        #expect(Double(t[1]) == budget.rounded())
      }
    }
    // Shared y axis: the same tick labels at the same pixels in every panel.
    #expect(Set(yAxes.map { $0.joined(separator: "|") }).count == 1)
  }

  /// The scatter draws one s* marker per summary row — those with R = 0 too, in the zero row
  /// under the log axis, where whiskers whose CI reaches 0 also end — on axes shared by all
  /// panels.
  @Test func scatterDrawsEverySizeIncludingZero() throws {
    let dir = TemporaryDirectory()
    let folder = try study(dir, sizes: [.budget(1), .budget(2), .budget(4), .budget(40)])
    let svg = try figure(folder, "frequency-scatter")
    let rows = try summary(folder)
    let names = try strategies(folder)
    #expect(rows.contains { $0["recommendations"] == 0 }, "the study has an s* with R = 0")
    let parts = panels(svg)
    #expect(parts.count == 3)
    var axisLabels: Set<String> = []
    var zeros = 0
    for part in parts {
      let axes = Axes(part, logX: true, logY: true)
      axisLabels.insert(
        matches(#"<text x="72\.0" y="([-0-9.]+)"[^>]*>([^<]+)</text>"#, in: part).map {
          $0.joined(separator: "@")
        }.joined(separator: "|"))
      // The zero row: its label "0" gives its pixel.
      let zeroRow = try #require(
        matches(#"<text x="72\.0" y="([-0-9.]+)"[^>]*>0</text>"#, in: part).first.map {
          Double($0[0])! - 4
        })
      let name = try #require(matches(#"data-name="s\* – ([^"]+)""#, in: part).first?[0])
      let want = zip(names, rows).filter { $0.0 == name }.map { $0.1 }.sorted {
        $0["budget"]! < $1["budget"]!
      }
      let markers = matches(
        #"<circle class="highlight" cx="([-0-9.]+)" cy="([-0-9.]+)""#, in: part)
      #expect(markers.count == want.count, "\(name): one marker per size")
      for (m, w) in zip(markers, want) {
        let (x, y) = (Double(m[0])!, Double(m[1])!)
        #expect(axes.showsX(x, w["budget"]!), "\(name) x")
        let r = w["recommendations"]!
        if r == 0 {
          #expect(abs(y - zeroRow) < 0.11, "\(name): R = 0 drawn in the zero row")
          zeros += 1
        } else {
          #expect(axes.showsY(y, r), "\(name) R at B = \(w["budget"]!)")
        }
        // A whisker whose CI reaches 0 ends in the zero row, not at the axis floor.
        let ci = w["recommendations_ci"]!
        if ci > 0 && r - ci <= 0 {
          let whisker = matches(
            #"<line x1="\#(m[0])" y1="([-0-9.]+)" x2="\#(m[0])" y2="([-0-9.]+)""#, in: part)
          #expect(whisker.contains { abs(Double($0[0])! - zeroRow) < 0.11 }, "\(name) whisker")
        }
      }
    }
    #expect(zeros == rows.filter { $0["recommendations"] == 0 }.count)
    #expect(axisLabels.count == 1, "every panel has the same y axis")
  }

  /// Externality panels share one y range; accuracy panels have a right axis in percent of
  /// the clean value, whose ticks sit where the left axis says value = tick × clean / 100;
  /// the measured row is zoomed to the measured CIs, not to the bounds.
  @Test func sharedRangesAndRelativeAccuracyAxis() throws {
    let dir = TemporaryDirectory()
    let folder = try study(dir)
    let ext = panels(try figure(folder, "externalities"))
    #expect(ext.count == 3)
    let extAxes = Set(
      ext.map { part in
        matches(#"<text x="72\.0" y="([-0-9.]+)"[^>]*>([^<]+)</text>"#, in: part).map {
          $0.joined(separator: "@")
        }.joined(separator: "|")
      })
    #expect(extAxes.count == 1)
    let rows = try summary(folder)
    let acc = panels(try figure(folder, "accuracy-loss"))
    #expect(acc.count == 6)
    let clean = rows.map { $0["ndcg_clean"]! }.reduce(0, +) / Double(rows.count)
    for (i, part) in acc.enumerated() where i % 3 == 0 {
      let axes = Axes(part, logX: true, logY: false)
      let right = matches(
        #"<line class="right-tick" x1="[-0-9.]+" y1="([-0-9.]+)"[^>]*/>\n<text[^>]*>([^<]+)</text>"#,
        in: part)
      #expect(right.count >= 2, "a relative axis")
      for t in right {
        let percent = Double(t[1])!
        let v = axes.dataY(Double(t[0])!)
        #expect(abs(v - percent * clean / 100) <= axes.yTolerance * 1.01 + 1e-12)
      }
      // NDCG: the measured panel (top) spans the measured values and CIs; the bounds panel
      // (bottom) spans the bounds.
      let measured = rows.flatMap {
        [$0["ndcg_loss"]! - $0["ndcg_loss_ci"]!, $0["ndcg_loss"]! + $0["ndcg_loss_ci"]!]
      }
      let bounds = rows.flatMap { [$0["ndcg_loss_adversarial"]!, $0["ndcg_loss_optimistic"]!] }
      let span = axes.y.map(\.v)
      let wanted = i == 0 ? measured : measured + bounds
      #expect(span.min()! <= wanted.min()! + axes.yTolerance)
      #expect(span.max()! >= wanted.max()! - axes.yTolerance)
      if i == 0 {
        #expect(!part.contains("stroke-dasharray=\"7 4\""), "no bounds in the measured row")
      }
    }
  }

  /// The partial-information ratio: each marker is 100 · sampled / full amplification and its
  /// whisker ± the CI combined from both CIs.
  @Test func partialInformationRatiosHaveIntervals() throws {
    let dir = TemporaryDirectory()
    let folder = try study(
      dir, sizes: [.alpha(0.06), .alpha(0.12)], statistics: [.full, .sample(fraction: 0.1)])
    let svg = try figure(folder, "partial-information")
    let rows = try summary(folder)
    let lines = try String(contentsOfFile: folder + "/summary.csv", encoding: .utf8)
      .split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
    let axes = Axes(svg, logX: true, logY: false)
    var checked = 0
    for (i, row) in rows.enumerated() where lines[i][1] != "full" {
      let full = zip(lines, rows).first {
        $0.0[0] == lines[i][0] && $0.0[1] == "full" && $0.1["size"] == row["size"]
      }!.1
      let (f, fci) = (full["amplification"]!, full["amplification_ci"]!)
      guard f > 0 else { continue }
      let (v, vci) = (row["amplification"]!, row["amplification_ci"]!)
      let ratio = 100 * v / f
      let ci = 100 * (vci * vci + (v / f) * (v / f) * fci * fci).squareRoot() / f
      let name = "\(lines[i][0]) (own + 10% sample)"
      let whiskers = matches(
        #"<line class="whisker" data-name="\#(NSRegularExpression.escapedPattern(for: name))" x1="[-0-9.]+" y1="([-0-9.]+)" x2="[-0-9.]+" y2="([-0-9.]+)""#,
        in: svg)
      let hit = whiskers.contains {
        axes.showsY(Double($0[1])!, ratio + ci) && axes.showsY(Double($0[0])!, max(0, ratio - ci))
      }
      if ci > 0 {
        #expect(hit, "\(name) at \(row["size"]!): \(ratio) ± \(ci)")
        checked += 1
      }
    }
    #expect(checked > 0)
  }

  /// The concentration figure's left panel: for each strategy and size, the mean over folds
  /// of the Gini coefficient with the collective minus the clean one of the same fold, both
  /// from lorenz.csv — markers in x order, whiskers ± 1.96 · SE of the paired differences.
  @Test func giniChangeIsPairedByFold() throws {
    let dir = TemporaryDirectory()
    let folder = try study(dir)
    let t = try CSVTable.read(path: folder + "/lorenz.csv")
    func col(_ name: String) -> Int { t.column(name)! }
    var clean: [Double: Double] = [:]
    var with: [String: [Double: [Double: Double]]] = [:]  // strategy → size → fold → gini
    for r in t.rows {
      let (fold, gini) = (r[col("fold")].double!, r[col("gini")].double!)
      if r[col("series")].string == "clean" { clean[fold] = gini }
      if r[col("series")].string == "with" {
        with[r[col("strategy")].string, default: [:]][r[col("size")].double!, default: [:]][
          fold] = gini
      }
    }
    let part = try #require(panels(try figure(folder, "concentration")).first)
    let axes = Axes(part, logX: true, logY: false)
    for (strategy, bySize) in with {
      let markers = matches(
        #"<polyline class="series" data-name="\#(strategy)" points="([^"]+)""#, in: part)
      let drawn = pairs(try #require(markers.first?[0]))
      let sizes = bySize.keys.sorted()
      #expect(drawn.count == sizes.count)
      let whiskers = matches(
        #"<line class="whisker" data-name="\#(strategy)" x1="[-0-9.]+" y1="([-0-9.]+)" x2="[-0-9.]+" y2="([-0-9.]+)""#,
        in: part)
      for (p, size) in zip(drawn, sizes) {
        let d = bySize[size]!.map { $0.value - clean[$0.key]! }
        let mean = d.reduce(0, +) / Double(d.count)
        #expect(axes.showsY(p.y, mean), "\(strategy) at \(size)")
        let sd = (d.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(d.count - 1))
          .squareRoot()
        let ci = 1.96 * sd / Double(d.count).squareRoot()
        if ci > 0 {
          #expect(
            whiskers.contains {
              axes.showsY(Double($0[1])!, mean + ci) && axes.showsY(Double($0[0])!, mean - ci)
            }, "\(strategy) CI at \(size)")
        }
      }
    }
  }
}
