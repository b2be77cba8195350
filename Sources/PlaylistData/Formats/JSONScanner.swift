// Byte-level JSON cursor used by the MPD reader: whitespace, strings (escapes checked, lone
// surrogates refused, UTF-8 validated), numbers, literals and generic skipping of any value, over raw pointers.
// It knows no schema and allocates nothing. Failures carry a byte offset; the reader turns
// them into a ChorusError with line and column, so the fast path never counts lines.

/// A parse failure at a byte offset of the input; the reader converts it to a `ChorusError`.
struct JSONParseFailure: Error {
  /// Byte offset of the offending byte (may equal the input length at end of file).
  var offset: Int
  var message: String
  var field: String?
  var hint: String?
}

/// A string token as it appears between its quotes, escapes not yet decoded.
struct JSONStringToken {
  /// First byte after the opening quote.
  var start: UnsafePointer<UInt8>
  /// Number of raw bytes between the quotes.
  var count: Int
  /// True when the raw bytes hold at least one backslash escape.
  var hasEscapes: Bool

  /// The raw bytes; only meaningful as text when `hasEscapes` is false.
  @inline(__always) var raw: UnsafeRawBufferPointer {
    UnsafeRawBufferPointer(start: start, count: count)
  }
}

/// Hints shared by the JSON errors.
enum JSONHint {
  static let syntax = "the file is not valid JSON; write it again or check it with a JSON validator"
  static let truncated = "the file is truncated; download or write it again"
  static let utf8 = "JSON text must be UTF-8; convert the file to UTF-8"
}

/// A forward-only cursor over JSON bytes. `p` is the current position, `end` one past the last.
struct JSONScanner {
  /// Maximum nesting of arrays and objects; deeper input is rejected instead of overflowing
  /// the stack.
  static let maxDepth = 512

  let base: UnsafePointer<UInt8>
  let end: UnsafePointer<UInt8>
  var p: UnsafePointer<UInt8>

  init(base: UnsafePointer<UInt8>, count: Int) {
    self.base = base
    self.end = base + count
    self.p = base
  }

  @inline(__always) var offset: Int { p - base }
  @inline(__always) var atEnd: Bool { p >= end }
  /// The current byte, or 0 at end of input (0 is never valid JSON structure).
  @inline(__always) var peek: UInt8 { p < end ? p.pointee : 0 }

  // MARK: - Errors

  /// A failure at `at` (default: the current position); end of input reads as truncation.
  func failure(
    _ message: String, at: UnsafePointer<UInt8>? = nil, field: String? = nil, hint: String? = nil
  ) -> JSONParseFailure {
    let q = at ?? p
    if q >= end {
      return JSONParseFailure(
        offset: end - base, message: "unexpected end of file while reading JSON (\(message))",
        field: field, hint: JSONHint.truncated)
    }
    return JSONParseFailure(
      offset: q - base, message: message, field: field, hint: hint ?? JSONHint.syntax)
  }

  /// Names the kind of value starting at the current byte, for type errors.
  func describeValue() -> String {
    switch peek {
    case UInt8(ascii: "\""): return "a string"
    case UInt8(ascii: "{"): return "an object"
    case UInt8(ascii: "["): return "an array"
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return "a number"
    case UInt8(ascii: "t"), UInt8(ascii: "f"): return "a boolean"
    case UInt8(ascii: "n"): return "null"
    case 0 where atEnd: return "the end of the file"
    default: return "'\(String(decoding: [peek], as: UTF8.self))'"
    }
  }

  // MARK: - Whitespace

  /// Skips JSON whitespace; runs of spaces (indentation) go 8 bytes at a time.
  @inline(__always)
  mutating func skipWhitespace() {
    var q = p
    let e = end
    while q < e {
      let b = q.pointee
      if b == 0x20 {
        q += 1
        while e - q >= 8 {
          let w = loadWord(q) ^ 0x2020_2020_2020_2020
          if w != 0 {
            q += w.trailingZeroBitCount &>> 3
            break
          }
          q += 8
        }
      } else if b == 0x0A || b == 0x0D || b == 0x09 {
        q += 1
      } else {
        break
      }
    }
    p = q
  }

  // MARK: - Structure

  /// Moves to the next key of an object whose `{` was consumed; returns nil after its `}`.
  /// On return with a key, `p` is at the first byte of the value.
  @inline(__always)
  mutating func nextKey(first: inout Bool) throws(JSONParseFailure) -> JSONStringToken? {
    skipWhitespace()
    let b = peek
    if first {
      first = false
      if b == UInt8(ascii: "}") {
        p += 1
        return nil
      }
    } else if b == UInt8(ascii: ",") {
      p += 1
      skipWhitespace()
    } else if b == UInt8(ascii: "}") {
      p += 1
      return nil
    } else {
      throw failure("expected ',' or '}' after a value in an object")
    }
    guard peek == UInt8(ascii: "\"") else {
      if peek == UInt8(ascii: "}") { throw failure("trailing comma before '}'") }
      throw failure("expected a key (a string) in an object")
    }
    let key = try scanString()
    skipWhitespace()
    guard peek == UInt8(ascii: ":") else { throw failure("expected ':' after a key") }
    p += 1
    skipWhitespace()
    return key
  }

