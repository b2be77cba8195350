// Little binary container used by the dataset cache (and later model files): a 16-byte
// header (8-byte magic, UInt32 format version, UInt32 section count), then sections of
// (UInt64 byte length, payload padded to 8 bytes), then a UInt64 checksum of everything
// before it. Everything is checked on load; nothing is trusted.
import Foundation

/// A streaming checksum over 8-byte words (Fletcher-style pair of 64-bit sums).
public struct Checksum64: Sendable {
  private var a: UInt64 = 0x243F_6A88_85A3_08D3
  private var b: UInt64 = 0x1319_8A2E_0370_7344
  public init() {}

  /// Adds bytes whose count is a multiple of 8.
  public mutating func add(_ raw: UnsafeRawBufferPointer) {
    precondition(raw.count % 8 == 0)
    var a = self.a
    var b = self.b
    var i = 0
    while i < raw.count {
      a = a &+ (raw.loadUnaligned(fromByteOffset: i, as: UInt64.self) ^ 0x9E37_79B9_7F4A_7C15)
      b = b &+ a
      i += 8
    }
    self.a = a
    self.b = b
  }

  public var value: UInt64 { a ^ (b &* 0x94D0_49BB_1331_11EB) }
}

/// Writes a binary container section by section to a file handle, buffering.
public struct BinaryWriter {
  private let handle: FileHandle
  private var buffer: [UInt8] = []
  private var checksum = Checksum64()

  /// Starts a container; writes the header.
  public init(handle: FileHandle, magic: String, version: UInt32, sections: Int) throws {
    precondition(magic.utf8.count == 8, "magic must be 8 bytes")
    self.handle = handle
    buffer.reserveCapacity(1 << 20)
    append(bytes: Array(magic.utf8))
    var v = version
    var s = UInt32(sections)
    withUnsafeBytes(of: &v) { buffer.append(contentsOf: $0) }
    withUnsafeBytes(of: &s) { buffer.append(contentsOf: $0) }
    try flush()
  }

  private mutating func append(bytes: [UInt8]) { buffer.append(contentsOf: bytes) }

  private mutating func flush() throws {
    buffer.withUnsafeBytes { checksum.add($0) }
    try handle.write(contentsOf: buffer)
    buffer.removeAll(keepingCapacity: true)
  }

  /// Writes one section holding the raw bytes of `values`.
  public mutating func writeSection<T: BitwiseCopyable>(_ values: [T]) throws {
    var n = UInt64(values.count * MemoryLayout<T>.stride)
    withUnsafeBytes(of: &n) { buffer.append(contentsOf: $0) }
    try values.withUnsafeBytes { raw in
      var off = 0
      while off < raw.count {
        let end = min(raw.count, off + (1 << 22))
        buffer.append(contentsOf: UnsafeRawBufferPointer(rebasing: raw[off..<end]))
        off = end
        if buffer.count >= 1 << 22 {
          let whole = buffer.count & ~7
          let rest = Array(buffer[whole...])
          buffer.removeLast(buffer.count - whole)
          try flush()
          buffer.append(contentsOf: rest)
        }
      }
    }
    while buffer.count % 8 != 0 { buffer.append(0) }
    try flush()
  }

  /// Writes the trailing checksum. Call once, last.
  public mutating func finish() throws {
    var c = checksum.value
    try handle.write(contentsOf: withUnsafeBytes(of: &c) { Data($0) })
  }
}

/// Reads a binary container from memory, validating header, sizes and checksum.
public struct BinaryReader {
  private let data: Data
  private let path: String
  private var offset = 16
  public let version: UInt32
  public let sectionCount: Int

  /// Validates magic, version range, and checksum; throws a ChorusError naming `path`.
  public init(
    data: Data, path: String, magic: String, supportedVersions: ClosedRange<UInt32>, hint: String
  ) throws {
    self.data = data
    self.path = path
    guard data.count >= 24, data.count % 8 == 0 else {
      throw ChorusError(.data, "file is truncated (\(data.count) bytes)", file: path, hint: hint)
    }
    let found = data.prefix(8)
    guard found.elementsEqual(magic.utf8) else {
      let shown = String(decoding: found.map { $0 >= 32 && $0 < 127 ? $0 : 63 }, as: UTF8.self)
      throw ChorusError(
        .data, "bad magic (found '\(shown)', expected '\(magic)')", file: path, hint: hint)
    }
    let (v, s, stored, computed) = data.withUnsafeBytes { raw -> (UInt32, UInt32, UInt64, UInt64) in
      var c = Checksum64()
      c.add(UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 8)]))
      return (
        raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self),
        raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self),
        raw.loadUnaligned(fromByteOffset: raw.count - 8, as: UInt64.self), c.value
      )
    }
    guard supportedVersions.contains(v) else {
      throw ChorusError(
        .data, "unsupported format version \(v) (this build reads \(supportedVersions))",
        file: path, hint: hint)
    }
    guard stored == computed else {
      throw ChorusError(.data, "checksum mismatch: the file is corrupt", file: path, hint: hint)
    }
    version = v
    sectionCount = Int(s)
  }

  /// Reads the next section as an array of `T`; checks its length (and `expectedCount`).
  public mutating func readSection<T: BitwiseCopyable>(
    _ type: T.Type, expectedCount: Int? = nil, name: String
  ) throws -> [T] {
    guard offset + 8 <= data.count - 8 else {
      throw ChorusError(.data, "file ends before section '\(name)'", file: path)
    }
    let n = data.withUnsafeBytes { Int($0.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
    let stride = MemoryLayout<T>.stride
    guard n >= 0, n % stride == 0, offset + 8 + n <= data.count - 8 else {
      throw ChorusError(.data, "section '\(name)' has an impossible size \(n)", file: path)
    }
    let count = n / stride
    if let expectedCount, expectedCount != count {
      throw ChorusError(
        .data, "section '\(name)' holds \(count) values, header says \(expectedCount)", file: path)
    }
    let start = offset + 8
    let result = [T](unsafeUninitializedCapacity: count) { buf, initialized in
      data.withUnsafeBytes { raw in
        if n > 0 {
          UnsafeMutableRawBufferPointer(buf).copyMemory(
            from: UnsafeRawBufferPointer(rebasing: raw[start..<(start + n)]))
        }
      }
      initialized = count
    }
    offset = start + ((n + 7) & ~7)
    return result
  }
}
