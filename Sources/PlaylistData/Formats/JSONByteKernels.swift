// Branch-light byte kernels shared by the JSON reader and writer: 8-byte word loads, the SWAR
// mask that finds the end of a plain string run, digit and hex tests, and the UTF-8 sequence
// check. Pure functions over raw pointers; `loadWord` needs 8 readable bytes at its argument.

/// Loads 8 bytes as a little-endian word (byte 0 in the low bits).
@inline(__always)
func loadWord(_ q: UnsafePointer<UInt8>) -> UInt64 {
  UInt64(littleEndian: UnsafeRawPointer(q).loadUnaligned(as: UInt64.self))
}

/// Marks (bit 7 of a byte lane) the bytes of `w` that end the fast string scan: `"`, `\`,
/// control characters and non-ASCII. The lowest marked lane is always a true hit; lanes
/// above it may be false positives (borrows), which the caller never looks at.
@inline(__always)
func stringSpecialMask(_ w: UInt64) -> UInt64 {
  let ones: UInt64 = 0x0101_0101_0101_0101
  let highs: UInt64 = 0x8080_8080_8080_8080
  let q = w ^ (ones &* 0x22)
  let s = w ^ (ones &* 0x5C)
  let quote = (q &- ones) & ~q
  let slash = (s &- ones) & ~s
  let control = (w &- ones &* 0x20) & ~w
  return (quote | slash | control | w) & highs
}

@inline(__always)
func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }

/// Value of a hex digit, or 0xFF.
@inline(__always)
func hexValue(_ b: UInt8) -> UInt8 {
  if b &- UInt8(ascii: "0") < 10 { return b &- UInt8(ascii: "0") }
  let l = b | 0x20
  if l &- UInt8(ascii: "a") < 6 { return l &- UInt8(ascii: "a") &+ 10 }
  return 0xFF
}

/// Length (2–4) of the well-formed UTF-8 sequence whose lead byte (≥ 0x80) is at `q`, or 0
/// if it is malformed, overlong, a surrogate, above U+10FFFF or cut off by `end`.
func utf8SequenceLength(_ q: UnsafePointer<UInt8>, _ end: UnsafePointer<UInt8>) -> Int {
  let avail = end - q
  let b0 = q.pointee
  @inline(__always) func cont(_ i: Int) -> Bool { q[i] & 0xC0 == 0x80 }
  switch b0 {
  case 0xC2...0xDF:
    return avail >= 2 && cont(1) ? 2 : 0
  case 0xE0...0xEF:
    guard avail >= 3 else { return 0 }
    let b1 = q[1]
    let lo: UInt8 = b0 == 0xE0 ? 0xA0 : 0x80
    let hi: UInt8 = b0 == 0xED ? 0x9F : 0xBF
    return b1 >= lo && b1 <= hi && cont(2) ? 3 : 0
  case 0xF0...0xF4:
    guard avail >= 4 else { return 0 }
    let b1 = q[1]
    let lo: UInt8 = b0 == 0xF0 ? 0x90 : 0x80
    let hi: UInt8 = b0 == 0xF4 ? 0x8F : 0xBF
    return b1 >= lo && b1 <= hi && cont(2) && cont(3) ? 4 : 0
  default:
    return 0
  }
}
