// Hand-written SVG charts: lines, dashed bounds, scatter points, highlighted markers and
// dodged error bars, with optional log axes, an explicit zero row under a log y axis, 95% CI
// bands, reference lines with haloed labels, a secondary top x axis and right y axis, a legend
// and a colour-blind-safe palette (Okabe & Ito 2008). Self-contained SVG: no scripts, no
// external fonts. `PanelFigure` lays several charts out as small multiples under one title.
import Foundation

/// Where along a horizontal reference line its label sits.
enum ReferencePlace { case left, right, middle }

/// How a series is drawn.
public enum SeriesStyle: String, Sendable {
  /// Solid line with small markers (the default).
  case line
  /// Dashed line, no markers (bounds, secondary quantities).
  case dashed
  /// Dotted line, no markers.
  case dotted
  /// Small semi-transparent dots, no line (a scatter cloud).
  case points
  /// Large outlined markers joined by a thin line (the highlighted song s*).
  case highlight
  /// Vertical bars from the x axis (histograms); x values are bar centres.
  case bars
  /// A thin grey line, no markers, no band, no legend entry: the other series of a small
  /// multiple, drawn behind for context.
  case context
  /// Markers with vertical 95% CI whiskers joined by a thin line (unless the series'
  /// `joined` is off), shifted sideways by the series' `dodge` so that series sharing x values
  /// do not hide each other.
  case errorBars
}

/// One series of a chart.
public struct ChartSeries: Sendable {
  public var name: String
  /// (x, y, CI half-width) points, drawn in x order; NaN y values are skipped.
  public var points: [(x: Double, y: Double, ci: Double)]
  public var style = SeriesStyle.line
  /// Palette index; nil takes the series' position among the chart's coloured series.
  public var colour: Int? = nil
  /// Whether the series gets a legend entry.
  public var inLegend = true
  /// An explicit band (x, lower, upper) drawn instead of the CI band.
  public var band: [(x: Double, lower: Double, upper: Double)]? = nil
  /// Horizontal shift in pixels (for `.errorBars` and `.points`), so coincident points stay
  /// visible.
  public var dodge = 0.0
  /// Whether `.errorBars` markers are joined by a thin line. Off where x is a category (the
  /// numbered settings of the interference figure): a line would suggest an order or a trend
  /// between settings that have none.
  public var joined = true
  /// Horizontal whiskers for `.errorBars`: (x, y, half-width) of a point whose x is itself an
  /// estimate (the defence frontier's accuracy lost). Not part of the x range: a chart that
  /// draws them sets `xRange` to cover them.
  public var xWhiskers: [(x: Double, y: Double, half: Double)] = []

  public init(
    name: String, points: [(x: Double, y: Double, ci: Double)], style: SeriesStyle = .line,
    colour: Int? = nil
  ) {
    self.name = name
    self.points = points
    self.style = style
    self.colour = colour
  }
}

/// A chart rendered to SVG.
public struct LineChart: Sendable {
  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var series: [ChartSeries]
  public var logX = false
  public var logY = false
  /// Fixed axis ranges (data units); nil fits the data.
  public var xRange: ClosedRange<Double>? = nil
  public var yRange: ClosedRange<Double>? = nil
  /// Explicit x tick positions (data units) instead of round values, e.g. one per numbered
  /// category; nil chooses round ticks for the range.
  public var xTicks: [Double]? = nil
  /// Whether the y axis must include 0 (linear axes only).
  public var yIncludesZero = true
  /// For quantities that cannot be negative (amplification, counts): CI bands and error bars
  /// stop at 0 instead of showing impossible values.
  public var nonNegative = false
  /// A dashed horizontal reference line (e.g. amplification = 1) and its label. The label is
  /// drawn last, with a white halo, at the end of the line farther from the data.
  public var referenceY: (value: Double, label: String)? = nil
  /// Under a log y axis: a separate row at the bottom for y = 0 (e.g. a song recommended to
  /// nobody), where such points and whiskers whose CI reaches 0 are drawn instead of being
  /// dropped or running to the axis floor.
  public var zeroRow = false
  /// A secondary x axis along the top: labels at given x positions (e.g. the number of
  /// playlists B for each collective share α) and the axis' name.
  public var topAxis: (label: String, ticks: [(x: Double, label: String)])? = nil
  /// A secondary y axis on the right: the same positions in another unit, value × scale
  /// (e.g. the change as a percentage of the clean value), and the axis' name.
  public var rightAxis: (label: String, scale: Double)? = nil
  /// A dashed y = x line (e.g. perfect equality in a Lorenz plot) and its label.
  public var diagonal: String? = nil
  /// A solid vertical reference line (e.g. a coefficient of 0) and its label at the top.
  public var referenceX: (value: Double, label: String)? = nil
  /// Named rows instead of numeric y ticks (e.g. one row per predictor at y = 1, 2, …): a grid
  /// line and the name at each position. Set `yRange` to cover them.
  public var yCategories: [(y: Double, label: String)]? = nil
  /// Lines of text centred in the plot (e.g. why a panel has no data).
  public var message: [String] = []
  /// Left margin, where the y labels sit.
  public var leftWidth = 80.0
  /// Extra lines under the legend (e.g. a key to line styles).
  public var legendNotes: [String] = []
  public var width = 760.0
  public var height = 460.0
  /// Right margin, where the legend sits.
  public var legendWidth = 190.0

