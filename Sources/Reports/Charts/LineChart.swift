// Hand-written SVG charts: lines, dashed bounds, scatter points and highlighted markers, with
// optional log axes, 95% CI bands (or explicit bands), reference lines, a legend and a
// colour-blind-safe palette (Okabe & Ito 2008). Self-contained SVG: no scripts, no external
// fonts, readable in any browser or vector editor. `PanelFigure` lays several charts out as
// small multiples under one title.
import Foundation

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
  /// Whether the y axis must include 0 (linear axes only).
  public var yIncludesZero = true
  /// For quantities that cannot be negative (amplification, counts): CI bands and error bars
  /// stop at 0 instead of showing impossible values.
  public var nonNegative = false
  /// A dashed horizontal reference line (e.g. amplification = 1) and its label.
  public var referenceY: (value: Double, label: String)? = nil
  /// A dashed y = x line (e.g. perfect equality in a Lorenz plot) and its label.
  public var diagonal: String? = nil
  /// Extra lines under the legend (e.g. a key to line styles).
  public var legendNotes: [String] = []
  public var width = 760.0
  public var height = 460.0
  /// Right margin, where the legend sits.
  public var legendWidth = 190.0

  /// Okabe–Ito colours, distinguishable with the common colour-vision deficiencies.
  public static let palette = [
    "#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000",
  ]
  /// Grey for background clouds.
  public static let grey = "#9a9a9a"

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
    let left = 80.0
    let right = legendWidth
    let top = 50.0
    let bottom = 60.0
    let plotW = width - left - right
    let plotH = height - top - bottom
    func usable(_ x: Double, _ y: Double) -> Bool {
      y.isFinite && x.isFinite && (!logX || x > 0) && (!logY || y > 0)
    }
    let pts = series.flatMap { $0.points }.filter { usable($0.x, $0.y) }
    let tx: (Double) -> Double = { logX ? log10($0) : $0 }
    let ty: (Double) -> Double = { logY ? log10($0) : $0 }
    var xs = pts.map { tx($0.x) }
    var ys: [Double] = []
    for p in pts {
      let ci = p.ci.isFinite ? p.ci : 0
      ys.append(ty(p.y))
      if ci > 0 {
        ys.append(ty(p.y + ci))
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
    func px(_ x: Double) -> Double { left + (tx(x) - x0) / (x1 - x0) * plotW }
    func py(_ y: Double) -> Double {
      let v = logY ? log10(max(y, 1e-300)) : y
      return top + (1 - (min(max(v, y0), y1) - y0) / (y1 - y0)) * plotH
    }
    var out = SVG.text(
      title, x: left + plotW / 2, y: 28, size: 16, anchor: "middle", weight: "bold")
    // Grid and ticks.
    for t in yTicks where t >= y0 - 1e-9 && t <= y1 + 1e-9 {
      let y = top + (1 - (t - y0) / (y1 - y0)) * plotH
      out += SVG.line(left, y, left + plotW, y, stroke: "#e5e5e5")
      out += SVG.text(
        Axis.format(logY ? pow(10, t) : t), x: left - 8, y: y + 4, size: 12, anchor: "end")
    }
    let xTicks = logX ? Axis.logTicks(x0, x1) : Axis.niceTicks(x0, x1)
    for t in xTicks {
      let x = left + (tx(t) - x0) / (x1 - x0) * plotW
      guard x >= left - 0.5 && x <= left + plotW + 0.5 else { continue }
      out += SVG.line(x, top, x, top + plotH, stroke: "#f0f0f0")
      out += SVG.text(Axis.format(t), x: x, y: top + plotH + 18, size: 12, anchor: "middle")
    }
    out += SVG.rect(left, top, plotW, plotH, stroke: "#333", fill: "none")
    out += SVG.text(xLabel, x: left + plotW / 2, y: height - 16, size: 14, anchor: "middle")
    out +=
      "<text x=\"20\" y=\"\(SVG.n(top + plotH / 2))\" font-size=\"14\" text-anchor=\"middle\" transform=\"rotate(-90 20 \(SVG.n(top + plotH / 2)))\">\(SVG.escape(yLabel))</text>\n"
    if let r = referenceY, !logY || r.value > 0, ty(r.value) >= y0, ty(r.value) <= y1 {
      out +=
        "<line class=\"reference\" x1=\"\(SVG.n(left))\" y1=\"\(SVG.n(py(r.value)))\" x2=\"\(SVG.n(left + plotW))\" y2=\"\(SVG.n(py(r.value)))\" stroke=\"#555\" stroke-dasharray=\"6 4\"/>\n"
      out += SVG.text(
        r.label, x: left + plotW - 4, y: py(r.value) - 6, size: 11, anchor: "end", fill: "#555")
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
    // Series: band, line/markers. Clouds first so highlighted series stay on top.
    var legendRow = 0
    var autoColour = 0
    let order = series.indices.sorted {
      (series[$0].style == .points ? 0 : 1, $0) < (series[$1].style == .points ? 0 : 1, $1)
    }
    var colours = [Int: String]()
    for i in series.indices {
      if let c = series[i].colour {
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
      switch s.style {
      case .line, .dashed, .dotted, .highlight:
        if s.style == .line && pts.contains(where: { $0.ci.isFinite && $0.ci > 0 }) {
          let upper = pts.map {
            "\(SVG.n(px($0.x))),\(SVG.n(py($0.y + ($0.ci.isFinite ? $0.ci : 0))))"
          }
          let lower = pts.reversed().map { p -> String in
            let low = p.y - (p.ci.isFinite ? p.ci : 0)
            return "\(SVG.n(px(p.x))),\(SVG.n(py(nonNegative ? max(0, low) : low)))"
          }
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
          for p in pts {
            out +=
              "<circle cx=\"\(SVG.n(px(p.x)))\" cy=\"\(SVG.n(py(p.y)))\" r=\"3.2\" fill=\"\(colour)\"/>\n"
          }
        } else if s.style == .highlight {
          for p in pts {
            if p.ci.isFinite && p.ci > 0 {
              out += SVG.line(
                px(p.x), py(p.y - p.ci), px(p.x), py(p.y + p.ci), stroke: colour, width: 1.4)
            }
            out +=
              "<circle class=\"highlight\" cx=\"\(SVG.n(px(p.x)))\" cy=\"\(SVG.n(py(p.y)))\" r=\"5.5\" fill=\"\(colour)\" stroke=\"#000\" stroke-width=\"1.2\"/>\n"
          }
        }
      case .points:
        out +=
          "<g class=\"series\" data-name=\"\(name)\" fill=\"\(colour)\" fill-opacity=\"0.35\">\n"
        for p in pts {
          out += "<circle cx=\"\(SVG.n(px(p.x)))\" cy=\"\(SVG.n(py(p.y)))\" r=\"2\"/>\n"
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
      guard s.inLegend else { continue }
      let ly = top + 14 + Double(legendRow) * 20
      legendRow += 1
      let lx = left + plotW + 14
      switch s.style {
      case .points:
        out +=
          "<circle cx=\"\(SVG.n(lx + 12))\" cy=\"\(SVG.n(ly - 4))\" r=\"3\" fill=\"\(colour)\" fill-opacity=\"0.6\"/>\n"
      case .highlight:
        out +=
          "<circle cx=\"\(SVG.n(lx + 12))\" cy=\"\(SVG.n(ly - 4))\" r=\"5\" fill=\"\(colour)\" stroke=\"#000\" stroke-width=\"1.2\"/>\n"
      case .bars:
        out += SVG.rect(lx + 4, ly - 10, 16, 10, stroke: "none", fill: colour)
      case .dashed, .dotted:
        let dash = s.style == .dashed ? "7 4" : "2 3"
        out +=
          "<line x1=\"\(SVG.n(lx))\" y1=\"\(SVG.n(ly - 4))\" x2=\"\(SVG.n(lx + 24))\" y2=\"\(SVG.n(ly - 4))\" stroke=\"\(colour)\" stroke-width=\"2\" stroke-dasharray=\"\(dash)\"/>\n"
      case .line:
        out += SVG.line(lx, ly - 4, lx + 24, ly - 4, stroke: colour, width: 3)
      }
      out += SVG.text(s.name, x: lx + 30, y: ly, size: 12, anchor: "start")
    }
    for (j, note) in legendNotes.enumerated() {
      out += SVG.text(
        note, x: left + plotW + 14, y: top + 24 + Double(legendRow + j) * 18, size: 11,
        anchor: "start", fill: "#555")
    }
    return out
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
    let height = 40 + h * Double(rows)
    var out = SVG.header(width: width, height: height)
    out += SVG.text(title, x: width / 2, y: 26, size: 18, anchor: "middle", weight: "bold")
    for (i, p) in panels.enumerated() {
      let x = Double(i % columns) * w
      let y = 40 + Double(i / columns) * h
      out += "<g transform=\"translate(\(SVG.n(x)),\(SVG.n(y)))\">\n" + p.body() + "</g>\n"
    }
    return out + "</svg>\n"
  }
}

/// Axis tick helpers.
enum Axis {
  /// About five round ticks covering [a, b].
  static func niceTicks(_ a: Double, _ b: Double) -> [Double] {
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
      // 1e5, 2e-4: no "+0" padding.
      let parts = String(format: "%.0e", v).split(separator: "e")
      return "\(parts[0])e\(Int(parts[1])!)"
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
    fill: String = "#222"
  ) -> String {
    "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor)\" font-weight=\"\(weight)\" fill=\"\(fill)\">\(escape(s))</text>\n"
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
