// Every study shipped in Experiments/ loads, validates, and names a model config and
// strategies the lab accepts — so a typo in a spec fails here, not in a user's first run —
// and its resolved form (spec.resolved.json) decodes back to the same spec.
import CollectiveAction
import Foundation
import Lab
import Recommenders
import Testing

@Suite struct ShippedSpecTests {
  /// The package's Experiments/ folder, found from this file's path.
  static var experimentsFolder: String {
    URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
      .deletingLastPathComponent().appendingPathComponent("Experiments").path
  }

  @Test func everyShippedSpecIsValid() throws {
    let files = try FileManager.default.contentsOfDirectory(atPath: Self.experimentsFolder)
      .filter { $0.hasSuffix(".json") }.sorted()
    #expect(files.contains("quickstart.json") && files.contains("rare-sharing.json"))
    for file in files {
      let spec = try ExperimentSpec.load(path: Self.experimentsFolder + "/" + file)
      try spec.validate()
      // spec.resolved.json (every default written out) decodes back to the same spec.
      let resolved = try JSONSerialization.jsonObject(with: spec.canonicalJSON())
      #expect(
        try ExperimentSpec.decode(try #require(resolved as? [String: Any])) == spec, "\(file)")
      #expect(spec.name + ".json" == file, "\(file) is named '\(spec.name)'")
    }
  }
}
