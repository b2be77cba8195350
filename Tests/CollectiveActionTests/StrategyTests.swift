// Strategy and statistics names: parse ↔ name round trips, Codable as a single string, and
// clear config errors naming the field and listing the valid names.
import ChorusCore
import CollectiveAction
import Foundation
import Testing

@Suite struct StrategyTests {
  @Test(arguments: Strategy.examples)
  func nameRoundTrips(strategy: Strategy) throws {
    #expect(try Strategy(name: strategy.name) == strategy)
  }

  @Test func namesAreStable() throws {
    #expect(
      Strategy.examples.map(\.name) == [
        "dirlof", "dirlof-target:3", "inclust", "inclust:k=10", "hybrid:tau=2", "random",
        "at-the-end", "at-the-beginning", "insert-at:5", "random-in:1-10", "random-in-last:10",
      ])
    #expect(try Strategy(name: "hybrid") == .hybrid(tau: 2))
    #expect(try Strategy(name: " DirLoF ") == .dirLoF)
    #expect(try Strategy(name: "random-in:4-4") == .randomIn(first: 4, last: 4))
  }

  @Test(arguments: [
    "", "dirlof2", "dirlof:3", "dirlof-target", "dirlof-target:0", "dirlof-target:x",
    "inclust:10", "inclust:k=0", "hybrid:2", "hybrid:tau=", "random:3", "insert-at",
    "insert-at:-1", "random-in:10", "random-in:0-5", "random-in:5-4", "random-in-last:0",
    "at-the-end:1",
  ])
  func badNamesAreConfigErrors(name: String) {
    do {
      _ = try Strategy(name: name)
      Issue.record("'\(name)' was accepted")
    } catch let error as ChorusError {
      #expect(error.kind == .config)
      #expect(error.field == "strategy")
      #expect(error.hint?.contains("dirlof-target:X") == true)
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }

  @Test func codableIsTheNameString() throws {
    let data = try JSONEncoder().encode([Strategy.inClustTop(k: 4), .randomIn(first: 2, last: 9)])
    #expect(String(decoding: data, as: UTF8.self) == #"["inclust:k=4","random-in:2-9"]"#)
    #expect(
      try JSONDecoder().decode([Strategy].self, from: data) == [
        .inClustTop(k: 4), .randomIn(first: 2, last: 9),
      ])
    #expect(throws: ChorusError.self) {
      try JSONDecoder().decode([Strategy].self, from: Data(#"["nope"]"#.utf8))
    }
  }

  @Test(arguments: [
    EstimateSource.full, .sample(fraction: 0.1), .sample(fraction: 0), .sample(fraction: 1),
    .table(path: "/tmp/x:y.csv"), .proxy(sigma: 0.5), .proxy(sigma: 0),
  ])
  func statisticsNamesRoundTrip(spec: EstimateSource) throws {
    #expect(try EstimateSource(name: spec.name) == spec)
    let data = try JSONEncoder().encode(spec)
    #expect(try JSONDecoder().decode(EstimateSource.self, from: data) == spec)
  }

  @Test func statisticsNamesParse() throws {
    #expect(try EstimateSource(name: "sample:0.01") == .sample(fraction: 0.01))
    #expect(try EstimateSource(name: "table:pop.csv") == .table(path: "pop.csv"))
    #expect(try EstimateSource(name: "PROXY:2") == .proxy(sigma: 2))
  }

  @Test(arguments: [
    "", "fuzzy", "full:1", "sample", "sample:1.5", "sample:-0.1", "sample:nan", "table:",
    "table", "proxy", "proxy:-1", "proxy:inf", "proxy:21",
  ])
  func badStatisticsAreConfigErrors(name: String) {
    do {
      _ = try EstimateSource(name: name)
      Issue.record("'\(name)' was accepted")
    } catch let error as ChorusError {
      #expect(error.kind == .config)
      #expect(error.field == "statistics")
      #expect(error.hint?.contains("sample:Q") == true)
    } catch {
      Issue.record("unexpected error \(error)")
    }
  }
}
