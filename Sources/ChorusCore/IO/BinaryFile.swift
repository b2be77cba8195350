// Little binary container used by the dataset cache and model files: a 16-byte header
// (8-byte magic, UInt32 format version, UInt32 section count), then sections of (UInt64 byte
// length, payload padded to 8 bytes), then a UInt64 checksum of everything before it.
// Everything is checked on load; nothing read from the file is trusted, and no size read
// from it can trap an integer conversion or overflow an addition.
import Foundation

/// The original streaming checksum over 8-byte words (Fletcher-style pair of 64-bit sums).
///
/// Kept for the files and fingerprints that were defined with it (embedding models and
/// their dataset fingerprints). It misses some single-bit flips (a flip of a word's top bit
/// can cancel out), so new containers use `ContentHash64`.
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

/// A streaming 64-bit hash over every byte that detects every change confined to one
/// 8-byte word, in particular every single-bit flip.
///
/// Four lanes take the words in turn; each lane step is `h = rotl((h ^ w) &* P, 31)`. For a
/// fixed word this is a bijection of `h` (xor, multiplication by an odd constant and rotation
/// are all invertible), and for a fixed `h` it is a bijection of `w`. So changing one word
/// changes its lane's state, and every later step — which sees the same words — keeps the
/// states different. The lanes are folded with the same bijective step and a bijective
/// finaliser, with the byte count mixed in, so the final value differs too. Changes spread
/// over several words collide with probability about 2⁻⁶⁴, as for any good 64-bit hash.
/// Runs at several GB/s (the lanes hide the multiply latency).
public struct ContentHash64: Sendable {
  private var lanes: (UInt64, UInt64, UInt64, UInt64) = (
    0x243F_6A88_85A3_08D3, 0x1319_8A2E_0370_7344, 0xA409_3822_299F_31D0, 0x082E_FA98_EC4E_6C89
  )
  /// Bytes hashed so far.
  private var count: UInt64 = 0
  /// Whole words taken so far (selects the lane of the next word).
  private var words = 0
  /// Up to 7 bytes of an incomplete word, little-endian, waiting for the next `add`.
  private var pending: UInt64 = 0
  private var pendingCount = 0

  public init() {}

  @inline(__always)
  static func step(_ h: UInt64, _ w: UInt64) -> UInt64 {
    let m = (h ^ w) &* 0x9E37_79B9_7F4A_7C15
    return (m << 31) | (m >> 33)
  }

  @inline(__always)
  private mutating func take(_ w: UInt64) {
    switch words & 3 {
    case 0: lanes.0 = Self.step(lanes.0, w)
    case 1: lanes.1 = Self.step(lanes.1, w)
    case 2: lanes.2 = Self.step(lanes.2, w)
    default: lanes.3 = Self.step(lanes.3, w)
    }
    words &+= 1
  }

