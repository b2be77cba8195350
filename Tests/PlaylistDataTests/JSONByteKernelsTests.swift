// The JSON byte kernels against plain per-byte twins: `stringSpecialMask` (SWAR over an
// 8-byte word) must mark every special byte (quote, backslash, control, non-ASCII) and
// nothing below the first one, for every byte value in every lane and on random blocks
// scanned word by word as the reader does; `utf8SequenceLength` must agree with a plain
// decoder (code point, overlong, surrogate and range checks) and with the standard library.
import ChorusCore
import Testing

@testable import PlaylistData

@Suite struct JSONByteKernelsTests {
  /// The plain rule: a byte ends the fast string scan when it is `"`, `\`, a control
  /// character or not ASCII.
  static func isSpecial(_ b: UInt8) -> Bool { b == 0x22 || b == 0x5C || b < 0x20 || b >= 0x80 }

  /// A little-endian word from 8 bytes (byte 0 in the low bits), built arithmetically.
  static func word(_ bytes: [UInt8]) -> UInt64 {
    var w: UInt64 = 0
    for (lane, b) in bytes.enumerated() { w |= UInt64(b) << (8 * lane) }
    return w
  }

  /// Checks the kernel's mask of one word against the plain rule, lane by lane: only bit 7
  /// of a lane may be set; every special lane is marked; the lowest marked lane is the first
  /// special byte (lanes above it may be false positives: the caller never reads them).
  static func checkMask(_ bytes: [UInt8], sourceLocation: SourceLocation = #_sourceLocation) {
    let m = stringSpecialMask(word(bytes))
    #expect(m & ~0x8080_8080_8080_8080 == 0, "\(bytes)", sourceLocation: sourceLocation)
    for lane in 0..<8 where isSpecial(bytes[lane]) {
      #expect(m >> (8 * lane + 7) & 1 == 1, "\(bytes) lane \(lane)", sourceLocation: sourceLocation)
    }
    let first = bytes.firstIndex(where: isSpecial)
    let lowest = m == 0 ? nil : m.trailingZeroBitCount / 8
    #expect(lowest == first, "\(bytes)", sourceLocation: sourceLocation)
  }

  @Test func everyByteInEveryLane() {
    // Backgrounds: plain letters, the bytes right next to the special ranges, and random
    // plain bytes.
    var rng = RandomStream(seed: 1, component: "test.json.lanes")
    let plain: [UInt8] = (0x20...0x7F).map { UInt8($0) }.filter { !Self.isSpecial($0) }
    var backgrounds: [[UInt8]] = [
      Array(repeating: UInt8(ascii: "a"), count: 8), Array(repeating: 0x20, count: 8),
      Array(repeating: 0x7F, count: 8), Array(repeating: 0x21, count: 8),
      Array(repeating: 0x23, count: 8), Array(repeating: 0x5B, count: 8),
      Array(repeating: 0x5D, count: 8),
    ]
    for _ in 0..<8 {
      backgrounds.append((0..<8).map { _ in plain[rng.nextInt(below: plain.count)] })
    }
    for background in backgrounds {
      for lane in 0..<8 {
        for v in 0...255 {
          var bytes = background
          bytes[lane] = UInt8(v)
          Self.checkMask(bytes)
        }
      }
    }
    // Two special bytes: every pair of lanes with a borrow-prone low byte below the other.
    for low in [UInt8(0x00), 0x01, 0x1F, 0x22, 0x5C, 0x80, 0xFF] {
      for high in [UInt8(0x00), 0x21, 0x23, 0x5B, 0x5D, 0x20, 0x7F, 0x80] {
        for i in 0..<8 {
          for j in (i + 1)..<8 {
            var bytes = backgrounds[0]
            bytes[i] = low
            bytes[j] = high
            Self.checkMask(bytes)
          }
        }
      }
    }
  }

  /// Random bytes, mostly plain with special ones sprinkled in.
  static func randomBlock(_ n: Int, _ rng: inout RandomStream) -> [UInt8] {
    (0..<n).map { _ in
      switch rng.nextInt(below: 10) {
      case 0: return [0x22, 0x5C, 0x00, 0x1F, 0x80, 0xC3, 0xFF][rng.nextInt(below: 7)]
      case 1: return UInt8(rng.nextInt(below: 256))
      default: return UInt8(0x20 + rng.nextInt(below: 0x60))
      }
    }
  }