  /// Moves to the next element of an array whose `[` was consumed; returns false after its `]`.
  /// On return true, `p` is at the first byte of the element.
  @inline(__always)
  mutating func nextElement(first: inout Bool) throws(JSONParseFailure) -> Bool {
    skipWhitespace()
    let b = peek
    if first {
      first = false
      if b == UInt8(ascii: "]") {
        p += 1
        return false
      }
    } else if b == UInt8(ascii: ",") {
      p += 1
      skipWhitespace()
    } else if b == UInt8(ascii: "]") {
      p += 1
      return false
    } else {
      throw failure("expected ',' or ']' after a value in an array")
    }
    if peek == UInt8(ascii: "]") {
      throw failure("trailing comma before ']'")
    }
    if atEnd { throw failure("expected a value") }
    return true
  }

  // MARK: - Values

  /// Skips any JSON value starting at `p`, checking its syntax. `depth` = enclosing containers.
  mutating func skipValue(depth: Int) throws(JSONParseFailure) {
    switch peek {
    case UInt8(ascii: "\""):
      _ = try scanString()
    case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
      try skipNumber()
    case UInt8(ascii: "{"):
      try checkDepth(depth)
      p += 1
      var first = true
      while try nextKey(first: &first) != nil { try skipValue(depth: depth + 1) }
    case UInt8(ascii: "["):
      try checkDepth(depth)
      p += 1
      var first = true
      while try nextElement(first: &first) { try skipValue(depth: depth + 1) }
    case UInt8(ascii: "t"): try skipLiteral("true")
    case UInt8(ascii: "f"): try skipLiteral("false")
    case UInt8(ascii: "n"): try skipLiteral("null")
    default:
      throw failure("expected a JSON value, found \(describeValue())")
    }
  }

  private func checkDepth(_ depth: Int) throws(JSONParseFailure) {
    if depth >= Self.maxDepth {
      throw failure(
        "arrays and objects are nested more than \(Self.maxDepth) deep",
        hint: "MPD slices nest only a few levels; this is not an MPD slice")
    }
  }

  /// Skips `true`, `false` or `null` (the caller saw its first byte).
  mutating func skipLiteral(_ word: StaticString) throws(JSONParseFailure) {
    let n = word.utf8CodeUnitCount
    guard end - p >= n else { throw failure("bad literal", at: end) }
    let w = word.utf8Start
    for i in 0..<n where p[i] != w[i] {
      throw failure("bad literal (expected '\(word)')")
    }
    p += n
  }

  /// True if the literal `null` starts at `p` (then it is consumed).
  @inline(__always)
  mutating func skipNull() throws(JSONParseFailure) -> Bool {
    guard peek == UInt8(ascii: "n") else { return false }
    try skipLiteral("null")
    return true
  }

  /// Skips a number, checking the JSON grammar `-?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?`.
  mutating func skipNumber() throws(JSONParseFailure) {
    let e = end
    var q = p
    if q < e && q.pointee == UInt8(ascii: "-") { q += 1 }
    guard q < e, isDigit(q.pointee) else { throw failure("bad number: expected a digit", at: q) }
    if q.pointee == UInt8(ascii: "0") {
      q += 1
    } else {
      while q < e && isDigit(q.pointee) { q += 1 }
    }
    if q < e && q.pointee == UInt8(ascii: ".") {
      q += 1
      guard q < e, isDigit(q.pointee) else {
        throw failure("bad number: no digit after '.'", at: q)
      }
      while q < e && isDigit(q.pointee) { q += 1 }
    }
    if q < e && (q.pointee | 0x20) == UInt8(ascii: "e") {
      q += 1
      if q < e && (q.pointee == UInt8(ascii: "+") || q.pointee == UInt8(ascii: "-")) { q += 1 }
      guard q < e, isDigit(q.pointee) else { throw failure("bad number: bad exponent", at: q) }
      while q < e && isDigit(q.pointee) { q += 1 }
    }
    p = q
  }

  /// Parses a JSON integer that fits in Int64; fractions, exponents and overflow are errors.
  mutating func parseInt64(field: String) throws(JSONParseFailure) -> Int64 {
    let e = end
    let start = p
    var q = p
    let negative = q < e && q.pointee == UInt8(ascii: "-")
    if negative { q += 1 }
    guard q < e, isDigit(q.pointee) else {
      throw failure(
        "'\(field)' must be an integer, found \(describeValue())", field: field,
        hint: "'\(field)' must be a JSON integer, as in the MPD")
    }
    var v: Int64 = 0
    if q.pointee == UInt8(ascii: "0") {
      q += 1
    } else {
      while q < e && isDigit(q.pointee) {
        let d = Int64(q.pointee &- UInt8(ascii: "0"))
        let (m, o1) = v.multipliedReportingOverflow(by: 10)
        let (s, o2) = negative ? m.subtractingReportingOverflow(d) : m.addingReportingOverflow(d)
        if o1 || o2 {
          throw failure(
            "'\(field)' does not fit in a 64-bit integer", at: start, field: field,
            hint: "'\(field)' must be a JSON integer, as in the MPD")
        }
        v = s
        q += 1
      }
    }
    if q < e && (q.pointee == UInt8(ascii: ".") || (q.pointee | 0x20) == UInt8(ascii: "e")) {
      throw failure(
        "'\(field)' must be an integer, found a fraction or exponent", at: start, field: field,
        hint: "'\(field)' must be a JSON integer, as in the MPD")
    }
    p = q
    return v
  }

