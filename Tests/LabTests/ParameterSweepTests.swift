// The sweep over one spec value from fixture studies (one spec run at 1, 2 and 3 training
// epochs): every sweep.csv cell is the folders' summary.csv value, the figure draws each
// strategy's amplification at its epoch count, and folders that are not one sweep are refused
// naming the folder and the key.
import ChorusCore
import ChorusTestSupport
import Foundation
import Lab
import PlaylistData
import Recommenders
import Reports
import Testing

@Suite(.serialized) struct ParameterSweepTests {
  /// Three studies of one spec at 1, 2 and 3 epochs, made once (run in the order 2, 3, 1, so
  /// that the sweep's sorting by value is exercised).
  final class Studies: @unchecked Sendable {
    let dir = TemporaryDirectory()
    let epochs = [2, 3, 1]
    var folders: [String] { epochs.map { dir.file("epochs-\($0)") } }

    init() throws {
      try runSmallEmbeddingStudies(in: dir, epochs.map { ("epochs-\($0)", ["epochs": $0]) })
    }
  }
  static let studies = Result { try Studies() }

  static let key = "model.config.epochs"

  /// A copy of `folder` at `copy` with its spec.resolved.json changed by `edit`.
  func edited(
    _ folder: String, to copy: String, _ edit: (inout [String: Any], inout [String: Any]) -> Void
  ) throws -> String {
    try FileManager.default.copyItem(atPath: folder, toPath: copy)
    let path = copy + "/spec.resolved.json"
    var object = try JSONSerialization.jsonObject(with: FileIO.read(path)) as! [String: Any]
    var spec = object["spec"] as! [String: Any]
    edit(&object, &spec)
    object["spec"] = spec
    try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]).write(
      to: URL(fileURLWithPath: path))
    return copy
  }

  /// Sets model.config.<name> in a resolved spec (nil removes it).
  static func setConfig(_ spec: inout [String: Any], _ name: String, _ value: Any?) {
    var model = spec["model"] as! [String: Any]
    var config = model["config"] as! [String: Any]
    config[name] = value
    model["config"] = config
    spec["model"] = model
  }

  @Test func everyCellIsTheStudiesSummaryValue() throws {
    let s = try Self.studies.get()
    let sweep = try ParameterSweep.load(folders: s.folders, key: Self.key)
    // Sorted by value, whatever the order given.
    #expect(sweep.values == [1, 2, 3])
    #expect(sweep.folders == [1, 2, 3].map { s.dir.file("epochs-\($0)") })
    #expect(sweep.warnings.isEmpty)
    let table = ParameterSweep.table(sweep)
    // Two strategies × one size per study.
    #expect(table.rows.count == 6)
    #expect(table.header.first == Self.key)
    var checked = 0
    for (value, folder) in zip(sweep.values, sweep.folders) {
      let summary = try CSVTable.read(path: folder + "/summary.csv")
      let mine = table.rows.filter { $0[table.column("folder")!].string == folder }
      #expect(mine.count == summary.rows.count)
      for (row, expected) in zip(mine, summary.rows) {
        #expect(row[0] == .int(Int(value)))
        // Every column the two tables share holds the summary's cell.
        for (c, name) in table.header.enumerated() {
          guard let e = summary.column(name) else { continue }
          #expect(row[c] == expected[e], "\(folder) \(name)")
          checked += 1
        }
        // The CI's bounds are the mean ∓ its half-width.
        let a = expected[summary.column("amplification")!].double!
        let h = expected[summary.column("amplification_ci")!].double!
        #expect(row[table.column("amplification_lower")!].double == a - h)
        #expect(row[table.column("amplification_upper")!].double == a + h)
      }
    }
    // Each row's single folds are runs.csv's amplification, in fold order.
    for r in sweep.rows {
      let runs = try CSVTable.read(path: r.folder + "/runs.csv")
      let mine = runs.rows.filter { $0[runs.column("strategy")!].string == r.strategy }
      #expect(mine.map { $0[runs.column("fold")!].double! } == [0, 1, 2])
      #expect(r.perFold == mine.map { $0[runs.column("amplification")!].double! })
    }
    // strategy, statistics, size_kind, size, budget, folds, amplification(_ci) and the 26
    // copied columns, for each of the 6 rows.
    #expect(checked == 6 * (8 + ParameterSweep.copiedColumns.count))
    #expect(ParameterSweep.copiedColumns.contains("ndcg_with_ci"))
    // The Markdown table writes them through MeasuredValue, by strategy in order of value.
    let md = ParameterSweep.markdown(sweep)
    let lines = md.split(separator: "\n").dropFirst(2)
    #expect(lines.count == 6)
    #expect(
      lines.map { $0.split(separator: "|")[2].trimmingCharacters(in: .whitespaces) }
        == ["1", "2", "3", "1", "2", "3"])
    let first = sweep.rows.first { $0.strategy == "dirlof" && $0.value == 1 }!
    let measured = MeasuredValue(
      mean: first.amplification, halfWidth: first.amplificationCI, folds: first.folds)
    #expect(lines.first!.hasPrefix("| dirlof | 10 playlists | 1 | \(measured.formatted()) |"))
  }

  @Test func theFigureDrawsEachStrategysAmplificationAtItsValue() throws {
    let s = try Self.studies.get()
    let sweep = try ParameterSweep.load(folders: s.folders, key: Self.key)
    let svg = ParameterSweep.figure(sweep).svg()
    #expect(svg.contains(">Amplification against model.config.epochs</text>"))
    let panels = Array(svg.components(separatedBy: "<g transform=\"translate(").dropFirst())
    #expect(panels.count == 1)
    try checkPanel(panels[0], rows: sweep.rows, strategies: ["dirlof", "random"])
    // Each fold's value as a faint dot in its strategy's colour, at the study's value.
    let axes = FigureDataTests.Axes(panels[0], logX: false, logY: false)
    for (i, strategy) in ["dirlof", "random"].enumerated() {
      let group = try #require(
        panels[0].components(separatedBy: "data-name=\"\(strategy), single folds\"").dropFirst()
          .first?.components(separatedBy: "</g>").first)
      #expect(group.contains("fill=\"\(LineChart.palette[i])\""))
      let dots = FigureDataTests.matches(
        #"<circle cx="([-0-9.]+)" cy="([-0-9.]+)" r="2"/>"#, in: group)
      let rows = sweep.rows.filter { $0.strategy == strategy }
      // Beside the strategy's markers (dodged ∓2 px for two strategies).
      let dodge = (Double(i) - 0.5) * 4 + ParameterSweep.dotsShift
      #expect(dots.count == rows.map(\.perFold.count).reduce(0, +))
      for r in rows {
        for v in r.perFold {
          #expect(
            dots.contains {
              axes.showsX(Double($0[0])! - dodge, r.value) && axes.showsY(Double($0[1])!, v)
            }, "\(strategy) fold value \(v) at \(r.value)")
        }
      }
    }
    #expect(panels[0].contains(">dots: single folds</text>"))
    // The axis is titled by the key, ticks at the values, a reference line at 1.
    #expect(panels[0].contains(">model.config.epochs</text>"))
    #expect(panels[0].contains("class=\"reference\""))
  }

  /// Two collective sizes make two panels; markers and whiskers sit at the values and CIs.
  @Test func severalSizesAreSmallMultiples() throws {
    func row(_ strategy: String, _ size: Double, _ value: Double, _ a: Double, _ h: Double)
      -> ParameterSweep.Row
    {
      ParameterSweep.Row(
        folder: "f\(value)", value: value, strategy: strategy, statistics: "full",
        sizeKind: "budget", size: size, budget: size, folds: 3, amplification: a,
        amplificationCI: h,
        copied: ParameterSweep.copiedColumns.map { _ in .empty })
    }
    let rows = [
      row("dirlof", 10, 0.01, 5, 2), row("random", 10, 0.01, 0.5, 0.4),
      row("dirlof", 40, 0.01, 12, 3), row("random", 40, 0.01, 2, 1),
      row("dirlof", 10, 0.05, 30, 10), row("random", 10, 0.05, 0, 0),
      row("dirlof", 40, 0.05, 25, 4), row("random", 40, 0.05, 3, 2.5),
    ]
    let sweep = ParameterSweep.Sweep(
      key: "model.config.learningRate", folders: ["f0.01", "f0.05"], values: [0.01, 0.05],
      rows: rows, dataset: "synthetic:small", model: "embedding", warnings: [])
    let svg = ParameterSweep.figure(sweep).svg()
    let panels = Array(svg.components(separatedBy: "<g transform=\"translate(").dropFirst())
    #expect(panels.count == 2)
    // Without single folds there are no dots.
    #expect(!svg.contains("single folds"))
    #expect(
      panels[0].contains(">10 playlists</text>") && panels[1].contains(">40 playlists</text>"))
    try checkPanel(
      panels[0], rows: rows.filter { $0.size == 10 }, strategies: ["dirlof", "random"])
    try checkPanel(
      panels[1], rows: rows.filter { $0.size == 40 }, strategies: ["dirlof", "random"])
    // Markdown: a row without accuracy columns says so.
    #expect(
      ParameterSweep.markdown(sweep).contains("| dirlof | 10 playlists | 0.01 | 5 ± 2 | n/a |"))
  }

  /// Each strategy's markers at (value, amplification) in its palette colour, dodged by its
  /// offset, and its whisker from max(0, mean − CI) to mean + CI.
  func checkPanel(_ panel: String, rows: [ParameterSweep.Row], strategies: [String]) throws {
    let axes = FigureDataTests.Axes(panel, logX: false, logY: false)
    let markers = FigureDataTests.matches(
      #"<circle class="marker" cx="([-0-9.]+)" cy="([-0-9.]+)" r="3\.5" fill="([^"]+)""#,
      in: panel)
    let drawable = rows.filter { $0.amplification.isFinite }
    #expect(markers.count == drawable.count)
    // The x ticks are the values.
    #expect(Set(axes.x.map(\.v)) == Set(rows.map(\.value)))
    let n = Double(strategies.count)
    for r in drawable {
      let i = strategies.firstIndex(of: r.strategy)!
      let dodge = (Double(i) - (n - 1) / 2) * 4
      let mine = markers.filter { $0[2] == LineChart.palette[i] }
      #expect(
        mine.contains {
          axes.showsX(Double($0[0])! - dodge, r.value)
            && axes.showsY(Double($0[1])!, r.amplification)
        }, "\(r.strategy) at \(r.value)")
      guard r.amplificationCI > 0 else { continue }
      let whiskers = FigureDataTests.matches(
        #"<line class="whisker" data-name="\#(r.strategy)" x1="([-0-9.]+)" y1="([-0-9.]+)" x2="[-0-9.]+" y2="([-0-9.]+)""#,
        in: panel)
      #expect(
        whiskers.contains {
          axes.showsX(Double($0[0])! - dodge, r.value)
            && axes.showsY(Double($0[1])!, max(0, r.amplification - r.amplificationCI))
            && axes.showsY(Double($0[2])!, r.amplification + r.amplificationCI)
        }, "whisker of \(r.strategy) at \(r.value)")
    }
  }

  @Test func foldersThatAreNotOneSweepAreRefused() throws {
    let s = try Self.studies.get()
    let dir = TemporaryDirectory()
    func refusal(_ folders: [String], key: String = Self.key) -> ChorusError? {
      do {
        _ = try ParameterSweep.load(folders: folders, key: key)
        return nil
      } catch let e as ChorusError {
        return e
      } catch {
        return nil
      }
    }
    // Fewer than two folders: a usage error.
    #expect(refusal([s.folders[0]])?.kind == .usage)
    #expect(refusal([s.folders[0], s.folders[1]], key: "model..epochs")?.kind == .usage)
    // Another model setting besides the key: named, with the folder.
    let window = try edited(s.folders[0], to: dir.file("window")) { _, spec in
      Self.setConfig(&spec, "epochs", 7)
      Self.setConfig(&spec, "window", 2)
    }
    let e1 = try #require(refusal([s.folders[0], window]))
    #expect(e1.kind == .config && e1.file == window && e1.field == "model.config.window")
    #expect(e1.message.contains(s.folders[0]) && e1.message.contains("(2 here, 1 there)"))
    // Another K (a top-level key).
    let k = try edited(s.folders[0], to: dir.file("k")) { _, spec in
      Self.setConfig(&spec, "epochs", 8)
      spec["k"] = 60
    }
    #expect(refusal([s.folders[0], k])?.field == "k")
    // Another dataset content.
    let data = try edited(s.folders[0], to: dir.file("data")) { object, spec in
      Self.setConfig(&spec, "epochs", 9)
      var d = object["dataset"] as! [String: Any]
      d["hash"] = "0000000000000000"
      object["dataset"] = d
    }
    let e2 = try #require(refusal([s.folders[0], data]))
    #expect(e2.kind == .config && e2.file == data && e2.field == "dataset")
    // The key missing, not a number, or an object.
    let missing = try edited(s.folders[0], to: dir.file("missing")) { _, spec in
      Self.setConfig(&spec, "epochs", nil)
    }
    let e3 = try #require(refusal([s.folders[0], missing]))
    #expect(e3.kind == .config && e3.file == missing && e3.message.contains("no key"))
    #expect(e3.hint?.contains("window") == true)
    let text = try edited(s.folders[0], to: dir.file("text")) { _, spec in
      Self.setConfig(&spec, "epochs", "ten")
    }
    let e4 = try #require(refusal([s.folders[0], text]))
    #expect(e4.kind == .config && e4.file == text && e4.message.contains("not a number"))
    let e5 = try #require(refusal(s.folders, key: "model.config"))
    #expect(e5.message.contains("an object, not a number"))
    let flag = try #require(refusal(s.folders, key: "model.config.popularityFeature"))
    #expect(flag.message.contains("true, not a number"))
    // The same value twice (the same folder, or a copy).
    let twice = try edited(s.folders[0], to: dir.file("twice")) { _, _ in }
    let e6 = try #require(refusal([s.folders[0], twice]))
    #expect(e6.kind == .config && e6.file == twice && e6.message.contains(s.folders[0]))
    // An unfinished folder: a data error naming it.
    let unfinished = try edited(s.folders[1], to: dir.file("unfinished")) { _, _ in }
    try FileManager.default.removeItem(atPath: unfinished + "/manifest.json")
    let e7 = try #require(refusal([s.folders[0], unfinished]))
    #expect(e7.kind == .data && e7.file == unfinished)
    let nowhere = try #require(refusal([s.folders[0], dir.file("nowhere")]))
    #expect(nowhere.file == dir.file("nowhere") && nowhere.message == "no such results folder")
    // The name may differ (it is ignored), and so may the code version, with a warning.
    let renamed = try edited(s.folders[0], to: dir.file("renamed")) { object, spec in
      Self.setConfig(&spec, "epochs", 5)
      spec["name"] = "another name"
      object["chorusVersion"] = "0.0.1"
    }
    let sweep = try ParameterSweep.load(folders: [s.folders[0], renamed], key: Self.key)
    #expect(sweep.values == [2, 5])
    #expect(sweep.warnings.count == 1 && sweep.warnings[0].contains("0.0.1"))
    let original = try ParameterSweep.load(folders: [s.folders[0], s.folders[1]], key: Self.key)
    #expect(
      sweep.rows.filter { $0.value == 5 }.map(\.amplification)
        == original.rows.filter { $0.value == 2 }.map(\.amplification))
  }
}
