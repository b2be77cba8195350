// The part every saved model file shares (embedding "CHORUSEM", ALS "CHORUSAL", sequence
// "CHORUSSQ"): the container with its section count, a UInt64 header, the JSON settings, and
// the checks that a file belongs to the playlists at hand and to the settings asked for. Each
// model's loader calls these and reads only its own arrays; the messages are the same for all.
// Settings decode tolerantly (`SavedSettings`): a key added since the file was saved takes
// its default, which is always the earlier behaviour; unknown or ill-typed keys are errors.
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
    } catch let e as SavedSettings.UnknownKey {
      throw ChorusError(
        .data,
        "the model's settings hold the unknown key '\(e.path)': the file was saved by a newer chorus",
        file: path, field: e.path, hint: "load it with the chorus that saved it, or \(hint)")
    } catch let e as DecodingError {
      let key = ConfigCoding.codingPath(e)
      throw ChorusError(
        .data,
        "unreadable model settings\(key.map { " at '\($0)'" } ?? ""): \(ConfigCoding.describe(e))",
        file: path, field: key, hint: hint)
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

/// Tolerant decoding of a saved model's settings (`init(from:)` of ALSConfig and
/// SequenceConfig): a key the file lacks takes the given default, because every setting added
/// so far defaults to the behaviour before it existed; a key present must have the right
/// type (null too is refused), and a key the config does not know is an error naming it.
/// Specs stay strict regardless: `ConfigCoding` refuses unknown keys before decoding and
/// hands the decoder every key.
enum SavedSettings {
  /// A key the settings do not know (`path` as "config.key" when nested).
  struct UnknownKey: Error {
    var path: String
  }

  /// Any string key, to list what a container holds.
  private struct AnyKey: CodingKey {
    var stringValue: String
    var intValue: Int? { nil }
    init(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
  }

  /// The keyed container of `decoder`, after checking that every key it holds is one of
  /// `Key`'s.
  /// - Throws: `UnknownKey` naming the first unknown key (sorted), or the decoder's error.
  static func container<Key: CodingKey>(_ decoder: Decoder, keyedBy: Key.Type) throws
    -> KeyedDecodingContainer<Key>
  {
    let all = try decoder.container(keyedBy: AnyKey.self)
    if let unknown = all.allKeys.map(\.stringValue).sorted().first(where: {
      Key(stringValue: $0) == nil
    }) {
      let path = (decoder.codingPath.map(\.stringValue) + [unknown]).joined(separator: ".")
      throw UnknownKey(path: path)
    }
    return try decoder.container(keyedBy: Key.self)
  }
}

extension KeyedDecodingContainer {
  /// The value of `key`, or `fallback` when the container lacks the key; a present key
  /// must decode as `T` (an explicit null is a type error, not a missing key).
  func savedValue<T: Decodable>(_ key: Key, or fallback: @autoclosure () -> T) throws -> T {
    contains(key) ? try decode(T.self, forKey: key) : fallback()
  }
}
