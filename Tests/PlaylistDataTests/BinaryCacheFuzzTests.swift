// The .chorus cache never traps and never accepts corruption: every single-bit flip of a
// small cache (and a seeded sample of a bigger one) is refused, and seeded random mutations
// with a recomputed checksum — so that the validators behind the checksum are reached — either
// load or throw a ChorusError. A trap would crash the test run, so finishing is the assertion.
import ChorusCore
import ChorusTestSupport
import Foundation
import PlaylistData
import Testing

@Suite struct BinaryCacheFuzzTests {
  /// The bytes of `dataset` as a cache file.
  static func cacheBytes(_ dataset: Dataset) throws -> [UInt8] {
    let dir = TemporaryDirectory()
    let path = dir.file("d.chorus")
    try BinaryCache.write(dataset, to: path)
    return [UInt8](try FileIO.read(path))
  }

  /// Recomputes the trailing checksum, as a careless or hostile tool would.
  static func reseal(_ bytes: inout [UInt8]) {
    guard bytes.count >= 8, bytes.count % 8 == 0 else { return }
    let n = bytes.count - 8
    let h = bytes.withUnsafeBytes { ContentHash64.of(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
    withUnsafeBytes(of: h.littleEndian) { for i in 0..<8 { bytes[n + i] = $0[i] } }
  }

  /// A folder for mutated files read through the file path (`BinaryCache.read`).
  static let scratch = TemporaryDirectory()

  /// Loads `bytes` from memory and, when `viaFile`, also from a file (the streaming reader);
  /// returns true when it loaded, false when it threw a ChorusError. Both paths must agree;
  /// any other error fails the test. A loaded dataset is also summarised, to show it is usable.
  static func load(_ bytes: [UInt8], viaFile: Bool = false) -> Bool {
    func attempt(_ body: () throws -> Dataset) -> Bool {
      do {
        _ = DatasetStatistics(dataset: try body(), top: 3)
        return true
      } catch is ChorusError {
        return false
      } catch {
        Issue.record("unexpected error type: \(error)")
        return false
      }
    }
    let inMemory = attempt { try BinaryCache.decode(Data(bytes), path: "fuzz.chorus") }
    guard viaFile else { return inMemory }
    let path = scratch.write("fuzz-\(UUID().uuidString).chorus", bytes: bytes)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let fromFile = attempt { try BinaryCache.read(path: path) }
    #expect(fromFile == inMemory, "memory and file readers disagree")
    return fromFile
  }

  static let small = Fixtures.dataset([["a", "b", "c"], ["c", "d"], ["e"]])

  @Test func everySingleBitFlipOfASmallCacheIsRefused() throws {
    let bytes = try Self.cacheBytes(Self.small)
    #expect(Self.load(bytes))
    var refused = 0
    for bit in 0..<(bytes.count * 8) {
      var b = bytes
      b[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
      // Every 17th flip also goes through the file reader (file writes are slow here).
      if Self.load(b, viaFile: bit % 17 == 0) {
        Issue.record("flip of bit \(bit) went unnoticed")
      } else {
        refused += 1
      }
    }
    #expect(refused == bytes.count * 8)
  }

  @Test func sampledBitFlipsOfABiggerCacheAreRefused() throws {
    let bytes = try Self.cacheBytes(Fixtures.random(playlists: 300))
    var rng = RandomStream(seed: 12, component: "cache-flips")
    for _ in 0..<2_000 {
      let bit = rng.nextInt(below: bytes.count * 8)
      var b = bytes
      b[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
      #expect(!Self.load(b), "flip of bit \(bit) went unnoticed")
    }
  }

  /// Values that break naive code: negative, huge, off by one, overflowing.
  static let extremes: [Int64] = [
    Int64.min, -1, 0, 1, 2, 3, 7, 255, 1 << 31, Int64(Int32.max), 1 << 40, Int64.max - 1, Int64.max,
  ]

  @Test func everyWordSetToExtremesWithAValidChecksumNeverTraps() throws {
    let bytes = try Self.cacheBytes(Self.small)
    var loaded = 0
    var refused = 0
    for word in 0..<(bytes.count / 8 - 1) {
      for v in Self.extremes {
        var b = bytes
        withUnsafeBytes(of: v.littleEndian) { for i in 0..<8 { b[word * 8 + i] = $0[i] } }
        Self.reseal(&b)
        if Self.load(b, viaFile: word % 5 == 0) { loaded += 1 } else { refused += 1 }
      }
    }
    #expect(refused > 0)
    #expect(loaded + refused == (bytes.count / 8 - 1) * Self.extremes.count)
  }

  @Test func seededRandomMutationsNeverTrap() throws {
    let base = try Self.cacheBytes(Fixtures.random(playlists: 40, tracks: 60, lengths: 1...8))
    var rng = RandomStream(seed: 7, component: "cache-fuzz")
    var loaded = 0
    var refused = 0
    for round in 0..<3_000 {
      var b = base
      let edits = 1 + rng.nextInt(below: 3)
      for _ in 0..<edits {
        switch rng.nextInt(below: 5) {
        case 0:  // bit flip
          let bit = rng.nextInt(below: b.count * 8)
          b[bit / 8] ^= UInt8(1) << UInt8(bit % 8)
        case 1:  // random byte
          b[rng.nextInt(below: b.count)] = UInt8(truncatingIfNeeded: rng.next())
        case 2:  // an aligned word set to an extreme value
          let w = rng.nextInt(below: b.count / 8)
          let v = Self.extremes[rng.nextInt(below: Self.extremes.count)]
          withUnsafeBytes(of: v.littleEndian) { for i in 0..<8 { b[w * 8 + i] = $0[i] } }
        case 3:  // truncation (to a multiple of 8 or anywhere)
          let keep = rng.nextInt(below: b.count)
          b.removeLast(b.count - (rng.nextInt(below: 2) == 0 ? keep & ~7 : keep))
        default:  // a word inserted or removed
          let w = rng.nextInt(below: b.count / 8 + 1) * 8
          if rng.nextInt(below: 2) == 0 || b.count < 32 {
            b.insert(contentsOf: repeatElement(UInt8(rng.nextInt(below: 256)), count: 8), at: w)
          } else {
            b.removeSubrange(min(w, b.count - 8)..<min(w, b.count - 8) + 8)
          }
        }
        if b.count < 8 { break }
      }
      // Most rounds get a valid checksum, so the structural validators are what stops them.
      if round % 4 != 0 { Self.reseal(&b) }
      if Self.load(b, viaFile: round % 10 == 0) { loaded += 1 } else { refused += 1 }
    }
    #expect(loaded + refused == 3_000)
    #expect(refused > 0)
  }

  @Test func impossibleCountsNameTheField() throws {
    var b = try Self.cacheBytes(Self.small)
    // Header (16) + section length (8): the first count is the playlist count.
    withUnsafeBytes(of: Int64.max.littleEndian) { for i in 0..<8 { b[24 + i] = $0[i] } }
    Self.reseal(&b)
    let e = #expect(throws: ChorusError.self) {
      try BinaryCache.decode(Data(b), path: "x.chorus")
    }
    #expect(e?.file == "x.chorus")
    #expect(e?.field == "playlist count")
    #expect(e?.hint?.contains("chorus dataset convert") == true)
  }

  @Test func olderFormatVersionIsRefusedWithARebuildHint() throws {
    var b = try Self.cacheBytes(Self.small)
    b[8] = 1
    b[9] = 0
    b[10] = 0
    b[11] = 0
    let e = #expect(throws: ChorusError.self) {
      try BinaryCache.decode(Data(b), path: "old.chorus")
    }
    #expect(e?.message.contains("older format") == true)
    #expect(e?.hint?.contains("chorus dataset convert") == true)
  }

  @Test func duplicatePidsInACacheAreRefused() throws {
    let d = Fixtures.dataset([["a"], ["b"], ["c"]])
    let twin = Dataset(
      playlists: d.playlists, pids: [5, 9, 5], names: d.names, catalogue: d.catalogue)
    let e = #expect(throws: ChorusError.self) {
      try BinaryCache.decode(Data(try Self.cacheBytes(twin)), path: "dup.chorus")
    }
    #expect(e?.message.contains("playlist #1") == true)
    #expect(e?.message.contains("playlist #3") == true)
  }
}
