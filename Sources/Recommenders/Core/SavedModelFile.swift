// The part every saved model file shares (embedding "CHORUSEM", ALS "CHORUSAL", sequence
// "CHORUSSQ"): the container with its section count, a UInt64 header, the JSON settings, and
// the checks that a file belongs to the playlists at hand and to the settings asked for. Each
// model's loader calls these and reads only its own arrays; the messages are the same for all.
import ChorusCore
import Foundation

/// Opening and checking saved model files.
enum SavedModelFile {
  /// A file opened up to its settings: the reader stands after the header and JSON sections.
  struct Opened<Meta> {
    var reader: BinaryReader
    /// The UInt64 header section.
    var header: [UInt64]
    /// The decoded JSON section.
    var meta: Meta
  }

  /// Reads `path`, checks the container (magic, versions 1…`version`, checksum), the section
  /// count, the header's length and decodes the JSON settings.
  /// - Throws: `ChorusError(.io)` when unreadable, `ChorusError(.data)` naming the problem.
  static func open<Meta: Decodable>(
    _ path: String, magic: String, version: UInt32, checksum: ContainerChecksum, sections: Int,
    headerCount: Int, hint: String, as: Meta.Type
  ) throws -> Opened<Meta> {
    let data = try FileIO.read(path)
    var r = try BinaryReader(
      data: data, path: path, magic: magic, supportedVersions: 1...version, hint: hint,
      checksum: checksum)
    guard r.sectionCount == sections else {
      throw ChorusError(
        .data, "expected \(sections) sections, found \(r.sectionCount)", file: path, hint: hint)
    }
    let header = try r.readSection(UInt64.self, expectedCount: headerCount, name: "header")
    let metaBytes = try r.readSection(UInt8.self, name: "meta")
    let meta: Meta
    do {
      meta = try JSONDecoder().decode(Meta.self, from: Data(metaBytes))
    } catch DecodingError.keyNotFound(let key, _) {
      // Settings added since the file was written (each new setting defaults to the earlier
      // behaviour, but the file cannot say which version wrote it): ask for a fresh save.
      throw ChorusError(
        .data,
        "the model's settings lack '\(key.stringValue)': the file was saved by an earlier chorus",
        file: path, hint: "train and save the model again with this chorus")
    } catch {
      throw ChorusError(.data, "unreadable model settings: \(error)", file: path, hint: hint)
    }
    return Opened(reader: r, header: header, meta: meta)
  }

  /// Throws "the file is corrupt" unless `consistent` (the header agrees with the settings).
  static func requireConsistentHeader(_ consistent: Bool, path: String, hint: String) throws {
    guard consistent else {
      throw ChorusError(
        .data, "header and settings disagree: the file is corrupt", file: path, hint: hint)
    }
  }

  /// Throws unless the model was made from `playlists` (same sizes and CSR checksum).
  /// - Parameters:
  ///   - madeBy: the verb in the message ("trained", "fitted").
  ///   - remake: the hint, e.g. "retrain the embedding model on this dataset".
  static func requireSameData(
    _ saved: DatasetFingerprint, playlists: PlaylistStore, trackCount: Int, path: String,
    madeBy: String, remake: String
  ) throws {
    let current = DatasetFingerprint(playlists: playlists, trackCount: trackCount)
    guard saved == current else {
      throw ChorusError(
        .data,
        "saved model does not match the dataset (\(madeBy) on \(saved); this dataset has \(current))",
        file: path, hint: remake)
    }
  }

  /// Throws when settings were asked for (`expecting`) and the saved ones differ.
  /// - Parameters:
  ///   - madeBy: the verb in the message ("trained", "fitted").
  ///   - remake: the verb of the hint ("retrain", "fit", "train").
  static func requireConfig<Config: Equatable>(
    _ saved: Config, expecting: Config?, path: String, madeBy: String, remake: String
  ) throws {
    if let expecting, expecting != saved {
      throw ChorusError(
        .config, "saved model was \(madeBy) with a different config", file: path,
        hint: "\(remake) with the requested config, or load without one")
    }
  }

  /// Throws unless the saved track frequencies equal those of `playlists`.
  static func requireFrequencies(
    _ saved: [Int32], playlists: PlaylistStore, trackCount: Int, path: String, hint: String
  ) throws {
    guard saved == trackFrequencies(playlists, trackCount: trackCount) else {
      throw ChorusError(.data, "saved frequencies do not match the dataset", file: path, hint: hint)
    }
  }
}
