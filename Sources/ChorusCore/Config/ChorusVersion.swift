// The one version number of the lab: printed by `chorus --version`, written into every
// results folder's manifest and fingerprint, so a results folder is never resumed or
// merged with numbers from another version of the code. Bump it when results change.

/// The lab's version.
public enum ChorusVersion {
  /// The current version (semantic versioning).
  public static let current = "0.4.2"
}