  /// Okabe–Ito colours, distinguishable with the common colour-vision deficiencies, then two
  /// of Paul Tol's (wine, olive), so that up to ten series (e.g. nine defences and none on a
  /// frontier) get distinct colours before the palette repeats.
  public static let palette = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
    "#882255", "#999933",
  ]
  /// Grey for background clouds.
  public static let grey = "#9a9a9a"
  /// Height of the zero row under a log y axis, in pixels.
  static let zeroRowHeight = 36.0
  /// Extra top margin for a secondary top axis, in pixels.
  static let topAxisHeight = 34.0
  /// Extra right margin for a secondary right axis, in pixels.
  static let rightAxisWidth = 70.0

  public init(title: String, xLabel: String, yLabel: String, series: [ChartSeries]) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
  }

  /// The chart as an SVG document.
  public func svg() -> String {
    SVG.header(width: width, height: height) + body() + "</svg>\n"
  }

  /// The chart's elements (no document header), in a width × height box at the origin.
  func body() -> String {
    let left = leftWidth
    let right = legendWidth + (rightAxis == nil ? 0 : Self.rightAxisWidth)
    let top = 50.0 + (topAxis == nil ? 0 : Self.topAxisHeight)
    let bottom = 60.0
    let plotW = width - left - right
    let plotH = height - top - bottom
    // Dodged markers stay inside the frame: the x mapping is inset by the largest shift.
    let dodged = series.filter { $0.style == .errorBars }.map { abs($0.dodge) }.max() ?? 0
    let inset = dodged > 0 ? dodged + 5 : 0
    let zeroRow = self.zeroRow && logY
    // Under a log axis with a zero row, the log part ends above the row.
    let logH = zeroRow ? plotH - Self.zeroRowHeight : plotH
    let zeroY = top + plotH - 12
    func usable(_ x: Double, _ y: Double) -> Bool {
      y.isFinite && x.isFinite && (!logX || x > 0) && (!logY || y > 0 || (zeroRow && y == 0))
    }
    let pts = series.flatMap { $0.points }.filter { usable($0.x, $0.y) }
    let tx: (Double) -> Double = { logX ? log10($0) : $0 }
    let ty: (Double) -> Double = { logY ? log10($0) : $0 }
    var xs = pts.map { tx($0.x) }
    var ys: [Double] = []
    for p in pts {
      let ci = p.ci.isFinite ? p.ci : 0
      if !logY || p.y > 0 { ys.append(ty(p.y)) }
      if ci > 0 {
        if !logY || p.y + ci > 0 { ys.append(ty(p.y + ci)) }
        if !logY || p.y - ci > 0 { ys.append(ty(nonNegative ? max(0, p.y - ci) : p.y - ci)) }
      }
    }
    for s in series {
      for b in s.band ?? [] where usable(b.x, b.upper) {
        xs.append(tx(b.x))
        ys.append(ty(b.upper))
        if !logY || b.lower > 0 { ys.append(ty(b.lower)) }
      }
    }
    if let r = referenceY, !logY || r.value > 0 { ys.append(ty(r.value)) }
    if xs.isEmpty { xs = [0, 1] }
    if ys.isEmpty { ys = [0, 1] }
    var (x0, x1) = (xs.min()!, xs.max()!)
    if let r = xRange { (x0, x1) = (tx(r.lowerBound), tx(r.upperBound)) }
    if x0 == x1 {
      x0 -= 0.5
      x1 += 0.5
    }
    if xRange == nil, let gap = barGap() {
      // Bars are centred on their x: leave half a gap on both sides.
      x0 -= gap / 2
      x1 += gap / 2
    }
    var (y0, y1) = (ys.min()!, ys.max()!)
    if !logY && yIncludesZero { y0 = min(0, y0) }
    if let r = yRange { (y0, y1) = (ty(r.lowerBound), ty(r.upperBound)) }
    if y0 == y1 { y1 = y0 + 1 }
    let yTicks: [Double]
    if logY {
      y0 = floor(y0 * 2) / 2
      y1 = ceil(y1 * 2) / 2
      if y0 == y1 { y1 += 0.5 }
      yTicks = Axis.logTicks(y0, y1).map { log10($0) }
    } else {
      yTicks = Axis.niceTicks(y0, y1)
      if yRange == nil {
        y0 = min(y0, yTicks.first!)
        y1 = max(y1, yTicks.last!)
      }
    }
    func px(_ x: Double) -> Double { left + inset + (tx(x) - x0) / (x1 - x0) * (plotW - 2 * inset) }
    func py(_ y: Double) -> Double {
      if zeroRow && y <= 0 { return zeroY }
      let v = logY ? log10(max(y, 1e-300)) : y
      return top + (1 - (min(max(v, y0), y1) - y0) / (y1 - y0)) * logH
    }
    var out = SVG.text(
      title, x: left + plotW / 2, y: 28, size: 16, anchor: "middle", weight: "bold")
    // Grid and ticks.
    if let categories = yCategories {
      for c in categories where c.y >= y0 - 1e-9 && c.y <= y1 + 1e-9 {
        let y = py(c.y)
        out += SVG.line(left, y, left + plotW, y, stroke: "#e5e5e5")
        out += SVG.text(c.label, x: left - 8, y: y + 4, size: 12, anchor: "end")
      }
    } else {
      for t in yTicks where t >= y0 - 1e-9 && t <= y1 + 1e-9 {
        let y = top + (1 - (t - y0) / (y1 - y0)) * logH
        out += SVG.line(left, y, left + plotW, y, stroke: "#e5e5e5")
        out += SVG.text(
          Axis.format(logY ? pow(10, t) : t), x: left - 8, y: y + 4, size: 12, anchor: "end")
      }
    }
    if zeroRow {
      // The zero row: its own grid line and label, under a break in the axis.
      out += SVG.line(left, zeroY, left + plotW, zeroY, stroke: "#e5e5e5")
      out += SVG.text("0", x: left - 8, y: zeroY + 4, size: 12, anchor: "end")
      let breakY = top + logH + 8
      out +=
        "<line class=\"axis-break\" x1=\"\(SVG.n(left))\" y1=\"\(SVG.n(breakY))\" x2=\"\(SVG.n(left + plotW))\" y2=\"\(SVG.n(breakY))\" stroke=\"#bbb\" stroke-dasharray=\"2 3\"/>\n"
    }
    let xTickValues = xTicks ?? (logX ? Axis.logTicks(x0, x1) : Axis.niceTicks(x0, x1))
    for t in xTickValues {
      let x = px(t)
      guard x >= left - 0.5 && x <= left + plotW + 0.5 else { continue }
      out += SVG.line(x, top, x, top + plotH, stroke: "#f0f0f0")
      out += SVG.text(Axis.format(t), x: x, y: top + plotH + 18, size: 12, anchor: "middle")
    }
    out += SVG.rect(left, top, plotW, plotH, stroke: "#333", fill: "none")
    out += SVG.text(xLabel, x: left + plotW / 2, y: height - 16, size: 14, anchor: "middle")
    if !yLabel.isEmpty {
      out +=
        "<text x=\"20\" y=\"\(SVG.n(top + plotH / 2))\" font-size=\"14\" text-anchor=\"middle\" transform=\"rotate(-90 20 \(SVG.n(top + plotH / 2)))\">\(SVG.escape(yLabel))</text>\n"
    }
    if let axis = topAxis {
      // Secondary x axis: tick marks up from the frame, labels above, the name above them.
      for t in axis.ticks where usable(t.x, logY ? 1 : 0) {
        let x = px(t.x)
        guard x >= left - 0.5 && x <= left + plotW + 0.5 else { continue }
        out +=
          "<line class=\"top-tick\" x1=\"\(SVG.n(x))\" y1=\"\(SVG.n(top))\" x2=\"\(SVG.n(x))\" y2=\"\(SVG.n(top - 5))\" stroke=\"#333\"/>\n"
        out += SVG.text(t.label, x: x, y: top - 8, size: 11, anchor: "middle", fill: "#444")
      }
      out += SVG.text(
        axis.label, x: left + plotW / 2, y: top - 24, size: 12, anchor: "middle", fill: "#444")
    }
    if let axis = rightAxis, axis.scale.isFinite, axis.scale != 0, !logY {
      // Secondary y axis: the same pixels in another unit, at its own round values.
      let (a, b) = (y0 * axis.scale, y1 * axis.scale)
      let xr = left + plotW
      for t in Axis.niceTicks(min(a, b), max(a, b)) {
        let v = t / axis.scale
        guard v >= y0 - 1e-12 && v <= y1 + 1e-12 else { continue }
        let y = py(v)
        out +=
          "<line class=\"right-tick\" x1=\"\(SVG.n(xr))\" y1=\"\(SVG.n(y))\" x2=\"\(SVG.n(xr + 5))\" y2=\"\(SVG.n(y))\" stroke=\"#333\"/>\n"
        out += SVG.text(
          Axis.format(t), x: xr + 8, y: y + 4, size: 11, anchor: "start", fill: "#444")
      }
      let cx = xr + Self.rightAxisWidth - 12
      out +=
        "<text class=\"right-label\" x=\"\(SVG.n(cx))\" y=\"\(SVG.n(top + plotH / 2))\" font-size=\"12\" fill=\"#444\" text-anchor=\"middle\" transform=\"rotate(-90 \(SVG.n(cx)) \(SVG.n(top + plotH / 2)))\">\(SVG.escape(axis.label))</text>\n"
    }
    var referenceLabel = ""
    if let r = referenceY, !logY || r.value > 0, ty(r.value) >= y0, ty(r.value) <= y1 {
      out +=
        "<line class=\"reference\" x1=\"\(SVG.n(left))\" y1=\"\(SVG.n(py(r.value)))\" x2=\"\(SVG.n(left + plotW))\" y2=\"\(SVG.n(py(r.value)))\" stroke=\"#555\" stroke-dasharray=\"6 4\"/>\n"
      // The label goes to the end of the line where the data are farthest from it, on the
      // side with more room, and is drawn after the series with a halo.
      let drawn = series.filter { $0.style != .context }.flatMap { $0.points }
        .filter { usable($0.x, $0.y) }
      let ry = py(r.value)
      func clearance(_ atLeft: Bool) -> Double {
        let near = drawn.filter {
          let x = px($0.x)
          return atLeft ? x < left + plotW * 0.45 : x > left + plotW * 0.55
        }
        return near.map { abs(py($0.y) - ry) }.min() ?? .infinity
      }
      let preferLeft = clearance(true) > clearance(false)
      let preferAbove =
        drawn.filter { py($0.y) < ry - 1 }.count
        <= drawn.filter { py($0.y) > ry + 1 }
        .count
      // Above the line unless the data crowd there; never outside the frame.
      func baseline(_ above: Bool) -> Double {
        (above && ry - 6 > top + 12) || ry + 14 > top + plotH - 4 ? ry - 6 : ry + 14
      }
      // Of six places (either end or the middle, above or below the line), the first in order
      // of preference whose box covers the least: a marker outweighs everything (the halo
      // must not hide a data point), then the stretches of drawn lines under it (a curve
      // should not run through the label; grey context lines count less), then whiskers.
      let box = (width: 6.2 * Double(r.label.count) + 4, height: 13.0)
      func boxX0(_ at: ReferencePlace) -> Double {
        switch at {
        case .left: left + 4
        case .right: left + plotW - 4 - box.width
        case .middle: left + (plotW - box.width) / 2
        }
      }
      func covered(at: ReferencePlace, above: Bool) -> Int {
        let bx0 = boxX0(at)
        let yb = baseline(above)
        let (bx1, by0, by1) = (bx0 + box.width, yb - box.height + 2, yb + 3)
        var score = 0
        func inside(_ x: Double, _ y: Double) -> Bool {
          x >= bx0 && x <= bx1 && y >= by0 && y <= by1
        }
        // Each drawn segment sampled at 24 points; a sample under the box counts 3 for a
        // series' own line and 1 for a context line.
        for s in series {
          let weight: Int
          switch s.style {
          case .line, .dashed, .dotted, .highlight: weight = 3
          case .errorBars: weight = s.joined ? 3 : 0
          case .context: weight = 1
          case .points, .bars: weight = 0
          }
          guard weight > 0 else { continue }
          let pts = s.points.filter { usable($0.x, $0.y) }.sorted { $0.x < $1.x }
          let dodge = s.style == .errorBars ? s.dodge : 0
          for (a, b) in zip(pts, pts.dropFirst()) {
            let (ax, ay, bxp, byp) = (px(a.x) + dodge, py(a.y), px(b.x) + dodge, py(b.y))
            for k in 0...24 {
              let t = Double(k) / 24
              if inside(ax + (bxp - ax) * t, ay + (byp - ay) * t) { score += weight }
            }
          }
        }
        for s in series where s.style != .context && s.style != .bars {
          let marker = s.style == .highlight ? 5.5 : s.style == .points ? 2.0 : 3.5
          let dodge = s.style == .errorBars || s.style == .points ? s.dodge : 0
          for p in s.points where usable(p.x, p.y) {
            let (x, y) = (px(p.x) + dodge, py(p.y))
            if x + marker >= bx0 && x - marker <= bx1 && y + marker >= by0 && y - marker <= by1 {
              score += s.style == .points ? 1 : 1000
            }
            let ci = p.ci.isFinite ? p.ci : 0
            if ci > 0 && (s.style == .errorBars || s.style == .highlight) && x >= bx0
              && x <= bx1
            {
              let upper = py(p.y + ci)
              let lower = py(nonNegative ? max(0, p.y - ci) : p.y - ci)
              if upper <= by1 && lower >= by0 { score += 1 }
            }
          }
        }
        return score
      }
      let (near, far): (ReferencePlace, ReferencePlace) =
        preferLeft ? (.left, .right) : (.right, .left)
      let places: [(ReferencePlace, Bool)] = [
        (near, preferAbove), (near, !preferAbove), (far, preferAbove), (far, !preferAbove),
        (.middle, preferAbove), (.middle, !preferAbove),
      ]
      let scores = places.map { covered(at: $0.0, above: $0.1) }
      let best = places[scores.firstIndex(of: scores.min()!)!]
      let (labelX, labelAnchor): (Double, String) =
        switch best.0 {
        case .left: (left + 6, "start")
        case .right: (left + plotW - 6, "end")
        case .middle: (left + plotW / 2, "middle")
        }
      referenceLabel = SVG.text(
        r.label, x: labelX, y: baseline(best.1), size: 11, anchor: labelAnchor, fill: "#444",
        halo: true)
    }
    if let r = referenceX, !logX || r.value > 0, tx(r.value) >= x0, tx(r.value) <= x1 {
      let x = px(r.value)
      out +=
        "<line class=\"reference-x\" x1=\"\(SVG.n(x))\" y1=\"\(SVG.n(top))\" x2=\"\(SVG.n(x))\" y2=\"\(SVG.n(top + plotH))\" stroke=\"#555\" stroke-width=\"1.2\"/>\n"
      out += SVG.text(r.label, x: x, y: top - 6, size: 11, anchor: "middle", fill: "#444")
    }
    if let d = diagonal {
      let a = max(x0, y0)
      let b = min(x1, y1)
      if a < b {
        let inv: (Double) -> Double = { logX ? pow(10, $0) : $0 }
        out +=
          "<line class=\"reference\" x1=\"\(SVG.n(px(inv(a))))\" y1=\"\(SVG.n(py(logY ? pow(10, a) : a)))\" x2=\"\(SVG.n(px(inv(b))))\" y2=\"\(SVG.n(py(logY ? pow(10, b) : b)))\" stroke=\"#555\" stroke-dasharray=\"6 4\"/>\n"
        out += SVG.text(
          d, x: px(inv(b)) - 6, y: py(logY ? pow(10, b) : b) + 16, size: 11, anchor: "end",
          fill: "#555")
      }
    }
    // Series: band, line/markers. Context lines and clouds first so the rest stays on top.
    var legendRow = 0
    var autoColour = 0
    func layer(_ s: ChartSeries) -> Int { s.style == .context ? 0 : s.style == .points ? 1 : 2 }
    let order = series.indices.sorted {
      (layer(series[$0]), $0) < (layer(series[$1]), $1)
    }
    var colours = [Int: String]()
    for i in series.indices {
      if series[i].style == .context {
        colours[i] = "#b8b8b8"
      } else if let c = series[i].colour {
        colours[i] = c < 0 ? Self.grey : Self.palette[c % Self.palette.count]
      } else {
        colours[i] = Self.palette[autoColour % Self.palette.count]
        autoColour += 1
      }
    }
    let barWidth = barWidthPixels(plotW: plotW, x0: x0, x1: x1)
    for i in order {
      let s = series[i]
      let colour = colours[i]!
      let pts = s.points.filter { usable($0.x, $0.y) }.sorted { $0.x < $1.x }
      if let band = s.band?.filter({ usable($0.x, $0.upper) }).sorted(by: { $0.x < $1.x }),
        !band.isEmpty
      {
        let upper = band.map { "\(SVG.n(px($0.x))),\(SVG.n(py($0.upper)))" }
        let lower = band.reversed().map { "\(SVG.n(px($0.x))),\(SVG.n(py($0.lower)))" }
        out +=
          "<polygon class=\"band\" points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(colour)\" fill-opacity=\"0.12\" stroke=\"none\"/>\n"
      }
      guard !pts.isEmpty else { continue }
      let name = SVG.escape(s.name)
      func low(_ p: (x: Double, y: Double, ci: Double)) -> Double {
        let l = p.y - (p.ci.isFinite ? p.ci : 0)
        return nonNegative ? max(0, l) : l
      }
      switch s.style {
      case .context:
        let line = pts.map { "\(SVG.n(px($0.x))),\(SVG.n(py($0.y)))" }.joined(separator: " ")
        out +=
          "<polyline class=\"context\" data-name=\"\(name)\" points=\"\(line)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.2\"/>\n"
        for p in pts {
          out +=
            "<circle class=\"context\" cx=\"\(SVG.n(px(p.x)))\" cy=\"\(SVG.n(py(p.y)))\" r=\"2\" fill=\"\(colour)\"/>\n"
        }
      case .errorBars:
        if s.joined {
          let line = pts.map { "\(SVG.n(px($0.x) + s.dodge)),\(SVG.n(py($0.y)))" }
            .joined(separator: " ")
          out +=
            "<polyline class=\"series\" data-name=\"\(name)\" points=\"\(line)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"1.2\" stroke-opacity=\"0.7\"/>\n"
        }
        for w in s.xWhiskers where usable(w.x, w.y) && w.half.isFinite && w.half > 0 {
          let y = py(w.y)
          out +=
            "<line class=\"x-whisker\" data-name=\"\(name)\" x1=\"\(SVG.n(px(w.x - w.half) + s.dodge))\" y1=\"\(SVG.n(y))\" x2=\"\(SVG.n(px(w.x + w.half) + s.dodge))\" y2=\"\(SVG.n(y))\" stroke=\"\(colour)\" stroke-width=\"1.5\" stroke-opacity=\"0.8\"/>\n"
        }
        for p in pts {
          let x = px(p.x) + s.dodge
          if p.ci.isFinite && p.ci > 0 {
            out +=
              "<line class=\"whisker\" data-name=\"\(name)\" x1=\"\(SVG.n(x))\" y1=\"\(SVG.n(py(low(p))))\" x2=\"\(SVG.n(x))\" y2=\"\(SVG.n(py(p.y + p.ci)))\" stroke=\"\(colour)\" stroke-width=\"1.5\"/>\n"
          }
          out +=
            "<circle class=\"marker\" cx=\"\(SVG.n(x))\" cy=\"\(SVG.n(py(p.y)))\" r=\"3.5\" fill=\"\(colour)\"/>\n"
        }
      case .line, .dashed, .dotted, .highlight:
        if s.style == .line && pts.contains(where: { $0.ci.isFinite && $0.ci > 0 }) {
          let upper = pts.map {
            "\(SVG.n(px($0.x))),\(SVG.n(py($0.y + ($0.ci.isFinite ? $0.ci : 0))))"
          }
          let lower = pts.reversed().map { "\(SVG.n(px($0.x))),\(SVG.n(py(low($0))))" }
          out +=
            "<polygon class=\"ci-band\" points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(colour)\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
        }
        let line = pts.map { "\(SVG.n(px($0.x))),\(SVG.n(py($0.y)))" }.joined(separator: " ")
        let dash =
          s.style == .dashed
          ? " stroke-dasharray=\"7 4\"" : s.style == .dotted ? " stroke-dasharray=\"2 3\"" : ""
        let widthAttr = s.style == .highlight ? "1.4" : s.style == .line ? "2.2" : "1.6"
        out +=
          "<polyline class=\"series\" data-name=\"\(name)\" points=\"\(line)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"\(widthAttr)\"\(dash)/>\n"
        if s.style == .line {
          if pts.count == 1, let p = pts.first, p.ci.isFinite, p.ci > 0 {
            // A band needs two points: a lone point shows its CI as a whisker.
            out +=
              "<line class=\"whisker\" data-name=\"\(name)\" x1=\"\(SVG.n(px(p.x)))\" y1=\"\(SVG.n(py(low(p))))\" x2=\"\(SVG.n(px(p.x)))\" y2=\"\(SVG.n(py(p.y + p.ci)))\" stroke=\"\(colour)\" stroke-width=\"1.5\"/>\n"
          }
          for p in pts {
            out +=
              "<circle cx=\"\(SVG.n(px(p.x)))\" cy=\"\(SVG.n(py(p.y)))\" r=\"3.2\" fill=\"\(colour)\"/>\n"
          }
        } else if (s.style == .dashed || s.style == .dotted) && pts.count == 1, let p = pts.first {
          // A line needs two points: a lone value is a short horizontal stroke in the style.
          out +=
            "<line class=\"lone\" data-name=\"\(name)\" x1=\"\(SVG.n(px(p.x) - 14))\" y1=\"\(SVG.n(py(p.y)))\" x2=\"\(SVG.n(px(p.x) + 14))\" y2=\"\(SVG.n(py(p.y)))\" stroke=\"\(colour)\" stroke-width=\"2\"\(dash)/>\n"
        } else if s.style == .highlight {
          for p in pts {
            if p.ci.isFinite && p.ci > 0 {
              out += SVG.line(
                px(p.x), py(low(p)), px(p.x), py(p.y + p.ci), stroke: colour, width: 1.4)
            }
            out +=
              "<circle class=\"highlight\" cx=\"\(SVG.n(px(p.x)))\" cy=\"\(SVG.n(py(p.y)))\" r=\"5.5\" fill=\"\(colour)\" stroke=\"#000\" stroke-width=\"1.2\"/>\n"
          }
        }
      case .points:
        out +=
          "<g class=\"series\" data-name=\"\(name)\" fill=\"\(colour)\" fill-opacity=\"0.35\">\n"
        for p in pts {
          out += "<circle cx=\"\(SVG.n(px(p.x) + s.dodge))\" cy=\"\(SVG.n(py(p.y)))\" r=\"2\"/>\n"
        }
        out += "</g>\n"
      case .bars:
        out +=
          "<g class=\"series\" data-name=\"\(name)\" fill=\"\(colour)\" fill-opacity=\"0.8\">\n"
        let base = logY ? py(pow(10, y0)) : py(max(y0, 0))
        for p in pts {
          let y = py(p.y)
          out +=
            "<rect x=\"\(SVG.n(px(p.x) - barWidth / 2))\" y=\"\(SVG.n(min(y, base)))\" width=\"\(SVG.n(barWidth))\" height=\"\(SVG.n(abs(base - y)))\"/>\n"
        }
        out += "</g>\n"
      }
      guard s.inLegend && s.style != .context else { continue }
      let ly = top + 14 + Double(legendRow) * 20
      legendRow += 1
      let lx = width - legendWidth + 14
      switch s.style {
      case .points:
        out +=
          "<circle cx=\"\(SVG.n(lx + 12))\" cy=\"\(SVG.n(ly - 4))\" r=\"3\" fill=\"\(colour)\" fill-opacity=\"0.6\"/>\n"
      case .highlight:
        out +=
          "<circle cx=\"\(SVG.n(lx + 12))\" cy=\"\(SVG.n(ly - 4))\" r=\"5\" fill=\"\(colour)\" stroke=\"#000\" stroke-width=\"1.2\"/>\n"
      case .errorBars:
        out += SVG.line(lx + 12, ly - 11, lx + 12, ly + 3, stroke: colour, width: 1.5)
        out +=
          "<circle cx=\"\(SVG.n(lx + 12))\" cy=\"\(SVG.n(ly - 4))\" r=\"3.5\" fill=\"\(colour)\"/>\n"
      case .bars:
        out += SVG.rect(lx + 4, ly - 10, 16, 10, stroke: "none", fill: colour)
      case .dashed, .dotted:
        let dash = s.style == .dashed ? "7 4" : "2 3"
        out +=
          "<line x1=\"\(SVG.n(lx))\" y1=\"\(SVG.n(ly - 4))\" x2=\"\(SVG.n(lx + 24))\" y2=\"\(SVG.n(ly - 4))\" stroke=\"\(colour)\" stroke-width=\"2\" stroke-dasharray=\"\(dash)\"/>\n"
      case .line, .context:
        out += SVG.line(lx, ly - 4, lx + 24, ly - 4, stroke: colour, width: 3)
      }
      out += SVG.text(s.name, x: lx + 30, y: ly, size: 12, anchor: "start")
    }
    for (j, note) in legendNotes.enumerated() {
      out += SVG.text(
        note, x: width - legendWidth + 14, y: top + 24 + Double(legendRow + j) * 18, size: 11,
        anchor: "start", fill: "#555")
    }
    if !message.isEmpty {
      // A white card behind the lines, so that grid and reference lines do not run through
      // the gaps between them (the halo alone covers the letters only).
      let w = min(plotW - 8, 7.0 * Double(message.map(\.count).max()!) + 16)
      let h = Double(message.count) * 18 + 8
      out += SVG.rect(
        left + (plotW - w) / 2, top + plotH / 2 - h / 2 - 4, w, h, stroke: "none", fill: "white")
    }
    for (j, line) in message.enumerated() {
      out += SVG.text(
        line, x: left + plotW / 2,
        y: top + plotH / 2 + (Double(j) - Double(message.count - 1) / 2) * 18, size: 13,
        anchor: "middle", fill: "#444", halo: true)
    }
    return out + referenceLabel
  }

  /// The smallest gap between bar centres (axis units, log10 on a log axis); nil without bars.
  private func barGap() -> Double? {
    let centres = Set(
      series.filter { $0.style == .bars }.flatMap { $0.points.map { logX ? log10($0.x) : $0.x } }
    ).sorted()
    guard !centres.isEmpty else { return nil }
    guard centres.count > 1 else { return 1 }
    return zip(centres.dropFirst(), centres).map { $0 - $1 }.min()!
  }

  /// Bar width: 70% of the smallest gap between bar centres (in pixels).
  private func barWidthPixels(plotW: Double, x0: Double, x1: Double) -> Double {
    guard let gap = barGap() else { return 12 }
    return max(1, 0.7 * gap / (x1 - x0) * plotW)
  }
}

