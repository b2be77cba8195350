// Hand-written SVG line charts with optional log x axis, 95% CI bands, a reference line,
// a legend and a colour-blind-safe palette (Okabe & Ito 2008). Self-contained SVG: no
// scripts, no external fonts, readable in any browser or vector editor.
import Foundation

/// One series of a line chart.
public struct ChartSeries: Sendable {
  public var name: String
  /// (x, y, CI half-width) points, drawn in x order; NaN y values are skipped.
  public var points: [(x: Double, y: Double, ci: Double)]
  public init(name: String, points: [(x: Double, y: Double, ci: Double)]) {
    self.name = name
    self.points = points
  }
}

/// A line chart rendered to SVG.
public struct LineChart: Sendable {
  public var title: String
  public var xLabel: String
  public var yLabel: String
  public var series: [ChartSeries]
  public var logX = false
  /// A dashed horizontal reference line (e.g. amplification = 1) and its label.
  public var referenceY: (value: Double, label: String)? = nil
  public var width = 760.0
  public var height = 460.0

  /// Okabe–Ito colours, distinguishable with the common colour-vision deficiencies.
  public static let palette = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

  public init(title: String, xLabel: String, yLabel: String, series: [ChartSeries]) {
    self.title = title
    self.xLabel = xLabel
    self.yLabel = yLabel
    self.series = series
  }

  /// The chart as an SVG document.
  public func svg() -> String {
    let left = 80.0, right = 190.0, top = 50.0, bottom = 60.0
    let plotW = width - left - right
    let plotH = height - top - bottom
    let finite = series.flatMap { $0.points }.filter { $0.y.isFinite && (!logX || $0.x > 0) }
    var xs = finite.map { logX ? log10($0.x) : $0.x }
    var ys = finite.flatMap { [$0.y - ($0.ci.isFinite ? $0.ci : 0), $0.y + ($0.ci.isFinite ? $0.ci : 0)] }
    if let r = referenceY { ys.append(r.value) }
    if xs.isEmpty { xs = [0, 1] }
    if ys.isEmpty { ys = [0, 1] }
    var (x0, x1) = (xs.min()!, xs.max()!)
    if x0 == x1 { x0 -= 0.5; x1 += 0.5 }
    var (y0, y1) = (min(0, ys.min()!), ys.max()!)
    if y0 == y1 { y1 = y0 + 1 }
    let yTicks = Axis.niceTicks(y0, y1)
    y0 = min(y0, yTicks.first!)
    y1 = max(y1, yTicks.last!)
    func px(_ x: Double) -> Double { left + ((logX ? log10(x) : x) - x0) / (x1 - x0) * plotW }
    func py(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * plotH }
    var out = SVG.header(width: width, height: height)
    out += SVG.text(title, x: left + plotW / 2, y: 28, size: 17, anchor: "middle", weight: "bold")
    // Grid and ticks.
    for t in yTicks {
      let y = py(t)
      out += SVG.line(left, y, left + plotW, y, stroke: "#e5e5e5")
      out += SVG.text(Axis.format(t), x: left - 8, y: y + 4, size: 12, anchor: "end")
    }
    let xTicks = logX ? Axis.logTicks(x0, x1) : Axis.niceTicks(x0, x1).map { $0 }
    for t in xTicks {
      let x = logX ? px(t) : left + (t - x0) / (x1 - x0) * plotW
      guard x >= left - 0.5 && x <= left + plotW + 0.5 else { continue }
      out += SVG.line(x, top, x, top + plotH, stroke: "#f0f0f0")
      out += SVG.text(Axis.format(t), x: x, y: top + plotH + 18, size: 12, anchor: "middle")
    }
    out += SVG.rect(left, top, plotW, plotH, stroke: "#333", fill: "none")
    out += SVG.text(xLabel, x: left + plotW / 2, y: height - 16, size: 14, anchor: "middle")
    out += "<text x=\"20\" y=\"\(SVG.n(top + plotH / 2))\" font-size=\"14\" text-anchor=\"middle\" transform=\"rotate(-90 20 \(SVG.n(top + plotH / 2)))\">\(SVG.escape(yLabel))</text>\n"
    if let r = referenceY, r.value >= y0, r.value <= y1 {
      out += "<line x1=\"\(SVG.n(left))\" y1=\"\(SVG.n(py(r.value)))\" x2=\"\(SVG.n(left + plotW))\" y2=\"\(SVG.n(py(r.value)))\" stroke=\"#555\" stroke-dasharray=\"6 4\"/>\n"
      out += SVG.text(r.label, x: left + plotW - 4, y: py(r.value) - 6, size: 11, anchor: "end", fill: "#555")
    }
    // Series: CI band, line, markers.
    for (i, s) in series.enumerated() {
      let colour = Self.palette[i % Self.palette.count]
      let pts = s.points.filter { $0.y.isFinite && (!logX || $0.x > 0) }.sorted { $0.x < $1.x }
      guard !pts.isEmpty else { continue }
      let upper = pts.map { "\(SVG.n(px($0.x))),\(SVG.n(py(min(y1, $0.y + ($0.ci.isFinite ? $0.ci : 0)))))" }
      let lower = pts.reversed().map { "\(SVG.n(px($0.x))),\(SVG.n(py(max(y0, $0.y - ($0.ci.isFinite ? $0.ci : 0)))))" }
      out += "<polygon class=\"ci-band\" points=\"\((upper + lower).joined(separator: " "))\" fill=\"\(colour)\" fill-opacity=\"0.15\" stroke=\"none\"/>\n"
      let line = pts.map { "\(SVG.n(px($0.x))),\(SVG.n(py($0.y)))" }.joined(separator: " ")
      out += "<polyline class=\"series\" data-name=\"\(SVG.escape(s.name))\" points=\"\(line)\" fill=\"none\" stroke=\"\(colour)\" stroke-width=\"2.2\"/>\n"
      for p in pts {
        out += "<circle cx=\"\(SVG.n(px(p.x)))\" cy=\"\(SVG.n(py(p.y)))\" r=\"3.2\" fill=\"\(colour)\"/>\n"
      }
      let ly = top + 14 + Double(i) * 22
      out += SVG.line(left + plotW + 16, ly - 4, left + plotW + 40, ly - 4, stroke: colour, width: 3)
      out += SVG.text(s.name, x: left + plotW + 46, y: ly, size: 13, anchor: "start")
    }
    out += "</svg>\n"
    return out
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
    if a >= 1e4 || a < 1e-3 { return String(format: "%.0e", v) }
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
  static func text(_ s: String, x: Double, y: Double, size: Double, anchor: String, weight: String = "normal", fill: String = "#222") -> String {
    "<text x=\"\(n(x))\" y=\"\(n(y))\" font-size=\"\(n(size))\" text-anchor=\"\(anchor)\" font-weight=\"\(weight)\" fill=\"\(fill)\">\(escape(s))</text>\n"
  }
  static func line(_ x1: Double, _ y1: Double, _ x2: Double, _ y2: Double, stroke: String, width: Double = 1) -> String {
    "<line x1=\"\(n(x1))\" y1=\"\(n(y1))\" x2=\"\(n(x2))\" y2=\"\(n(y2))\" stroke=\"\(stroke)\" stroke-width=\"\(n(width))\"/>\n"
  }
  static func rect(_ x: Double, _ y: Double, _ w: Double, _ h: Double, stroke: String, fill: String) -> String {
    "<rect x=\"\(n(x))\" y=\"\(n(y))\" width=\"\(n(w))\" height=\"\(n(h))\" stroke=\"\(stroke)\" fill=\"\(fill)\"/>\n"
  }
}
