// The binary container: sections round-trip; corruption, truncation, wrong magic and
// unsupported versions are refused with errors that name the file.
import ChorusCore
import ChorusTestSupport
import Foundation
import Testing

@Suite struct BinaryFileTests {
  func writeSample(_ path: String) throws {
    try FileIO.writeAtomically(to: path) { h in
      var w = try BinaryWriter(handle: h, magic: "TESTFILE", version: 2, sections: 2)
      try w.writeSection([Int32(1), 2, 3])
      try w.writeSection(Array("hello".utf8))
      try w.finish()
    }
  }

  @Test func roundTrip() throws {
    let dir = TemporaryDirectory()
    let path = dir.file("a.bin")
    try writeSample(path)
    var r = try BinaryReader(
      data: try FileIO.read(path), path: path, magic: "TESTFILE", supportedVersions: 1...2,
      hint: "h")
    #expect(r.version == 2)
    #expect(try r.readSection(Int32.self, expectedCount: 3, name: "a") == [1, 2, 3])
    #expect(try r.readSection(UInt8.self, name: "b") == Array("hello".utf8))
    #expect(dir.contents == ["a.bin"])  // no temp file left behind
  }

  @Test func corruptionIsDetected() throws {
    let dir = TemporaryDirectory()
    let path = dir.file("a.bin")
    try writeSample(path)
    var bytes = [UInt8](try FileIO.read(path))
    bytes[30] ^= 0x40
    let bad = dir.write("b.bin", bytes: bytes)
    let error = #expect(throws: ChorusError.self) {
      _ = try BinaryReader(
        data: try FileIO.read(bad), path: bad, magic: "TESTFILE", supportedVersions: 2...2,
        hint: "rebuild")
    }
    #expect(error?.message.contains("checksum") == true)
    #expect(error?.file == bad)
  }

  @Test func wrongMagicVersionAndTruncation() throws {
    let dir = TemporaryDirectory()
    let path = dir.file("a.bin")
    try writeSample(path)
    let data = try FileIO.read(path)
    let magic = #expect(throws: ChorusError.self) {
      _ = try BinaryReader(
        data: data, path: path, magic: "OTHERMAG", supportedVersions: 2...2, hint: "h")
    }
    #expect(magic?.message.contains("bad magic") == true)
    let version = #expect(throws: ChorusError.self) {
      _ = try BinaryReader(
        data: data, path: path, magic: "TESTFILE", supportedVersions: 3...3, hint: "h")
    }
    #expect(version?.message.contains("version 2") == true)
    let truncated = #expect(throws: ChorusError.self) {
      _ = try BinaryReader(
        data: data.prefix(16), path: path, magic: "TESTFILE", supportedVersions: 2...2, hint: "h")
    }
    #expect(truncated?.message.contains("truncated") == true)
  }

  @Test func errorDescriptionNamesThePlace() {
    let e = ChorusError(
      .data, "bad value", file: "x.json", line: 3, column: 7, field: "pid", hint: "fix it")
    #expect(e.description == "x.json:3:7: bad value (field 'pid'). Hint: fix it")
    let bytes: [UInt8] = Array("ab\ncd\nef".utf8)
    bytes.withUnsafeBytes { raw in
      let (l, c) = lineAndColumn(of: 4, in: raw)
      #expect(l == 2 && c == 2)
    }
  }
}

@Suite struct ContentHashTests {
  @Test func everySingleBitFlipChangesTheHash() {
    var rng = RandomStream(seed: 3, component: "hash")
    // 77 bytes: whole words in all four lanes plus a partial tail.
    let bytes = (0..<77).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
    let h0 = bytes.withUnsafeBytes { ContentHash64.of($0) }
    for bit in 0..<(bytes.count * 8) {
      var b = bytes
      b[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
      #expect(b.withUnsafeBytes { ContentHash64.of($0) } != h0, "bit \(bit)")
    }
  }

  @Test func streamingEqualsOneShotAndLengthCounts() {
    let bytes = (0..<200).map { UInt8(truncatingIfNeeded: $0 &* 37) }
    var h = ContentHash64()
    bytes.withUnsafeBytes { raw in
      h.add(UnsafeRawBufferPointer(rebasing: raw[0..<24]))
      h.add(UnsafeRawBufferPointer(rebasing: raw[24..<200]))
    }
    #expect(h.value == bytes.withUnsafeBytes { ContentHash64.of($0) })
    let zeros8 = [UInt8](repeating: 0, count: 8)
    let zeros16 = [UInt8](repeating: 0, count: 16)
    #expect(
      zeros8.withUnsafeBytes { ContentHash64.of($0) }
        != zeros16.withUnsafeBytes {
          ContentHash64.of($0)
        })
  }

  @Test func hugeSectionLengthIsAnErrorNotATrap() throws {
    let dir = TemporaryDirectory()
    let path = dir.file("a.bin")
    try FileIO.writeAtomically(to: path) { h in
      var w = try BinaryWriter(
        handle: h, magic: "TESTFILE", version: 1, sections: 1, checksum: .hash64)
      try w.writeSection([Int32(1), 2])
      try w.finish()
    }
    for huge in [UInt64.max, UInt64(Int64.max), UInt64(Int64.max) + 1, 1 << 40, 9] {
      var b = [UInt8](try FileIO.read(path))
      withUnsafeBytes(of: huge.littleEndian) { for i in 0..<8 { b[16 + i] = $0[i] } }
      let n = b.count - 8
      let c = b.withUnsafeBytes { ContentHash64.of(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
      withUnsafeBytes(of: c.littleEndian) { for i in 0..<8 { b[n + i] = $0[i] } }
      var r = try BinaryReader(
        data: Data(b), path: path, magic: "TESTFILE", supportedVersions: 1...1, hint: "h",
        checksum: .hash64)
      let e = #expect(throws: ChorusError.self) { _ = try r.readSection(Int32.self, name: "v") }
      #expect(e?.field == "v")
    }
  }
}
