// Tests that pin research findings (as opposed to invariants every correct lab satisfies)
// carry the `.finding` tag and run only when CHORUS_FINDINGS=1: they train real models and
// belong in a release build (`.ci/run` runs them so), not in the quick `swift test` lane.
import Foundation
import Testing

extension Tag {
  /// A test that pins a measured research result; see `Findings.enabled`.
  @Tag public static var finding: Self
}

/// Whether the findings lane is on (environment variable CHORUS_FINDINGS=1).
public enum Findings {
  public static var enabled: Bool { ProcessInfo.processInfo.environment["CHORUS_FINDINGS"] == "1" }
}
