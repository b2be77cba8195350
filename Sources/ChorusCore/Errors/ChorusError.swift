// The one error type for bad data, I/O and configuration problems.
// It carries where the problem is (file, line, column, field) and a hint that tells the
// user what to do. Programmer mistakes are preconditions, not ChorusErrors.

/// What went wrong, broadly; the CLI maps kinds to exit codes.
public enum ChorusErrorKind: String, Sendable, Equatable {
  /// The input data is malformed, truncated or inconsistent.
  case data
  /// A file could not be read or written.
  case io
  /// A spec, option value or configuration key is invalid.
  case config
  /// The command line itself is malformed (exit code 64).
  case usage
}

/// A user-facing error with context and a hint.
///
/// `description` reads `file:line:column: message (field 'x'). Hint: …` with the parts that
/// are known, so that a user can jump to the spot in an editor.
public struct ChorusError: Error, Sendable, Equatable, CustomStringConvertible {
  public var kind: ChorusErrorKind
  public var message: String
  public var file: String?
  /// 1-based line number in `file`, when known.
  public var line: Int?
  /// 1-based column (byte) in `line`, when known.
  public var column: Int?
  public var field: String?
  public var hint: String?

  public init(
    _ kind: ChorusErrorKind, _ message: String, file: String? = nil, line: Int? = nil,
    column: Int? = nil, field: String? = nil, hint: String? = nil
  ) {
    self.kind = kind
    self.message = message
    self.file = file
    self.line = line
    self.column = column
    self.field = field
    self.hint = hint
  }

  public var description: String {
    var out = ""
    if let file {
      out += file
      if let line {
        out += ":\(line)"
        if let column { out += ":\(column)" }
      }
      out += ": "
    }
    out += message
    if let field { out += " (field '\(field)')" }
    if let hint { out += ". Hint: \(hint)" }
    return out
  }

  /// Returns a copy that names `file` when the error did not name one yet.
  public func inFile(_ path: String) -> ChorusError {
    var copy = self
    if copy.file == nil { copy.file = path }
    return copy
  }
}

/// Computes the 1-based line and column of byte `offset` in `bytes`.
///
/// Used only when an error is reported, so the linear scan costs nothing in the fast path.
/// - Complexity: O(offset).
public func lineAndColumn(of offset: Int, in bytes: UnsafeRawBufferPointer) -> (
  line: Int, column: Int
) {
  var line = 1
  var lineStart = 0
  let end = min(offset, bytes.count)
  var i = 0
  while i < end {
    if bytes[i] == 0x0A {
      line += 1
      lineStart = i + 1
    }
    i += 1
  }
  return (line, end - lineStart + 1)
}

extension String {
  /// The string with every character that could control a terminal written as a visible
  /// escape `\u{XX}`: C0 and C1 controls (ESC, BEL, CR, …, also tab and newline), DEL, the
  /// line and paragraph separators and the bidirectional overrides (which can make text read
  /// backwards). Use it for data (names, ids) printed to a terminal; other text is unchanged.
  public var terminalSafe: String {
    func unsafe(_ v: UInt32) -> Bool {
      v < 0x20 || (v >= 0x7F && v <= 0x9F) || v == 0x2028 || v == 0x2029
        || (v >= 0x202A && v <= 0x202E) || (v >= 0x2066 && v <= 0x2069)
    }
    guard unicodeScalars.contains(where: { unsafe($0.value) }) else { return self }
    var out = String.UnicodeScalarView()
    for s in unicodeScalars {
      if unsafe(s.value) {
        out.append(contentsOf: "\\u{\(String(s.value, radix: 16, uppercase: true))}".unicodeScalars)
      } else {
        out.append(s)
      }
    }
    return String(out)
  }
}
