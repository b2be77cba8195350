// The robustness study end to end on small generated datasets: one finished study per dataset,
// joined with the datasets' characteristics (reloaded and checked against the recorded hash),
// one regression per strategy and size; a changed dataset file is refused, and so is an
// unfinished folder.
import ChorusCore
import ChorusTestSupport
import CollectiveAction
import Evaluation
import Foundation
import PlaylistData
import Reports
import Testing

@testable import Lab

@Suite struct RobustnessStudyTests {
  /// Four studies of one spec on datasets with 150…600 tracks (density varies).
  func studies(in dir: TemporaryDirectory) throws -> [String] {
    var folders: [String] = []
    for (i, tracks) in [150, 250, 400, 600].enumerated() {
      let path = dir.file("data\(i).chorus")
      try BinaryCache.write(
        Fixtures.random(playlists: 400, tracks: tracks, lengths: 10...30, seed: UInt64(i)),
        to: path)
      var s = ExperimentSpec()
      s.name = "robust\(i)"
      s.dataset = path
      s.split = SplitConfig(testSize: 40, folds: 2, seed: 1)
      s.strategies = [.dirLoF, .random]
      s.sizes = [.budget(4)]
      s.k = 20
      let folder = dir.file("out\(i)")
      try runQuietly(s, in: folder)
      folders.append(folder)
    }
    return folders
  }