/// Several charts side by side (rows of `columns`) under one title: small multiples.
public struct PanelFigure: Sendable {
  public var title: String
  public var panels: [LineChart]
  public var columns: Int
  /// Lines under the title: what is shared by every panel (the key to styles, the unit).
  public var caption: [String] = []

  public init(title: String, panels: [LineChart], columns: Int) {
    self.title = title
    self.panels = panels
    self.columns = max(1, columns)
  }

  /// The figure as an SVG document.
  public func svg() -> String {
    let w = panels.map(\.width).max() ?? 0
    let h = panels.map(\.height).max() ?? 0
    let rows = (panels.count + columns - 1) / columns
    let width = w * Double(min(columns, panels.count))
    let head = 40 + 18 * Double(caption.count)
    let height = head + h * Double(rows)
    var out = SVG.header(width: width, height: height)
    out += SVG.text(title, x: width / 2, y: 26, size: 18, anchor: "middle", weight: "bold")
    for (j, line) in caption.enumerated() {
      out += SVG.text(
        line, x: width / 2, y: 46 + 18 * Double(j), size: 13, anchor: "middle", fill: "#444")
    }
    for (i, p) in panels.enumerated() {
      let x = Double(i % columns) * w
      let y = head + Double(i / columns) * h
      out += "<g transform=\"translate(\(SVG.n(x)),\(SVG.n(y)))\">\n" + p.body() + "</g>\n"
    }
    return out + "</svg>\n"
  }
}