  // MARK: - Strings

  /// Scans a string whose opening quote is at `p`; leaves `p` after the closing quote.
  /// Checks escapes and UTF-8 and rejects raw control characters; decodes nothing.
  @inline(__always)
  mutating func scanString() throws(JSONParseFailure) -> JSONStringToken {
    let start = p + 1
    let e = end
    var q = start
    var escaped = false
    while true {
      while e - q >= 8 {
        let m = stringSpecialMask(loadWord(q))
        if m != 0 {
          q += m.trailingZeroBitCount &>> 3
          break
        }
        q += 8
      }
      guard q < e else {
        throw failure("unterminated string", at: e)
      }
      let b = q.pointee
      if b == UInt8(ascii: "\"") { break }
      if b == UInt8(ascii: "\\") {
        q = try checkEscape(q)
        escaped = true
      } else if b >= 0x80 {
        q = try checkUTF8(q)
      } else if b < 0x20 {
        throw failure(
          "raw control character \(hexByte(b)) in a string (must be escaped as \\u00XX)", at: q)
      } else {
        q += 1
      }
    }
    p = q + 1
    return JSONStringToken(start: start, count: q - start, hasEscapes: escaped)
  }

  /// Checks the escape whose backslash is at `q`; returns the byte after it.
  @inline(never)
  private func checkEscape(_ q: UnsafePointer<UInt8>) throws(JSONParseFailure)
    -> UnsafePointer<UInt8>
  {
    guard end - q >= 2 else { throw failure("unterminated string", at: end) }
    switch q[1] {
    case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"), UInt8(ascii: "b"),
      UInt8(ascii: "f"), UInt8(ascii: "n"), UInt8(ascii: "r"), UInt8(ascii: "t"):
      return q + 2
    case UInt8(ascii: "u"):
      let unit = try checkHex4(q)
      if unit >= 0xDC00 && unit <= 0xDFFF {
        throw loneSurrogate(q, unit)
      }
      if unit >= 0xD800 && unit <= 0xDBFF {
        // A high surrogate must be followed at once by an escaped low surrogate.
        guard end - q >= 12, q[6] == UInt8(ascii: "\\"), q[7] == UInt8(ascii: "u") else {
          throw loneSurrogate(q, unit)
        }
        let low = try checkHex4(q + 6)
        guard low >= 0xDC00 && low <= 0xDFFF else { throw loneSurrogate(q, unit) }
        return q + 12
      }
      return q + 6
    default:
      throw failure("bad escape '\\\(String(decoding: [q[1]], as: UTF8.self))' in a string", at: q)
    }
  }

  /// Checks the `\\uXXXX` escape at `q` (backslash at `q`); returns its 16-bit value.
  private func checkHex4(_ q: UnsafePointer<UInt8>) throws(JSONParseFailure) -> UInt32 {
    guard end - q >= 6 else { throw failure("truncated \\u escape", at: end) }
    var v: UInt32 = 0
    for i in 2..<6 {
      let h = hexValue(q[i])
      if h > 15 { throw failure("bad \\u escape: expected 4 hex digits", at: q) }
      v = v << 4 | UInt32(h)
    }
    return v
  }

  /// The error for a UTF-16 surrogate escape without its partner. Such a string has no
  /// Unicode form; replacing it (e.g. by U+FFFD) would make `\\ud800` and `\\udc00` the same
  /// id, so the reader refuses it.
  private func loneSurrogate(_ q: UnsafePointer<UInt8>, _ unit: UInt32) -> JSONParseFailure {
    let hex = String(unit, radix: 16)
    return failure(
      "lone UTF-16 surrogate \\u\(hex) in a string (a \\uD800–\\uDBFF escape must be followed by a \\uDC00–\\uDFFF escape)",
      at: q,
      hint:
        "the string has no Unicode form; fix or remove the escape in the file (e.g. write \\ufffd)"
    )
  }

  /// Checks the UTF-8 sequence whose lead byte is at `q`; returns the byte after it.
  @inline(never)
  private func checkUTF8(_ q: UnsafePointer<UInt8>) throws(JSONParseFailure)
    -> UnsafePointer<UInt8>
  {
    let n = utf8SequenceLength(q, end)
    if n == 0 {
      throw failure(
        "invalid UTF-8 byte \(hexByte(q.pointee)) in a string",
        at: q, hint: JSONHint.utf8)
    }
    return q + n
  }
}

/// "0x0A" for byte 10.
private func hexByte(_ b: UInt8) -> String {
  let digits = String(b, radix: 16, uppercase: true)
  return b < 16 ? "0x0" + digits : "0x" + digits
}
