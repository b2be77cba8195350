// The edit log as `edits.csv`: one row per collective playlist with its pid, where s* went,
// the two anchors (external track ids), their true and estimated training frequencies, and
// which of the two the strategy aimed at (`targeted`: direct or indirect).
// Written atomically; empty cells mean "no anchor" or "unknown estimate".
import ChorusCore

/// Writer of the edit log (`edits.csv`).
public enum EditsCSV {
  /// The header row. `position` is the 0-based index of s* in the new playlist (= number of
  /// songs before it); frequencies are over the training set before planting.
  public static let header =
    "pid,position,direct_anchor,indirect_anchor,direct_true_frequency,"
    + "direct_estimated_frequency,indirect_true_frequency,indirect_estimated_frequency,targeted"

  /// The CSV text (header plus one row per edit, `\n` line ends).
  ///
  /// - Parameters:
  ///   - pids: per dataset playlist, its external id.
  ///   - catalogue: names anchors by their external ids.
  ///   - trueCounts: per track, the true training frequency.
  ///   - statistics: the collective's estimates.
  /// - Complexity: O(edits).
  public static func text(
    edits: [PlantEdit], pids: [Int64], catalogue: Catalogue, trueCounts: [Int32],
    statistics: FrequencyEstimate
  ) -> String {
    var out = header + "\n"
    out.reserveCapacity(edits.count * 120)
    for e in edits {
      out += String(pids[e.playlist])
      out += ","
      out += String(e.position)
      out += ","
      out += anchorID(e.directAnchor, catalogue)
      out += ","
      out += anchorID(e.indirectAnchor, catalogue)
      for t in [e.directAnchor, e.indirectAnchor] {
        out += ","
        if t >= 0 { out += String(trueCounts[Int(t)]) }
        out += ","
        if t >= 0, let v = statistics.estimate(of: t) { out += formatNumber(v) }
      }
      out += ","
      out += e.targeted.rawValue
      out += "\n"
    }
    return out
  }

  /// Writes `text` to `path` atomically (temp file + rename).
  /// - Throws: `ChorusError(.io)` when the file cannot be written.
  public static func write(_ text: String, to path: String) throws {
    try FileIO.writeAtomically(text, to: path)
  }

  static func anchorID(_ t: Int32, _ catalogue: Catalogue) -> String {
    t >= 0 ? quoted(catalogue.trackIDs[Int(t)]) : ""
  }

  /// A CSV field, quoted (RFC 4180) only when it holds a comma, quote or line break.
  static func quoted(_ field: String) -> String {
    guard field.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) else {
      return field
    }
    return "\"" + field.replacingAll("\"", with: "\"\"") + "\""
  }

  /// Whole numbers without a fraction (`12`, not `12.0`); others in Swift's shortest form.
  static func formatNumber(_ v: Double) -> String {
    if v == v.rounded(), abs(v) < 9.0e15 { return String(Int64(v)) }
    return String(v)
  }
}

extension String {
  /// The string with every `target` character replaced by `replacement`.
  func replacingAll(_ target: Character, with replacement: String) -> String {
    var out = ""
    for ch in self {
      if ch == target { out += replacement } else { out.append(ch) }
    }
    return out
  }
}
