// Values written in specs and records as their text name (a strategy "hybrid:tau=2", a
// statistics source "sample:0.1"): one Codable conformance for all of them, decoding through
// the type's own name parser so a bad name fails with that parser's ChorusError.

/// A value that is Codable as its name, a single string.
public protocol NameCodable: Codable {
  /// Parses a name.
  /// - Throws: `ChorusError` for a name the type does not have.
  init(name: String) throws
  /// The canonical name; `init(name:)` of it gives the value back.
  var name: String { get }
}

extension NameCodable {
  /// Decodes a name string through `init(name:)`; a bad name throws its ChorusError.
  public init(from decoder: any Decoder) throws {
    let container = try decoder.singleValueContainer()
    try self.init(name: try container.decode(String.self))
  }

  /// Encodes the value as its name string.
  public func encode(to encoder: any Encoder) throws {
    var container = encoder.singleValueContainer()
    try container.encode(name)
  }
}