  @Test func randomBlocksScannedWordByWord() {
    var rng = RandomStream(seed: 2, component: "test.json.blocks")
    for trial in 0..<4000 {
      let block = Self.randomBlock(trial % 2 == 0 ? 16 : 32, &rng)
      for start in stride(from: 0, to: block.count, by: 8) {
        Self.checkMask(Array(block[start..<(start + 8)]))
      }
      // The reader's loop: whole words until one is marked, then its lowest lane.
      var q = 0
      var found: Int? = nil
      block.withUnsafeBufferPointer { b in
        while block.count - q >= 8 {
          let m = stringSpecialMask(loadWord(b.baseAddress! + q))
          if m != 0 {
            found = q + m.trailingZeroBitCount / 8
            break
          }
          q += 8
        }
      }
      #expect(found == block.firstIndex(where: Self.isSpecial), "\(block)")
    }
  }

  // MARK: - UTF-8

  /// Plain twin: decode the sequence (lead byte gives the length, each continuation byte
  /// 10xxxxxx gives 6 bits), then reject what is cut off, overlong, a surrogate or above
  /// U+10FFFF.
  static func plainSequenceLength(_ bytes: [UInt8], available: Int) -> Int {
    let lead = bytes[0]
    let n: Int
    var cp: UInt32
    if lead & 0xE0 == 0xC0 {
      n = 2
      cp = UInt32(lead & 0x1F)
    } else if lead & 0xF0 == 0xE0 {
      n = 3
      cp = UInt32(lead & 0x0F)
    } else if lead & 0xF8 == 0xF0 {
      n = 4
      cp = UInt32(lead & 0x07)
    } else {
      return 0
    }
    if available < n { return 0 }
    for i in 1..<n {
      if bytes[i] & 0xC0 != 0x80 { return 0 }
      cp = cp << 6 | UInt32(bytes[i] & 0x3F)
    }
    let smallest: [UInt32] = [0, 0, 0x80, 0x800, 0x10000]
    if cp < smallest[n] { return 0 }
    if (0xD800...0xDFFF).contains(cp) || cp > 0x10FFFF { return 0 }
    return n
  }

  /// Kernel, plain twin and the standard library agree on `bytes` with `available` of them
  /// before the end.
  static func checkUTF8(
    _ bytes: [UInt8], available: Int, library: Bool = true,
    sourceLocation: SourceLocation = #_sourceLocation
  ) {
    let got = bytes.withUnsafeBufferPointer { b in
      utf8SequenceLength(b.baseAddress!, b.baseAddress! + available)
    }
    let expected = plainSequenceLength(bytes, available: available)
    #expect(got == expected, "\(bytes) available \(available)", sourceLocation: sourceLocation)
    // The standard library: the first `expected` bytes are one valid scalar (or, when 0,
    // no prefix of 2–4 available bytes is).
    for n in 2...4 where library && n <= available {
      let valid = String(validating: bytes[0..<n], as: UTF8.self)?.unicodeScalars.count == 1
      #expect(valid == (n == expected), "\(bytes) prefix \(n)", sourceLocation: sourceLocation)
    }
  }

  @Test func everyByteInEveryPositionOfASequence() {
    // Every lead byte ≥ 0x80 with every value in each of positions 1–3, the others
    // continuation bytes at the edges of their range (each lead has a valid second byte
    // among them: E0 and F0 need ≥ A0 / 90, ED and F4 ≤ 9F / 8F), and every shorter end.
    for lead in 0x80...0xFF {
      for filler in [UInt8(0x80), 0xBF] {
        for position in 1...3 {
          for v in 0...255 {
            var bytes = [UInt8(lead), filler, filler, filler]
            bytes[position] = UInt8(v)
            // The standard library's view is checked where the second byte varies (the
            // interesting bounds), to keep the test quick.
            Self.checkUTF8(bytes, available: 4, library: position == 1)
          }
        }
        for available in 1...3 {
          Self.checkUTF8([UInt8(lead), filler, filler, filler], available: available)
        }
      }
    }
  }

  @Test func randomBlocksWalkedSequenceBySequence() {
    var rng = RandomStream(seed: 3, component: "test.json.utf8")
    for trial in 0..<3000 {
      // Non-ASCII heavy: leads, continuations and ASCII mixed.
      let block: [UInt8] = (0..<(trial % 2 == 0 ? 16 : 32)).map { _ in
        switch rng.nextInt(below: 4) {
        case 0: return UInt8(0xC0 + rng.nextInt(below: 0x40))
        case 1, 2: return UInt8(0x80 + rng.nextInt(below: 0x40))
        default: return UInt8(rng.nextInt(below: 256))
        }
      }
      var i = 0
      while i < block.count {
        if block[i] < 0x80 {
          i += 1
          continue
        }
        let rest = Array(block[i...]) + [0, 0, 0]
        Self.checkUTF8(Array(rest.prefix(4)), available: min(4, block.count - i))
        let n = block.withUnsafeBufferPointer { b in
          utf8SequenceLength(b.baseAddress! + i, b.baseAddress! + b.count)
        }
        i += max(n, 1)
      }
    }
  }
}
