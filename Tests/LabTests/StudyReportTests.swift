// The report of a finished study: well-formed SVG with the expected series and axis labels,
// report.md embedding the figures, and the partial-information figure skipped when the
// spec has a single statistics source.
import ChorusCore
import ChorusTestSupport
import Foundation
#if canImport(FoundationXML)
  import FoundationXML
#endif
import Lab
import PlaylistData
import Reports
import Testing

@Suite struct StudyReportTests {
  func runStudy(_ dir: TemporaryDirectory, statistics: [String]) throws -> String {
    let data = dir.file("data.chorus")
    try BinaryCache.write(Fixtures.random(playlists: 1200, tracks: 500, lengths: 10...50, seed: 4), to: data)
    var s = ExperimentSpec()
    s.name = "report"
    s.dataset = data
    s.split = SplitConfig(testSize: 40, folds: 2, seed: 1)
    s.strategies = ["dirlof", "random"]
    s.alphas = [0.05, 0.2]
    s.statistics = statistics
    s.k = 30
    var o = RunOptions()
    o.showProgress = false
    let folder = dir.file("out")
    try ExperimentRunner(spec: s, folder: folder, options: o).run()
    try StudyReport.write(folder: folder)
    return folder
  }

  @Test func figuresAreWellFormedAndLabelled() throws {
    let dir = TemporaryDirectory()
    let folder = try runStudy(dir, statistics: ["full", "sample:0.1"])
    let svg = try String(contentsOfFile: folder + "/figures/amplification.svg", encoding: .utf8)
    let parser = XMLParser(data: Data(svg.utf8))
    #expect(parser.parse(), "amplification.svg is not well-formed XML")
    #expect(svg.contains("data-name=\"dirlof (full)\""))
    #expect(svg.contains("data-name=\"random (sample:0.1)\""))
    #expect(svg.contains("collective size α (% of training playlists, log scale)"))
    #expect(svg.contains(">amplification<"))
    #expect(svg.contains("class=\"ci-band\""))
    let partial = try String(contentsOfFile: folder + "/figures/partial-information.svg", encoding: .utf8)
    #expect(XMLParser(data: Data(partial.utf8)).parse())
    let md = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
    #expect(md.contains("![amplification](figures/amplification.svg)"))
    #expect(md.contains("| dirlof | full |"))
  }

  @Test func partialInformationFigureIsSkippedWithoutItsData() throws {
    let dir = TemporaryDirectory()
    let folder = try runStudy(dir, statistics: ["full"])
    #expect(!FileManager.default.fileExists(atPath: folder + "/figures/partial-information.svg"))
    let md = try String(contentsOfFile: folder + "/report.md", encoding: .utf8)
    #expect(!md.contains("partial-information.svg"))
    #expect(FileManager.default.fileExists(atPath: folder + "/figures/ndcg-loss.svg"))
  }
}