  /// Adds bytes; the stream may be cut into chunks anywhere (the hash depends only on the
  /// bytes). A final incomplete word is zero-padded, and the byte count is hashed too.
  public mutating func add(_ raw: UnsafeRawBufferPointer) {
    let n = raw.count
    count &+= UInt64(n)
    var i = 0
    while pendingCount > 0 && pendingCount < 8 && i < n {
      pending |= UInt64(raw[i]) << UInt64(8 * pendingCount)
      pendingCount += 1
      i += 1
    }
    if pendingCount == 8 {
      take(pending)
      pending = 0
      pendingCount = 0
    }
    while words & 3 != 0 && i + 8 <= n {
      take(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
      i += 8
    }
    if i + 32 <= n {
      var (l0, l1, l2, l3) = lanes
      while i + 32 <= n {
        l0 = Self.step(l0, raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
        l1 = Self.step(l1, raw.loadUnaligned(fromByteOffset: i + 8, as: UInt64.self))
        l2 = Self.step(l2, raw.loadUnaligned(fromByteOffset: i + 16, as: UInt64.self))
        l3 = Self.step(l3, raw.loadUnaligned(fromByteOffset: i + 24, as: UInt64.self))
        words &+= 4
        i += 32
      }
      lanes = (l0, l1, l2, l3)
    }
    while i + 8 <= n {
      take(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self))
      i += 8
    }
    while i < n {
      pending |= UInt64(raw[i]) << UInt64(8 * pendingCount)
      pendingCount += 1
      i += 1
    }
  }

  /// The hash of everything added so far.
  public var value: UInt64 {
    var copy = self
    if copy.pendingCount > 0 { copy.take(copy.pending) }
    var h = Self.step(copy.lanes.0, count)
    h = Self.step(h, copy.lanes.1)
    h = Self.step(h, copy.lanes.2)
    h = Self.step(h, copy.lanes.3)
    // Bijective avalanche (MurmurHash3's fmix64).
    h ^= h >> 33
    h &*= 0xFF51_AFD7_ED55_8CCD
    h ^= h >> 33
    h &*= 0xC4CE_B9FE_1A85_EC53
    h ^= h >> 33
    return h
  }

  /// The hash of `raw` in one call.
  public static func of(_ raw: UnsafeRawBufferPointer) -> UInt64 {
    var h = ContentHash64()
    h.add(raw)
    return h.value
  }
}

/// Which checksum closes a container. The writer and reader must agree, so a format that
/// switches to `.hash64` must bump its version.
public enum ContainerChecksum: Sendable {
  /// `Checksum64`: the original; misses some bit flips. For formats defined with it.
  case fletcher64
  /// `ContentHash64`: catches every single-bit flip. For new formats and versions.
  case hash64

  func compute(_ raw: UnsafeRawBufferPointer) -> UInt64 {
    switch self {
    case .fletcher64:
      var c = Checksum64()
      c.add(raw)
      return c.value
    case .hash64: return ContentHash64.of(raw)
    }
  }
}

/// The checksum state of a writer, for either kind.
private struct RunningChecksum {
  var kind: ContainerChecksum
  var fletcher = Checksum64()
  var hash = ContentHash64()

  mutating func add(_ raw: UnsafeRawBufferPointer) {
    switch kind {
    case .fletcher64: fletcher.add(raw)
    case .hash64: hash.add(raw)
    }
  }

  var value: UInt64 {
    switch kind {
    case .fletcher64: return fletcher.value
    case .hash64: return hash.value
    }
  }
}

/// Writes a binary container section by section to a file handle, buffering.
public struct BinaryWriter {
  private let handle: FileHandle
  private var buffer: [UInt8] = []
  private var checksum: RunningChecksum

