// `chorus train --diagnostics`: the rare-vs-frequent vector report of a sequence model (at
// its start and after training) in the JSON output, and a usage error, before any
// training, for a model without track vectors.
import Foundation
import Testing

@Suite struct TrainDiagnosticsCLITests {
  @Test func sequenceModelReportsStartAndTrainedVectors() throws {
    let r = try ChorusBinary.run([
      "train", "--dataset", "synthetic:tiny", "--model", "mean", "--set", "dim=8", "--set",
      "epochs=1", "--set", "nNeg=20", "--set", "verbose=false", "--k", "50", "--json",
      "--diagnostics",
    ])
    #expect(r.status == 0, "\(r.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any]
    let diagnostics = json?["diagnostics"] as? [String: Any]
    #expect(Set(diagnostics?.keys.map { $0 } ?? []) == ["start", "trained"])
    let trained = diagnostics?["trained"] as? [String: Any]
    let rare = trained?["rare"] as? [String: Any]
    #expect((rare?["tracks"] as? Int ?? 0) > 0)
    #expect(rare?["queryMeanCosine"] is Double)
  }

  @Test func modelWithoutTrackVectorsIsRefused() throws {
    let r = try ChorusBinary.run([
      "train", "--dataset", "synthetic:tiny", "--model", "cooccurrence", "--diagnostics",
    ])
    #expect(r.status == 64)
    #expect(r.stderr.contains("--diagnostics needs a model with track vectors"))
  }
}
