// Many strings stored as one UTF-8 byte buffer plus offsets: 2.2M track URIs cost two
// allocations instead of 2.2M. Strings are materialised only when asked for; hot paths use
// dense ids and never touch this type.

/// An append-only list of UTF-8 strings in one contiguous buffer.
public struct StringPool: Sendable, Equatable {
  /// UTF-8 bytes of all strings, back to back; no separators.
  public private(set) var bytes: [UInt8]
  /// `count + 1` byte offsets into `bytes`; string i is `bytes[offsets[i]..<offsets[i+1]]`.
  public private(set) var offsets: [Int]

  public init() {
    bytes = []
    offsets = [0]
  }

  /// Builds a pool from raw parts (the binary cache); the caller has validated them.
  public init(bytes: [UInt8], offsets: [Int]) {
    precondition(offsets.first == 0 && offsets.last == bytes.count)
    self.bytes = bytes
    self.offsets = offsets
  }

  public var count: Int { offsets.count - 1 }

  public mutating func reserve(strings: Int, bytes byteCount: Int) {
    offsets.reserveCapacity(strings + 1)
    bytes.reserveCapacity(byteCount)
  }

  /// Appends a string's UTF-8 bytes; returns its index.
  @discardableResult
  public mutating func append(_ text: String) -> Int {
    bytes.append(contentsOf: text.utf8)
    offsets.append(bytes.count)
    return offsets.count - 2
  }

  /// Appends raw UTF-8 bytes (already validated); returns the index.
  @discardableResult
  public mutating func append(bytes raw: UnsafeRawBufferPointer) -> Int {
    bytes.append(contentsOf: raw)
    offsets.append(bytes.count)
    return offsets.count - 2
  }

  public subscript(i: Int) -> String {
    let start = offsets[i]
    let end = offsets[i + 1]
    return bytes.withUnsafeBufferPointer { buf in
      String(decoding: UnsafeBufferPointer(rebasing: buf[start..<end]), as: UTF8.self)
    }
  }

  /// Length in bytes of string i.
  @inline(__always)
  public func byteCount(_ i: Int) -> Int { offsets[i + 1] - offsets[i] }

  /// Calls `body` with the raw bytes of string i.
  @inline(__always)
  public func withBytes<R>(_ i: Int, _ body: (UnsafeRawBufferPointer) throws -> R) rethrows -> R {
    let start = offsets[i]
    let end = offsets[i + 1]
    return try bytes.withUnsafeBytes { raw in
      try body(UnsafeRawBufferPointer(rebasing: raw[start..<end]))
    }
  }

  /// All strings as an array (for tests and small outputs).
  public var strings: [String] { (0..<count).map { self[$0] } }
}
