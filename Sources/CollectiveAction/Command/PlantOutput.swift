// Writing what `chorus plant` produced: the manipulated dataset and its edit log appear
// together or not at all, and an MPD copy of an MPD input differs from it only in the
// collective's playlists (every other playlist's JSON is copied byte for byte).
import ChorusCore
import Foundation
import PlaylistData

/// Writes a `PlantOutcome` to disk.
///
/// The pair scheme: both outputs are first written under temporary sibling names
/// (`.<name>.<pid>.tmp`, the pattern of `FileIO`; an MPD folder is staged by
/// `FileIO.writeFolderAtomically`).
/// When the edit log lives inside the MPD folder (the default), the folder rename publishes
/// both at once. Otherwise the previous dataset is first removed (or moved aside, for a
/// folder), then the edit log is renamed into place, then the dataset: a reader can find an
/// edit log without a dataset after a kill, but never a dataset without its edit log, nor a
/// new dataset beside an old edit log. Temporary files of killed runs are removed on the next
/// run.
public enum PlantOutput {
  /// Writes `outcome.dataset` to `out` in `format` and the edit log to `edits`.
  ///
  /// With `source` the MPD JSON the dataset was read from (a folder for `.mpd`, a file for
  /// `.json`), the output is a copy of it in which only the collective's playlists are
  /// re-encoded (`MPDJSONWriter.writeCopy`); otherwise the whole dataset is encoded.
  /// - Throws: `ChorusError(.io)` if `out` is the input itself, or names a folder that holds
  ///   files plant does not write; the writers' errors. Nothing is left at `out` or `edits`
  ///   on failure.
  public static func write(
    _ outcome: PlantOutcome, format: DatasetFormat, out: String, edits: String,
    source: String? = nil
  ) throws {
    let outURL = URL(fileURLWithPath: out).standardizedFileURL
    let editsURL = URL(fileURLWithPath: edits).standardizedFileURL
    if let source, URL(fileURLWithPath: source).standardizedFileURL.path == outURL.path {
      throw ChorusError(
        .usage, "--out names the input dataset", file: out, field: "out",
        hint: "write the manipulated copy somewhere else; the input must stay clean")
    }
    let rewritten = Set(outcome.plant.collective)
    let copySource = source.flatMap { s -> String? in
      switch format {
      case .mpd: return FileIO.isDirectory(s) ? s : nil
      case .json: return !FileIO.isDirectory(s) && s.lowercased().hasSuffix(".json") ? s : nil
      default: return nil
      }
    }
    let editsInside = format == .mpd && editsURL.deletingLastPathComponent().path == outURL.path
    let editsTemp = temporarySibling(of: editsURL)
    if format == .mpd {
      let names: [String]
      if let copySource {
        names = try MPDJSONReader.sliceFiles(in: copySource).map {
          URL(fileURLWithPath: $0).lastPathComponent
        }
      } else {
        names = MPDJSONWriter.sliceNames(outcome.dataset.playlistCount)
      }
      do {
        let installEdits = { if !editsInside { try move(editsTemp, to: editsURL.path) } }
        func fill(_ staged: String) throws {
          if let copySource {
            try MPDJSONWriter.writeCopy(
              of: copySource, dataset: outcome.dataset, rewritten: rewritten, to: staged)
          } else {
            try MPDJSONWriter.writeSlices(outcome.dataset, into: staged)
          }
          try outcome.writeEdits(
            to: editsInside ? staged + "/" + editsURL.lastPathComponent : editsTemp)
        }
        try FileIO.writeFolderAtomically(
          to: outURL.path,
          replaceable: Set(names + (editsInside ? [editsURL.lastPathComponent] : [])),
          beforeInstall: installEdits, fill)
      } catch {
        try? FileManager.default.removeItem(atPath: editsTemp)
        throw error
      }
      return
    }
    if FileIO.isDirectory(outURL.path) {
      throw ChorusError(
        .io, "is a folder, expected a file", file: out,
        hint: "give a file name ending in .\(format.rawValue == "text" ? "txt" : format.rawValue)")
    }
    let dataTemp = temporarySibling(of: outURL)
    do {
      if let copySource {
        try MPDJSONWriter.writeCopy(
          of: copySource, dataset: outcome.dataset, rewritten: rewritten, to: dataTemp)
      } else {
        try format.write(outcome.dataset, to: dataTemp)
      }
      try outcome.writeEdits(to: editsTemp)
      if FileManager.default.fileExists(atPath: outURL.path) {
        try FileManager.default.removeItem(atPath: outURL.path)
      }
      try move(editsTemp, to: editsURL.path)
      try move(dataTemp, to: outURL.path)
    } catch {
      try? FileManager.default.removeItem(atPath: dataTemp)
      try? FileManager.default.removeItem(atPath: editsTemp)
      throw error
    }
  }

  /// The hidden temporary sibling of `url` (`.NAME.PID.tmp`), after removing those of
  /// killed writers.
  private static func temporarySibling(of url: URL) -> String {
    FileIO.removeStaleTemporaries(in: url.deletingLastPathComponent().path)
    return FileIO.temporaryPath(for: url.path)
  }

  private static func move(_ from: String, to: String) throws {
    guard rename(from, to) == 0 else {
      throw ChorusError(
        .io, "cannot move the finished file into place", file: to,
        hint: "check that the folder is writable")
    }
  }
}

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif
