// The report's section on several collectives at once (studies with a `collectives` block):
// a figure of each collective's interference — its amplification with the other collectives
// planted minus alone, mean ± 95% CI over folds, as a dot with whiskers — per setting, and a
// table of alone, together and interference in report.md; with homogeneity, a figure of each
// collective's amplification alone against its homogeneity. Reads collectives-summary.csv only;
// absent, no section.
import ChorusCore
import Foundation

extension StudyReport {
  /// Interference per setting and collective, or nil when the folder has no
  /// collectives-summary.csv.
  static func collectives(_ c: ReportContext) -> ReportSection? {
    guard let t = c.table("collectives-summary.csv"), t.column("interference") != nil else {
      return nil
    }
    let settings = orderedUnique(t.rows.map { string(t, $0, "setting") })
    let positions = orderedUnique(t.rows.map { string(t, $0, "collective") })
    // Only settings of one collective (e.g. a homogeneity sweep): nothing can interfere.
    guard positions.count > 1 else { return nil }
    var series: [ChartSeries] = []
    for (k, position) in positions.enumerated() {
      let points = t.rows.filter { string(t, $0, "collective") == position }.map {
        row -> (x: Double, y: Double, ci: Double) in
        let x = Double(settings.firstIndex(of: string(t, row, "setting"))! + 1)
        return (x, value(t, row, "interference") ?? .nan, value(t, row, "interference_ci") ?? 0)
      }
      var s = ChartSeries(name: "collective \(position)", points: points, style: .errorBars)
      s.colour = k
      s.dodge = (Double(k) - Double(positions.count - 1) / 2) * 9
      // Settings are categories: dots with whiskers, no line suggesting an order between them.
      s.joined = false
      series.append(s)
    }
    var chart = LineChart(
      title: "Interference between collectives",
      xLabel: "setting (numbered in the legend)",
      yLabel: "amplification together − alone (95% CI)", series: series)
    chart.referenceY = (0, "no interference")
    // Settings are numbered 1…n: ticks at whole numbers only (round ticks for one setting
    // would be 0.6, 0.8, …), every setting while they fit, else every few.
    let step = max(1, (settings.count + 11) / 12)
    chart.xTicks = stride(from: 1, through: settings.count, by: step).map(Double.init)
    // Half a setting's width on each side, so the first and last settings' whiskers stay off
    // the frame and the reference label right of the last one.
    chart.xRange = 0.5...(Double(settings.count) + 0.5)
    chart.width = 960
    chart.height = 500
    chart.legendWidth = 300
    chart.legendNotes = settings.enumerated().map { i, name in
      "\(i + 1): " + (name.count > 34 ? String(name.prefix(33)) + "…" : name)
    }
    var text =
      "Each collective's amplification with the other collectives of its setting planted on the same training split, minus its amplification alone (the others absent), as the mean over folds with its 95% CI; below 0 the others cost it recommendations. The % column is the change relative to alone, from the means over folds.\n\n"
    text +=
      "| setting | collective | song | strategy | size | follow | alone | together | interference | % |\n|---|---|---|---|---|---|---|---|---|---|\n"
    func measured(_ row: [CSVCell], _ column: String) -> String {
      let folds = Int(value(t, row, "folds") ?? 0)
      guard let v = value(t, row, column) else { return "n/a" }
      return MeasuredValue(mean: v, halfWidth: value(t, row, column + "_ci") ?? 0, folds: folds)
        .formatted()
    }
    for row in t.rows {
      let pct = value(t, row, "interference_pct_of_means").map {
        MeasuredValue.number($0) + "%"
      }
      let cells = [
        SafeText.markdown(string(t, row, "setting")), string(t, row, "collective"),
        SafeText.markdown(string(t, row, "target")), SafeText.markdown(string(t, row, "strategy")),
        size(t, row).map(sizeLabel) ?? "", string(t, row, "follow"),
        measured(row, "amplification_alone"), measured(row, "amplification_together"),
        measured(row, "interference"), pct ?? "n/a",
      ]
      text += "| " + cells.joined(separator: " | ") + " |\n"
    }
    return ReportSection(
      file: "interference", heading: "Several collectives at once", svg: chart.svg(),
      text: text)
  }

  /// Amplification alone against homogeneity, one line per collective position, strategy and
  /// size, or nil when the study sets no homogeneity.
  static func homogeneity(_ c: ReportContext) -> ReportSection? {
    guard let t = c.table("collectives-summary.csv"), t.column("homogeneity") != nil else {
      return nil
    }
    let positions = orderedUnique(t.rows.map { string(t, $0, "collective") })
    func label(_ row: [CSVCell]) -> String {
      let what =
        "\(string(t, row, "strategy")), \(size(t, row).map(sizeLabel) ?? "")"
        + (value(t, row, "follow") == 1 ? "" : ", follow \(string(t, row, "follow"))")
      return positions.count > 1 ? "collective \(string(t, row, "collective")): " + what : what
    }
    let labels = orderedUnique(t.rows.map(label))
    var series: [ChartSeries] = []
    for (k, name) in labels.enumerated() {
      let points = t.rows.filter { label($0) == name }.map {
        row -> (x: Double, y: Double, ci: Double) in
        (
          value(t, row, "homogeneity") ?? .nan, value(t, row, "amplification_alone") ?? .nan,
          value(t, row, "amplification_alone_ci") ?? 0
        )
      }.sorted { $0.x < $1.x }
      var s = ChartSeries(name: name, points: points, style: .errorBars)
      s.colour = k
      s.dodge = (Double(k) - Double(labels.count - 1) / 2) * 6
      series.append(s)
    }
    var chart = LineChart(
      title: "Amplification and the collective's homogeneity",
      xLabel: "homogeneity h (share of members chosen for similar taste)",
      yLabel: "amplification alone (95% CI)", series: series)
    chart.referenceY = (1, "ordinary song")
    chart.xRange = -0.1...1.1
    chart.xTicks = orderedUnique(t.rows.map { string(t, $0, "homogeneity") }).compactMap(
      Double.init
    ).sorted()
    chart.nonNegative = true
    chart.width = 860
    chart.legendWidth = 260
    var text =
      "Each collective's amplification alone (the other collectives of its setting absent) against its homogeneity h: round(h · B) of its members are the playlists whose artists overlap most with one playlist, the rest drawn as usual. Member similarity is the mean Jaccard similarity of the members' artist sets over all pairs, mean over folds.\n\n"
    text +=
      "| setting | collective | strategy | size | h | member similarity | amplification alone |\n|---|---|---|---|---|---|---|\n"
    for row in t.rows {
      let folds = Int(value(t, row, "folds") ?? 0)
      let similarity = value(t, row, "member_similarity").map {
        MeasuredValue(
          mean: $0, halfWidth: value(t, row, "member_similarity_ci") ?? 0, folds: folds
        ).formatted()
      }
      let amplification = value(t, row, "amplification_alone").map {
        MeasuredValue(
          mean: $0, halfWidth: value(t, row, "amplification_alone_ci") ?? 0, folds: folds
        ).formatted()
      }
      let cells = [
        SafeText.markdown(string(t, row, "setting")), string(t, row, "collective"),
        SafeText.markdown(string(t, row, "strategy")), size(t, row).map(sizeLabel) ?? "",
        string(t, row, "homogeneity"), similarity ?? "n/a", amplification ?? "n/a",
      ]
      text += "| " + cells.joined(separator: " | ") + " |\n"
    }
    return ReportSection(
      file: "homogeneity", heading: "Homogeneous collectives", svg: chart.svg(), text: text)
  }
}