  /// Starts a container; writes the header.
  /// - Parameter checksum: the closing checksum; `.hash64` for new formats.
  public init(
    handle: FileHandle, magic: String, version: UInt32, sections: Int,
    checksum: ContainerChecksum = .fletcher64
  ) throws {
    precondition(magic.utf8.count == 8, "magic must be 8 bytes")
    precondition(sections >= 0 && sections <= Int(UInt32.max), "bad section count")
    self.handle = handle
    self.checksum = RunningChecksum(kind: checksum)
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

/// An open file read sequentially with `read(2)`; closed when released.
final class SequentialFile {
  let fd: Int32
  let path: String
  let size: Int

  init(path: String) throws {
    self.path = path
    if FileIO.isDirectory(path) {
      throw ChorusError(.io, "is a folder, expected a file", file: path, hint: "check the path")
    }
    fd = open(path, O_RDONLY | O_CLOEXEC)
    if fd < 0 { throw FileIO.error(errno: errno, file: path, while: "open the file") }
    var st = stat()
    if fstat(fd, &st) != 0 {
      let e = errno
      close(fd)
      throw FileIO.error(errno: e, file: path, while: "read the file")
    }
    size = Int(st.st_size)
  }

  deinit { close(fd) }

  /// Fills `buffer` from the current position; a short file is an error.
  func readExactly(into buffer: UnsafeMutableRawBufferPointer) throws {
    var done = 0
    while done < buffer.count {
      let want = min(buffer.count - done, 1 << 30)
      let got = Foundation.read(fd, buffer.baseAddress! + done, want)
      if got < 0 {
        if errno == EINTR { continue }
        throw FileIO.error(errno: errno, file: path, while: "read the file")
      }
      if got == 0 {
        throw ChorusError(
          .data, "the file ended early (it changed while being read?)", file: path,
          hint: "read it again; if it persists, write the file again")
      }
      done += got
    }
  }
}

/// Reads a binary container, validating header, sizes and checksum.
///
/// Two sources: bytes in memory (`init(data:…)`, the checksum is checked first, before any
/// section is read), or a file read section by section straight into the arrays
/// (`init(contentsOf:…)`, peak memory ≈ the arrays; the checksum is computed while reading
/// and checked by `finish()`, which the caller must call after the last section).
public struct BinaryReader {
  private enum Source {
    case memory(Data)
    case file(SequentialFile, hash: ContentHash64)
  }
  private var source: Source
  private let path: String
  private let hint: String
  /// Size of the container in bytes.
  public let fileSize: Int
  private var offset = 16
  public let version: UInt32
  public let sectionCount: Int

  /// Validates magic, version range, and checksum of a container in memory; throws a
  /// ChorusError naming `path`.
  /// - Parameter checksum: the kind the format's writer used.
  public init(
    data: Data, path: String, magic: String, supportedVersions: ClosedRange<UInt32>, hint: String,
    checksum: ContainerChecksum = .fletcher64
  ) throws {
    self.path = path
    self.hint = hint
    fileSize = data.count
    (version, sectionCount) = try Self.checkHeader(
      data.prefix(16), size: data.count, path: path, magic: magic,
      supportedVersions: supportedVersions, hint: hint)
    let (stored, computed) = data.withUnsafeBytes { raw -> (UInt64, UInt64) in
      (
        raw.loadUnaligned(fromByteOffset: raw.count - 8, as: UInt64.self),
        checksum.compute(UnsafeRawBufferPointer(rebasing: raw[0..<(raw.count - 8)]))
      )
    }
    guard stored == computed else {
      throw ChorusError(.data, "checksum mismatch: the file is corrupt", file: path, hint: hint)
    }
    source = .memory(data)
  }

  /// Opens a container file to read it section by section (only `.hash64` containers:
  /// the hash is computed as the bytes stream in). Validates magic and version now; the
  /// checksum is checked by `finish()`.
  public init(
    contentsOf path: String, magic: String, supportedVersions: ClosedRange<UInt32>, hint: String
  ) throws {
    let file = try SequentialFile(path: path)
    self.path = path
    self.hint = hint
    fileSize = file.size
    var header = [UInt8](repeating: 0, count: min(16, file.size))
    try header.withUnsafeMutableBytes { try file.readExactly(into: $0) }
    (version, sectionCount) = try Self.checkHeader(
      Data(header), size: file.size, path: path, magic: magic,
      supportedVersions: supportedVersions, hint: hint)
    var hash = ContentHash64()
    header.withUnsafeBytes { hash.add($0) }
    source = .file(file, hash: hash)
  }

  private static func checkHeader(
    _ header: Data, size: Int, path: String, magic: String,
    supportedVersions: ClosedRange<UInt32>, hint: String
  ) throws -> (UInt32, Int) {
    guard size >= 24, size % 8 == 0, header.count == 16 else {
      throw ChorusError(
        .data, "file is truncated or padded (\(size) bytes, expected a multiple of 8)",
        file: path, hint: hint)
    }
    let found = header.prefix(8)
    guard found.elementsEqual(magic.utf8) else {
      let shown = String(decoding: found.map { $0 >= 32 && $0 < 127 ? $0 : 63 }, as: UTF8.self)
      throw ChorusError(
        .data, "bad magic (found '\(shown)', expected '\(magic)')", file: path, hint: hint)
    }
    let (v, s) = header.withUnsafeBytes { raw in
      (
        raw.loadUnaligned(fromByteOffset: 8, as: UInt32.self),
        raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self)
      )
    }
    guard supportedVersions.contains(v) else {
      let reads =
        supportedVersions.count == 1
        ? "version \(supportedVersions.lowerBound)" : "versions \(supportedVersions)"
      let age =
        v < supportedVersions.lowerBound
        ? "an older format" : "a newer format (or a corrupt header)"
      throw ChorusError(
        .data, "unsupported format version \(v): \(age); this build reads \(reads)",
        file: path, field: "version", hint: hint)
    }
    return (v, Int(s))
  }

  /// Bytes of payload not yet read (the trailing checksum excluded).
  public var remainingBytes: Int { fileSize - 8 - offset }

  /// Copies the next `buffer.count` bytes of the container into `buffer`.
  private mutating func take(_ buffer: UnsafeMutableRawBufferPointer) throws {
    switch source {
    case .memory(let data):
      if buffer.count > 0 {
        data.withUnsafeBytes { raw in
          buffer.copyMemory(
            from: UnsafeRawBufferPointer(rebasing: raw[offset..<(offset + buffer.count)]))
        }
      }
    case .file(let file, var hash):
      // Read and hash in slices small enough to stay in cache.
      var done = 0
      while done < buffer.count {
        let part = UnsafeMutableRawBufferPointer(
          rebasing: buffer[done..<min(buffer.count, done + (1 << 22))])
        try file.readExactly(into: part)
        hash.add(UnsafeRawBufferPointer(part))
        done += part.count
      }
      source = .file(file, hash: hash)
    }
    offset += buffer.count
  }

  /// Reads the next section as an array of `T`; checks its length (and `expectedCount`).
  ///
  /// The stored length is checked against the bytes left in the file before any arithmetic,
  /// so a huge or negative length is an error naming the section, never a trap.
  public mutating func readSection<T: BitwiseCopyable>(
    _ type: T.Type, expectedCount: Int? = nil, name: String
  ) throws -> [T] {
    guard remainingBytes >= 8 else {
      throw ChorusError(
        .data, "file ends before section '\(name)'", file: path, field: name, hint: hint)
    }
    var stored: UInt64 = 0
    try withUnsafeMutableBytes(of: &stored) { try take($0) }
    let stride = MemoryLayout<T>.stride
    let available = UInt64(remainingBytes)
    guard stored <= available, stored % UInt64(stride) == 0 else {
      throw ChorusError(
        .data,
        "section '\(name)' has an impossible size \(stored) bytes (\(available) bytes left)",
        file: path, field: name, hint: hint)
    }
    let n = Int(stored)
    let count = n / stride
    if let expectedCount, expectedCount != count {
      throw ChorusError(
        .data, "section '\(name)' holds \(count) values, the header says \(expectedCount)",
        file: path, field: name, hint: hint)
    }
    let padding = ((n + 7) & ~7) - n
    guard n + padding <= Int(available) else {
      throw ChorusError(
        .data, "section '\(name)' runs past the end of the file", file: path, field: name,
        hint: hint)
    }
    var failure: Error?
    let result = [T](unsafeUninitializedCapacity: count) { buf, initialized in
      do {
        try take(UnsafeMutableRawBufferPointer(buf))
        initialized = count
      } catch {
        failure = error
        initialized = 0
      }
    }
    if let failure { throw failure }
    var pad: UInt64 = 0
    try withUnsafeMutableBytes(of: &pad) {
      try take(UnsafeMutableRawBufferPointer(rebasing: $0[0..<padding]))
    }
    return result
  }

  /// Checks that every section was read and, for a file source, the checksum. Call after
  /// the last section.
  public mutating func finish() throws {
    guard remainingBytes == 0 else {
      throw ChorusError(
        .data, "\(remainingBytes) unexpected bytes after the last section", file: path,
        field: "sections", hint: hint)
    }
    if case .file(let file, let hash) = source {
      var stored: UInt64 = 0
      try withUnsafeMutableBytes(of: &stored) { try file.readExactly(into: $0) }
      guard stored == hash.value else {
        throw ChorusError(.data, "checksum mismatch: the file is corrupt", file: path, hint: hint)
      }
    }
  }
}