  @Test func joinsEveryStudyWithItsDatasetAndFitsEachGroup() throws {
    let dir = TemporaryDirectory()
    let folders = try studies(in: dir)
    let observations = try RobustnessStudy.load(folders: folders, response: "amplification")
    // Two strategies × one size per study.
    #expect(observations.count == 8)
    for (i, folder) in folders.enumerated() {
      let dataset = try BinaryCache.read(path: dir.file("data\(i).chorus"))
      let expected = DatasetCharacteristics(dataset: dataset)
      let summary = try CSVTable.read(path: folder + "/summary.csv")
      for o in observations where o.folder == folder {
        #expect(o.characteristics == expected)
        let row = summary.rows.first { $0[summary.column("strategy")!].string == o.strategy }!
        #expect(o.response == row[summary.column("amplification")!].double)
      }
    }
    let fits = RobustnessStudy.fit(observations, predictors: ["density"], standardize: true)
    #expect(fits.map(\.strategy) == ["dirlof", "random"])
    for f in fits {
      #expect(f.datasets == 4)
      let r = try f.result.get()
      // The intercept of a standardised fit is the mean response over the datasets.
      let mean = observations.filter { $0.strategy == f.strategy }.map(\.response).reduce(0, +) / 4
      #expect(abs(r.coefficients[0] - mean) < 1e-9)
    }
    // Three predictors on four datasets leave no degree of freedom: refused by name.
    let tooMany = RobustnessStudy.fit(
      observations, predictors: ["density", "share_once", "track_gini"], standardize: true)
    #expect(
      tooMany.allSatisfy {
        if case .failure(.tooFewObservations) = $0.result { true } else { false }
      })
    // Correlations over the four datasets: 1 on the diagonal, symmetric; with the same playlists
    // and lengths, more tracks means a lower density.
    let r = RobustnessStudy.predictorCorrelations(
      observations, predictors: ["density", "log10_tracks"])
    #expect(abs(r[0][0] - 1) < 1e-12 && abs(r[1][1] - 1) < 1e-12)
    #expect(r[0][1] == r[1][0] && r[0][1] < -0.5)
    let table = RobustnessStudy.coefficientsTable(fits)
    #expect(table.rows.count == 4)
    #expect(table.header.contains("ci"))
  }

  /// The coefficient plot draws each fitted coefficient at its value on the shared x axis, in
  /// its predictor's row, with whisker ends at coefficient ± CI, a line at 0 and R² and df in the
  /// title; a group that cannot be fitted keeps a panel that says why. The scatter draws each
  /// study's response at its characteristic, and names the study's folder there on top.
  @Test func figuresDrawTheFittedNumbers() throws {
    let dir = TemporaryDirectory()
    let folders = try studies(in: dir)
    let observations = try RobustnessStudy.load(folders: folders, response: "amplification")
    let predictors = ["density", "share_once"]
    var fits = RobustnessStudy.fit(observations, predictors: predictors, standardize: true)
    // A third group that cannot be fitted: three predictors on four datasets.
    let failed = RobustnessStudy.fit(
      observations, predictors: ["density", "share_once", "track_gini"], standardize: true)[0]
    fits.append(failed)
    let svg = try #require(
      RobustnessStudy.coefficientFigure(
        fits, predictors: predictors, response: "amplification", standardized: true)
    ).svg()
    let panels = Array(svg.components(separatedBy: "<g transform=\"translate(").dropFirst())
    #expect(panels.count == 3)
    for (f, panel) in zip(fits, panels) {
      let axes = FigureDataTests.Axes(panel, logX: false, logY: false)
      #expect(axes.x.count >= 2)
      // The rows: one grid line and name per predictor, the first on top.
      let rows = FigureDataTests.matches(
        #"<text x="122\.0" y="([-0-9.]+)"[^>]*>([^<]+)</text>"#, in: panel)
      #expect(rows.map { $0[1] } == predictors)
      let rowY = Dictionary(uniqueKeysWithValues: rows.map { ($0[1], Double($0[0])! - 4) })
      let zero = FigureDataTests.matches(
        #"<line class="reference-x" x1="([-0-9.]+)""#, in: panel)
      #expect(zero.count == 1 && axes.showsX(Double(zero[0][0])!, 0))
      switch f.result {
      case .success(let r):
        #expect(
          panel.contains(
            String(format: "R² %.2f, %d df", r.rSquared, r.residualDegreesOfFreedom)))
        #expect(r.residualDegreesOfFreedom == 1)
        let markers = FigureDataTests.matches(
          #"<circle class="marker" cx="([-0-9.]+)" cy="([-0-9.]+)" r="3\.5" fill="([^"]+)""#,
          in: panel)
        let whiskers = FigureDataTests.matches(
          #"<line class="x-whisker" data-name="[^"]+" x1="([-0-9.]+)" y1="([-0-9.]+)" x2="([-0-9.]+)""#,
          in: panel)
        // A zero-width interval (a perfect fit) has no whisker to draw.
        let widths = r.confidenceHalfWidths.dropFirst()
        #expect(markers.count == 2 && whiskers.count == widths.filter { $0 > 0 }.count)
        for (j, name) in predictors.enumerated() {
          let (b, h) = (r.coefficients[j + 1], r.confidenceHalfWidths[j + 1])
          let y = rowY[name]!
          let m = try #require(markers.first { abs(Double($0[1])! - y) < 0.11 })
          #expect(axes.showsX(Double(m[0])!, b), "\(f.strategy) \(name)")
          if h > 0 {
            let w = try #require(whiskers.first { abs(Double($0[1])! - y) < 0.11 })
            #expect(axes.showsX(Double(w[0])!, b - h) && axes.showsX(Double(w[2])!, b + h))
          }
          // Coloured by whether the interval excludes 0.
          let excludes = b - h > 0 || b + h < 0
          #expect(m[2] == LineChart.palette[excludes ? 1 : 0])
        }
      case .failure(let e):
        #expect(panel.contains(": not fitted</text>"))
        #expect(!panel.contains("class=\"marker\""))
        #expect(panel.contains("not fitted (4 datasets):"))
        #expect(panel.contains(String(e.description.prefix(25))))
        // A white card lies over the zero line and under the message's first line.
        let card = try #require(panel.range(of: "stroke=\"none\" fill=\"white\"/>"))
        let zero = try #require(panel.range(of: "class=\"reference-x\""))
        let text = try #require(panel.range(of: "not fitted (4 datasets):"))
        #expect(zero.lowerBound < card.lowerBound && card.lowerBound < text.lowerBound)
      }
    }
    // The scatter: one panel per predictor; each study's response at its characteristic.
    let scatter = try #require(
      RobustnessStudy.scatterFigure(
        observations, predictors: predictors, response: "amplification")
    ).svg()
    let scatterPanels = Array(
      scatter.components(separatedBy: "<g transform=\"translate(").dropFirst())
    #expect(scatterPanels.count == 2)
    let groups = ["dirlof, 4 playlists", "random, 4 playlists"]
    for (name, panel) in zip(predictors, scatterPanels) {
      let axes = FigureDataTests.Axes(panel, logX: false, logY: false)
      let markers = FigureDataTests.matches(
        #"<circle class="marker" cx="([-0-9.]+)" cy="([-0-9.]+)" r="3\.5" fill="([^"]+)""#,
        in: panel)
      #expect(markers.count == observations.count)
      for o in observations {
        let i = o.strategy == "dirlof" ? 0 : 1
        let dodge = (Double(i) - 0.5) * 4
        let mine = markers.filter { $0[2] == LineChart.palette[i] }
        let x = o.characteristics.value(name)!
        #expect(
          mine.contains {
            axes.showsX(Double($0[0])! - dodge, x) && axes.showsY(Double($0[1])!, o.response)
          }, "\(name) \(o.folder) \(o.strategy)")
      }
      #expect(panel.contains("data-name=\"\(groups[0])\""))
      // The top axis names every study's folder once, at its characteristic's pixel (studies
      // with nearly equal values share one label, "out1+out2", at their mean).
      var value: [String: Double] = [:]
      for o in observations {
        value[URL(fileURLWithPath: o.folder).lastPathComponent] = o.characteristics.value(name)!
      }
      let top = FigureDataTests.matches(
        #"<text x="([-0-9.]+)" y="[-0-9.]+" font-size="11\.0"[^>]*>(out[^<]*)</text>"#,
        in: panel)
      let named = top.flatMap { $0[1].split(separator: "+").map(String.init) }
      #expect(named.sorted() == ["out0", "out1", "out2", "out3"])
      for t in top {
        let members = t[1].split(separator: "+").map { value[String($0)]! }
        #expect(axes.showsX(Double(t[0])!, members.reduce(0, +) / Double(members.count)))
      }
    }
  }

  /// Leave one dataset out, by hand: six datasets whose density is 1…5 and 20, the response
  /// flat (0 or 0.05) on the first five and 2 on the sixth. The full fit's slope (0.79 per SD,
  /// CI ± 0.23) comes from the sixth alone: without it the slope is 0 and its CI covers 0;
  /// without any other it stays off 0. Each refit is the regression of the other five.
  @Test func leaveOneOutShowsTheDatasetThatCarriesASlope() throws {
    let base = DatasetCharacteristics(
      dataset: Fixtures.random(playlists: 40, tracks: 60, lengths: 5...10, seed: 2))
    let xs: [Double] = [1, 2, 3, 4, 5, 20]
    let ys: [Double] = [0, 0.05, 0, 0.05, 0, 2]
    let observations = xs.indices.map { i -> RobustnessStudy.Observation in
      var c = base
      c.density = xs[i]
      return RobustnessStudy.Observation(
        folder: "/r/d\(i)", dataset: "d\(i)", characteristics: c, strategy: "dirlof",
        statistics: "full", sizeKind: "budget", size: 10, response: ys[i], responseCI: 0)
    }
    let fit = try #require(
      RobustnessStudy.fit(observations, predictors: ["density"], standardize: true).first)
    let full = try fit.result.get()
    #expect(abs(full.coefficients[1] - 0.7921) < 1e-3)
    #expect(full.coefficients[1] - full.confidenceHalfWidths[1] > 0)
    #expect(fit.leaveOneOut.map(\.without) == observations.map(\.folder))
    for (i, refit) in fit.leaveOneOut.enumerated() {
      var rest = xs.indices.map { [xs[$0]] }
      var y = ys
      rest.remove(at: i)
      y.remove(at: i)
      let direct = try LinearRegression(rows: rest, y: y, names: ["density"], standardize: true)
      #expect(try refit.result.get() == direct, "without d\(i)")
    }
    let slope = try #require(fit.stability?[1])
    #expect(slope.refits == 6 && slope.excludingZero == 5)
    #expect(slope.coversZeroWithout == ["/r/d5"])
    #expect(abs(slope.minimum) < 1e-9 && abs(slope.maximum - 0.876) < 1e-3)
    let md = RobustnessStudy.markdown([fit], response: "amplification", standardized: true)
    #expect(md.contains("CI excludes 0 in 5 of 6 (covers 0 without d5)"))
    let csv = RobustnessStudy.leaveOneOutTable([fit])
    #expect(csv.rows.count == 12)  // 6 refits × (intercept, density)

    // Two draws of one design (robustness-sweep.sh names the second "-s1") leave together:
    // with d5's twin beside it, leaving out d5 alone would keep the slope.
    var twin = observations[5]
    twin.folder = "/r/d5-s1"
    twin.characteristics.density = 21
    twin.response = 2.1
    let paired = try #require(
      RobustnessStudy.fit(observations + [twin], predictors: ["density"], standardize: true)
        .first)
    #expect(paired.leaveOneOut.map(\.without) == observations.map(\.folder))
    let withoutD5 = try paired.leaveOneOut[5].result.get()
    #expect(withoutD5.observations == 5)
    #expect(abs(withoutD5.coefficients[1]) < 1e-9)
    #expect(RobustnessStudy.design(of: "/r/d5-s1") == "/r/d5")
    #expect(RobustnessStudy.design(of: "/r/d5-s12/") == "/r/d5")
    #expect(RobustnessStudy.design(of: "/r/d5-sx") == "/r/d5-sx")
    #expect(RobustnessStudy.design(of: "/r/mpd-5000") == "/r/mpd-5000")
  }

  @Test func aChangedDatasetOrUnfinishedStudyIsRefused() throws {
    let dir = TemporaryDirectory()
    let folders = try studies(in: dir)
    try BinaryCache.write(
      Fixtures.random(playlists: 400, tracks: 150, seed: 99), to: dir.file("data0.chorus"))
    #expect {
      try RobustnessStudy.load(folders: folders, response: "amplification")
    } throws: { e in
      (e as? ChorusError)?.message.contains("is not the one this study ran on") == true
    }
    try FileManager.default.removeItem(atPath: folders[1] + "/manifest.json")
    #expect(throws: ChorusError.self) {
      try RobustnessStudy.load(folders: [folders[1]], response: "amplification")
    }
    #expect {
      try RobustnessStudy.load(folders: [folders[2]], response: "no_such_column")
    } throws: { e in (e as? ChorusError)?.field == "response" }
  }
}
