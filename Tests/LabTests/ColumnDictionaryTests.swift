// The column dictionary in Experiments/README.md against the CSVs a study writes: a study
// with every optional stage on (detection and re-ranking) must have no runs.csv or
// summary.csv column the dictionary leaves out, and the dictionary must name no column that
// the study does not write. Keeps the users' reference true as columns come and go.
import ChorusCore
import ChorusTestSupport
import Defences
import Evaluation
import Foundation
import PlaylistData
import Reports
import Testing

@testable import Lab

@Suite struct ColumnDictionaryTests {
  static let readme =
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().appendingPathComponent("Experiments/README.md").path

  /// The column names of the dictionary's table: every back-quoted name in its first cell,
  /// `<metric>` expanded over the playlist metrics, and `…_suffix` completed from the name
  /// before it (`direct_anchor_true_freq_mean`, `…_median`).
  static func documentedColumns(in text: String) throws -> Set<String> {
    let lines = text.components(separatedBy: "\n")
    let start = try #require(lines.firstIndex { $0.hasPrefix("## Columns of `runs.csv`") })
    var names = Set<String>()
    var inTable = false
    for line in lines[(start + 1)...] {
      if line.hasPrefix("## ") { break }
      guard line.hasPrefix("|") else {
        if inTable { break } else { continue }
      }
      inTable = true
      let first = line.dropFirst().prefix { $0 != "|" }
      let quoted = first.components(separatedBy: "`").enumerated().filter { $0.offset % 2 == 1 }
        .map(\.element)
      var previous = ""
      for q in quoted {
        var name = q
        if name.hasPrefix("…") {
          let stem = previous.split(separator: "_").dropLast().joined(separator: "_")
          name = stem + name.dropFirst()
        }
        previous = name
        if name.contains("<metric>") {
          for m in PlaylistMetrics.names {
            names.insert(name.replacingOccurrences(of: "<metric>", with: m))
          }
        } else {
          names.insert(name)
        }
      }
    }
    return names
  }

  @Test func theDictionaryNamesEveryColumnAStudyWritesAndNoOther() throws {
    let text = try String(contentsOfFile: Self.readme, encoding: .utf8)
    let documented = try Self.documentedColumns(in: text)
    // Not vacuous: the parser found the table (ids, a metric family, a completed name).
    #expect(documented.contains("fold"))
    #expect(documented.contains("ndcg_loss_optimistic"))
    #expect(documented.contains("direct_anchor_true_freq_median"))

    let dir = TemporaryDirectory()
    let path = dir.file("data.chorus")
    try BinaryCache.write(
      Fixtures.random(playlists: 400, tracks: 300, lengths: 20...40, seed: 4), to: path)
    var s = ExperimentSpec()
    s.name = "columns"
    s.dataset = path
    s.split = SplitConfig(testSize: 40, folds: 2, seed: 1)
    s.strategies = [.dirLoF]
    s.sizes = [.budget(20)]
    s.k = 20
    var detection = DetectionStage()
    detection.flagRate = 0.1
    s.detection = detection
    s.reranking = RerankingStage(kind: .identity, depth: 3)
    try runQuietly(s, in: dir.file("study"))
    let runs = try CSVTable.read(path: dir.file("study/runs.csv")).header
    let summary = try CSVTable.read(path: dir.file("study/summary.csv")).header

    for name in runs {
      let known = documented.contains(name)
      #expect(known, "runs.csv column \(name) is not in the dictionary")
    }
    for name in summary where name != "folds" {
      let base = name.hasSuffix("_ci") ? String(name.dropLast(3)) : name
      let known = documented.contains(base)
      #expect(known, "summary.csv column \(name) is not in the dictionary")
    }
    for name in documented {
      let written = runs.contains(name)
      #expect(written, "the dictionary names \(name), which runs.csv does not have")
    }
  }
}
