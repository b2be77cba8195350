// Reading an edit log back: the pids of the collective's playlists, which is what a detector's
// evaluation needs as ground truth. The rest of each row is not parsed; the header must be the
// one `EditsCSV` writes, so that a different CSV is refused instead of misread.
import ChorusCore
import Foundation

extension EditsCSV {
  /// The pids (first column) of an edit log written by `chorus plant`, in file order.
  /// - Throws: `ChorusError(.io)` when the file cannot be read; `ChorusError(.data)` naming the
  ///   line when the header differs or a pid is not an integer or repeats.
  /// - Complexity: O(file size).
  public static func readPIDs(path: String) throws -> [Int64] {
    guard let data = FileManager.default.contents(atPath: path) else {
      throw ChorusError(
        .io, "cannot read the edit log", file: path,
        hint: "give the edits.csv that 'chorus plant' wrote beside its dataset")
    }
    guard let text = String(data: data, encoding: .utf8) else {
      throw ChorusError(.data, "the edit log is not UTF-8 text", file: path)
    }
    var lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
      $0.hasSuffix("\r") ? $0.dropLast() : $0
    }
    if lines.last?.isEmpty == true { lines.removeLast() }
    guard let first = lines.first, first == header[...] else {
      throw ChorusError(
        .data, "not an edit log: the first line is not the header 'chorus plant' writes",
        file: path, line: 1, hint: "expected '\(header)'")
    }
    var pids: [Int64] = []
    var seen = Set<Int64>()
    for (i, line) in lines.enumerated().dropFirst() {
      let field = line.prefix { $0 != "," }
      guard let pid = Int64(field) else {
        throw ChorusError(
          .data, "'\(field)' is not an integer pid", file: path, line: i + 1, field: "pid",
          hint: "the edit log must come unchanged from 'chorus plant'")
      }
      guard seen.insert(pid).inserted else {
        throw ChorusError(
          .data, "pid \(pid) appears twice", file: path, line: i + 1, field: "pid",
          hint:
            "each collective playlist is edited once; regenerate the edit log with 'chorus plant'")
      }
      pids.append(pid)
    }
    return pids
  }
}
