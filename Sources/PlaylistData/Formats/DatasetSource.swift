// Recognises dataset paths by what they are and dispatches to the right reader or writer:
// `synthetic:<preset>[:<seed>]`, a folder of MPD slices, `.json`, `.txt`, `.tsv`/`.csv`,
// `.chorus`. Every command that reads or writes a dataset goes through here, so the rule
// is the same everywhere.
import ChorusCore
import Foundation

/// Where a dataset comes from.
public enum DatasetSource: Sendable, Equatable, CustomStringConvertible {
  case synthetic(SyntheticPreset, seed: UInt64)
  case mpdFolder(String)
  case mpdFile(String)
  case text(String)
  case sessions(String)
  case cache(String)

  /// Classifies `spec` (a path or `synthetic:<preset>[:<seed>]`); throws with a hint when the
  /// kind cannot be told.
  public init(_ spec: String) throws {
    if spec.hasPrefix("synthetic:") {
      let parts = spec.dropFirst("synthetic:".count).split(
        separator: ":", omittingEmptySubsequences: false)
      let names = SyntheticPreset.allCases.map(\.rawValue).joined(separator: ", ")
      guard let first = parts.first, let preset = SyntheticPreset(rawValue: String(first)) else {
        throw ChorusError(
          .config, "unknown synthetic preset in '\(spec)'", field: "dataset",
          hint: "use synthetic:<preset> with a preset among \(names)")
      }
      var seed: UInt64 = 0
      if parts.count == 2 {
        guard let s = UInt64(parts[1]) else {
          throw ChorusError(
            .config, "bad seed '\(parts[1])' in '\(spec)'", field: "dataset",
            hint: "write synthetic:\(preset.rawValue):<non-negative integer>")
        }
        seed = s
      } else if parts.count > 2 {
        throw ChorusError(
          .config, "malformed '\(spec)'", field: "dataset", hint: "use synthetic:<preset>[:<seed>]")
      }
      self = .synthetic(preset, seed: seed)
      return
    }
    if FileIO.isDirectory(spec) {
      self = .mpdFolder(spec)
      return
    }
    switch (spec as NSString).pathExtension.lowercased() {
    case "json": self = .mpdFile(spec)
    case "txt": self = .text(spec)
    case "tsv", "csv": self = .sessions(spec)
    case "chorus": self = .cache(spec)
    default:
      if !FileManager.default.fileExists(atPath: spec) {
        throw ChorusError(
          .io, "no such file or folder", file: spec,
          hint:
            "give a folder of mpd.slice.*.json files, a .json, .txt, .tsv, .csv or .chorus file, or synthetic:<preset>"
        )
      }
      throw ChorusError(
        .config, "cannot tell the dataset format from the name", file: spec,
        hint: "use a folder of MPD slices or a file ending in .json, .txt, .tsv, .csv or .chorus")
    }
  }

  public var description: String {
    switch self {
    case .synthetic(let p, let seed):
      return seed == 0 ? "synthetic:\(p.rawValue)" : "synthetic:\(p.rawValue):\(seed)"
    case .mpdFolder(let p), .mpdFile(let p), .text(let p), .sessions(let p), .cache(let p): return p
    }
  }

  /// Loads the dataset.
  ///
  /// - Throws: a `ChorusError` from the reader, or `ChorusError(.data)` naming both places
  ///   when two playlists share a pid (session files and caches check this as they read).
  public func load() throws -> Dataset {
    switch self {
    case .synthetic(let preset, let seed):
      return SyntheticGenerator.generate(preset: preset, seed: seed)
    case .mpdFolder(let p):
      let d = try MPDJSONReader.read(path: p)
      if PlaylistIDCheck.firstDuplicate(d.pids) != nil {
        let origins = try MPDOrigins(folder: p)
        try PlaylistIDCheck.requireUnique(d.pids, source: p, describe: origins.describe)
      }
      return d
    case .mpdFile(let p):
      let d = try MPDJSONReader.read(path: p)
      try PlaylistIDCheck.requireUnique(
        d.pids, source: p, describe: { "playlist #\($0 + 1) of the file" })
      return d
    case .text(let p):
      // Pids are line indices, distinct by construction.
      return try TextFormat.read(path: p)
    case .sessions(let p): return try SessionFormat.read(path: p)
    case .cache(let p): return try BinaryCache.read(path: p)
    }
  }

  /// Convenience: classify and load.
  public static func load(_ spec: String) throws -> Dataset { try DatasetSource(spec).load() }
}

/// Which slice file of a folder each playlist came from; built only to explain an error, by
/// parsing each slice on its own.
struct MPDOrigins {
  /// Slice files in reading order, with the index of their first playlist.
  var files: [(path: String, first: Int)] = []

  init(folder: String) throws {
    var first = 0
    for file in try MPDJSONReader.sliceFiles(in: folder) {
      var builder = DatasetBuilder()
      let data = try FileIO.read(file)
      try data.withUnsafeBytes { try MPDJSONReader.parse($0, path: file, into: &builder) }
      files.append((file, first))
      first += builder.playlistCount
    }
  }

  /// "playlist #k of FILE" for playlist `index` of the whole folder.
  func describe(_ index: Int) -> String {
    guard let f = files.last(where: { $0.first <= index }) else { return "playlist #\(index + 1)" }
    let name = (f.path as NSString).lastPathComponent
    return "playlist #\(index - f.first + 1) of \(name)"
  }
}

/// The formats Chorus writes.
public enum DatasetFormat: String, CaseIterable, Sendable {
  /// A folder of MPD slice files, 1,000 playlists each.
  case mpd
  /// One MPD slice JSON file.
  case json
  /// One playlist per line.
  case text
  /// The binary cache.
  case chorus

  /// The format for `path`: `explicit` if given, else from the extension.
  public static func resolve(path: String, explicit: String?) throws -> DatasetFormat {
    if let explicit {
      guard let f = DatasetFormat(rawValue: explicit.lowercased()) else {
        throw ChorusError(
          .usage, "unknown format '\(explicit)'", field: "format",
          hint: "use one of \(allCases.map(\.rawValue).joined(separator: ", "))")
      }
      return f
    }
    switch (path as NSString).pathExtension.lowercased() {
    case "chorus": return .chorus
    case "txt": return .text
    case "json": return .json
    default:
      throw ChorusError(
        .usage, "cannot tell the output format of '\(path)'", field: "out",
        hint:
          "end the path in .chorus, .txt or .json, or pass --format mpd to write a folder of slices"
      )
    }
  }

  /// Writes `dataset` to `path` in this format (atomically, file by file).
  public func write(_ dataset: Dataset, to path: String) throws {
    switch self {
    case .mpd: try MPDJSONWriter.writeFolder(dataset, to: path)
    case .json: try MPDJSONWriter.writeFile(dataset, to: path)
    case .text: try TextFormat.write(dataset, to: path)
    case .chorus: try BinaryCache.write(dataset, to: path)
    }
  }
}