/// Axis tick helpers.
enum Axis {
  /// About five round ticks covering [a, b].
  static func niceTicks(_ a: Double, _ b: Double) -> [Double] {
    // An empty or degenerate range (every value equal) has one tick: the value.
    guard a.isFinite, b.isFinite, b > a else { return [a.isFinite ? a : 0] }
    let span = b - a
    let raw = span / 5
    let mag = pow(10, floor(log10(raw)))
    let step = [1.0, 2, 2.5, 5, 10].map { $0 * mag }.first { $0 >= raw } ?? 10 * mag
    let start = floor(a / step) * step
    var ticks: [Double] = []
    var t = start
    while t <= b + step * 0.5 {
      ticks.append(abs(t) < step * 1e-9 ? 0 : t)
      t += step
    }
    return ticks
  }

  /// Powers of ten (and 2×, 5× when the range is narrow) within [10^a, 10^b].
  static func logTicks(_ a: Double, _ b: Double) -> [Double] {
    var ticks: [Double] = []
    let narrow = b - a < 2.5
    var e = floor(a)
    while e <= ceil(b) {
      for m in narrow ? [1.0, 2, 5] : [1.0] {
        let v = m * pow(10, e)
        if log10(v) >= a - 1e-9 && log10(v) <= b + 1e-9 { ticks.append(v) }
      }
      e += 1
    }
    return ticks
  }

  static func format(_ v: Double) -> String {
    if v == 0 { return "0" }
    let a = abs(v)
    if a >= 1e5 || a < 1e-3 {
      // 1e5, 2e-4, 1.5e-4: two significant digits at most, no "+0" padding.
      let parts = String(format: "%.1e", v).split(separator: "e")
      var mantissa = String(parts[0])
      if mantissa.hasSuffix(".0") { mantissa.removeLast(2) }
      return "\(mantissa)e\(Int(parts[1])!)"
    }
    if a >= 100 { return String(format: "%.0f", v) }
    if a >= 1 { return String(format: "%g", (v * 100).rounded() / 100) }
    return String(format: "%g", v)
  }
}

/// SVG string helpers.
enum SVG {
  static func header(width: Double, height: Double) -> String {
    "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"\(n(width))\" height=\"\(n(height))\" viewBox=\"0 0 \(n(width)) \(n(height))\" font-family=\"Helvetica, Arial, sans-serif\">\n<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n"
  }
  static func n(_ v: Double) -> String { String(format: "%.1f", v) }
  static func escape(_ s: String) -> String {
    s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
      .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
  }
  static func text(
    _ s: String, x: Double, y: Double, size: Double, anchor: String, weight: String = "normal",
    fill: String = "#222", halo: Bool = false
  ) -> String {
    // A halo: a white outline painted under the glyphs keeps a label readable over lines.
    let outline = halo ? " stroke=\"white\" stroke-width=\"4\" paint-order=\"stroke\"" : ""
    return
      "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor)\" font-weight=\"\(weight)\" fill=\"\(fill)\"\(outline)>\(escape(s))</text>\n"
  }
  static func line(
    _ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1
  ) -> String {
    "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"/>\n"
  }
  static func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, stroke: String, fill: String)
    -> String
  {
    "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(w))\" height=\"\(n(h))\" stroke=\"\(stroke)\" fill=\"\(fill)\"/>\n"
  }
}
