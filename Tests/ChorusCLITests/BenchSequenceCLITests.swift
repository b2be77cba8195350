// `chorus bench --stages seq-train`: one epoch of the mean and transformer sequence models,
// reported as rows of throughput and peak memory; the paper-preset stage is opt-in and named
// in the list of valid stages.
import ChorusTestSupport
import Foundation
import Testing

@Suite struct BenchSequenceCLITests {
  @Test func sequenceStagesReportThroughputAndMemory() throws {
    let r = try ChorusBinary.run(["bench", "--preset", "tiny", "--stages", "seq-train"])
    #expect(r.status == 0, "\(r.stderr)")
    for aggregator in ["mean", "transformer"] {
      let throughput = r.stdout.split(separator: "\n").first {
        $0.hasPrefix("| \(aggregator) training throughput, fast preset |")
      }
      #expect(throughput?.contains("tokens/s") == true, "\(r.stdout)")
      #expect(r.stdout.contains("| peak memory after \(aggregator) fast |"))
    }
    #expect(!r.stdout.contains("paper preset"))
    #expect(!r.stdout.contains("co-occurrence"))
    let bad = try ChorusBinary.run(["bench", "--preset", "tiny", "--stages", "seq"])
    #expect(bad.status == 64)
    #expect(bad.stderr.contains("seq-train-paper"))
  }
}
