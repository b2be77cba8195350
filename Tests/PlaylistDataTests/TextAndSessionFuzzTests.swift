// Seeded, bounded fuzzing of the text and session readers: random byte edits of small valid
// files (flips, bytes that matter to the grammar, invalid UTF-8, truncations) either parse or
// throw a ChorusError — never another error, never a trap (which would crash the run).
import ChorusCore
import ChorusTestSupport
import Foundation
import PlaylistData
import Testing

@Suite struct TextAndSessionFuzzTests {
  /// Bytes the grammars care about, plus invalid UTF-8 leads and continuation bytes.
  static let interesting: [UInt8] = Array("\n\r\t ,\"#0789-.e".utf8) + [0, 0x80, 0xC0, 0xED, 0xFF]

  static func mutate(_ base: [UInt8], _ rng: inout RandomStream) -> [UInt8] {
    var b = base
    for _ in 0..<(1 + rng.nextInt(below: 4)) {
      guard !b.isEmpty else { break }
      let at = rng.nextInt(below: b.count)
      switch rng.nextInt(below: 5) {
      case 0: b[at] ^= UInt8(1) << UInt8(rng.nextInt(below: 8))
      case 1: b[at] = interesting[rng.nextInt(below: interesting.count)]
      case 2: b.insert(interesting[rng.nextInt(below: interesting.count)], at: at)
      case 3: b.remove(at: at)
      default: b.removeLast(b.count - at)
      }
    }
    return b
  }

  /// Parses `bytes` with `parse`; true when it parsed, false on a ChorusError.
  static func outcome(_ bytes: [UInt8], _ parse: (UnsafeRawBufferPointer) throws -> Dataset)
    -> Bool
  {
    do {
      let d = try bytes.withUnsafeBytes { try parse($0) }
      _ = DatasetStatistics(dataset: d, top: 2)
      return true
    } catch is ChorusError {
      return false
    } catch {
      Issue.record("unexpected error type: \(error)")
      return false
    }
  }

  @Test func textReaderNeverTraps() {
    let base = Array("a b c\n# comment\nc d   e\t f\n\n7 007 7\n".utf8)
    var rng = RandomStream(seed: 21, component: "text-fuzz")
    var parsed = 0
    for _ in 0..<2_000
    where Self.outcome(
      Self.mutate(base, &rng),
      {
        try TextFormat.parse($0, path: "fuzz.txt")
      })
    {
      parsed += 1
    }
    #expect(parsed > 0)
  }

  @Test func sessionReaderNeverTraps() {
    let base = Array(
      "session,item,time,artist\n1,a,10,x\n1,\"b,c\",5,\"y \"\"z\"\"\"\n2,c,1.5e3,\n007,d,-2,w\r\n"
        .utf8)
    var rng = RandomStream(seed: 22, component: "session-fuzz")
    var parsed = 0
    var refused = 0
    for _ in 0..<2_000 {
      if Self.outcome(
        Self.mutate(base, &rng),
        {
          try SessionFormat.parse($0, delimiter: UInt8(ascii: ","), path: "fuzz.csv")
        })
      {
        parsed += 1
      } else {
        refused += 1
      }
    }
    #expect(parsed > 0 && refused > 0)
  }
}
