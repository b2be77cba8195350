// Slow path of the JSON reader: decodes the escapes of a string that has them into a reusable
// scratch buffer. Strings without escapes never come here; the reader hands their raw bytes
// on. The token was checked by JSONScanner.scanString, so decoding cannot fail.

/// A growable byte buffer reused across strings, so decoding allocates only when a string is
/// longer than any before it.
final class DecodeBuffer {
  /// Capacity bytes, uninitialised beyond what the last decode wrote.
  private(set) var pointer: UnsafeMutablePointer<UInt8>
  private(set) var capacity: Int

  init(capacity: Int = 256) {
    self.capacity = capacity
    pointer = .allocate(capacity: capacity)
  }

  deinit { pointer.deallocate() }

  /// Decodes `token` into the buffer and returns the decoded bytes (valid until the next call).
  func decode(_ token: JSONStringToken) -> UnsafeRawBufferPointer {
    // Decoding never lengthens a string: every escape is at least as long as its UTF-8.
    if token.count > capacity {
      pointer.deallocate()
      capacity = max(token.count, capacity * 2)
      pointer = .allocate(capacity: capacity)
    }
    let n = decodeJSONEscapes(token, into: pointer)
    return UnsafeRawBufferPointer(start: pointer, count: n)
  }
}

/// Decodes the escapes of a checked string token into `out` (room for `token.count` bytes);
/// returns the decoded length. `\uXXXX` pairs become one code point. JSONScanner refuses lone
/// surrogates (they have no UTF-8 form, and mapping them all to U+FFFD would merge distinct
/// ids), so the U+FFFD fallback below is only a guard for tokens that were not scanned.
func decodeJSONEscapes(_ token: JSONStringToken, into out: UnsafeMutablePointer<UInt8>) -> Int {
  var i = token.start
  let e = token.start + token.count
  var o = out
  while i < e {
    let b = i.pointee
    if b != UInt8(ascii: "\\") {
      o.pointee = b
      o += 1
      i += 1
      continue
    }
    let c = i[1]
    i += 2
    switch c {
    case UInt8(ascii: "u"):
      var cp = hex4(i)
      i += 4
      if cp >= 0xD800 && cp <= 0xDBFF {
        if e - i >= 6 && i[0] == UInt8(ascii: "\\") && i[1] == UInt8(ascii: "u") {
          let low = hex4(i + 2)
          if low >= 0xDC00 && low <= 0xDFFF {
            cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00)
            i += 6
          } else {
            cp = 0xFFFD
          }
        } else {
          cp = 0xFFFD
        }
      } else if cp >= 0xDC00 && cp <= 0xDFFF {
        cp = 0xFFFD
      }
      o = encodeUTF8(cp, o)
    case UInt8(ascii: "b"):
      o.pointee = 0x08
      o += 1
    case UInt8(ascii: "f"):
      o.pointee = 0x0C
      o += 1
    case UInt8(ascii: "n"):
      o.pointee = 0x0A
      o += 1
    case UInt8(ascii: "r"):
      o.pointee = 0x0D
      o += 1
    case UInt8(ascii: "t"):
      o.pointee = 0x09
      o += 1
    default:  // '"', '\\', '/'
      o.pointee = c
      o += 1
    }
  }
  return o - out
}

/// The value of 4 hex digits (already checked).
@inline(__always)
private func hex4(_ q: UnsafePointer<UInt8>) -> UInt32 {
  (UInt32(hexValue(q[0])) << 12) | (UInt32(hexValue(q[1])) << 8) | (UInt32(hexValue(q[2])) << 4)
    | UInt32(hexValue(q[3]))
}

/// Writes code point `cp` (≤ U+10FFFF, not a surrogate) as UTF-8; returns the next position.
@inline(__always)
private func encodeUTF8(_ cp: UInt32, _ o: UnsafeMutablePointer<UInt8>) -> UnsafeMutablePointer<
  UInt8
> {
  if cp < 0x80 {
    o[0] = UInt8(cp)
    return o + 1
  }
  if cp < 0x800 {
    o[0] = UInt8(0xC0 | (cp >> 6))
    o[1] = UInt8(0x80 | (cp & 0x3F))
    return o + 2
  }
  if cp < 0x10000 {
    o[0] = UInt8(0xE0 | (cp >> 12))
    o[1] = UInt8(0x80 | ((cp >> 6) & 0x3F))
    o[2] = UInt8(0x80 | (cp & 0x3F))
    return o + 3
  }
  o[0] = UInt8(0xF0 | (cp >> 18))
  o[1] = UInt8(0x80 | ((cp >> 12) & 0x3F))
  o[2] = UInt8(0x80 | ((cp >> 6) & 0x3F))
  o[3] = UInt8(0x80 | (cp & 0x3F))
  return o + 4
}
