// Typed reading of the values of a spec decoded by JSONSerialization: whole numbers in a
// range, fractions, text without control characters, lists and objects. Every error names
// the field, shows the value it got and says what is expected, in words rather than Swift
// type names, so a typo in a spec is found without reading code.
import ChorusCore
import Foundation

/// Readers of JSON values that name the field in every error.
enum SpecFields {
  /// A description of what `value` is, for messages ("a list", "text '…'", "50.5").
  static func describe(_ value: Any) -> String {
    if value is NSNull { return "null" }
    if let n = value as? NSNumber {
      if ConfigCoding.isBoolean(n) { return n.boolValue ? "true" : "false" }
      return n.stringValue
    }
    if let s = value as? String { return "text '\(s.count > 40 ? String(s.prefix(40)) + "…" : s)'" }
    if value is [Any] { return "a list" }
    if value is [String: Any] { return "an object" }
    return "a value of another kind"
  }

  static func wrong(_ field: String, _ value: Any, expected: String, hint: String? = nil)
    -> ChorusError
  {
    ChorusError(
      .config, "'\(field)' must be \(expected), got \(describe(value))", field: field,
      hint: hint ?? "see Experiments/README.md for the spec format")
  }

  /// A JSON number that is not a boolean.
  static func number(_ value: Any) -> NSNumber? {
    guard let n = value as? NSNumber, !ConfigCoding.isBoolean(n) else { return nil }
    return n
  }

  /// A whole number within `range`.
  static func integer(_ value: Any, _ field: String, in range: ClosedRange<Int>) throws -> Int {
    let expected = "a whole number from \(range.lowerBound) to \(range.upperBound)"
    guard let n = number(value) else { throw wrong(field, value, expected: expected) }
    let type = String(cString: n.objCType)
    let result: Int?
    switch type {
    case "d", "f":
      let d = n.doubleValue
      result = d.isFinite && d.rounded() == d && abs(d) < 9e18 ? Int(d) : nil
    case "Q":
      result = n.uint64Value <= UInt64(Int.max) ? Int(n.uint64Value) : nil
    default:
      result = n.intValue
    }
    guard let result, range.contains(result) else {
      throw wrong(field, value, expected: expected)
    }
    return result
  }

  /// A finite number strictly between `low` and `high`.
  static func open(_ value: Any, _ field: String, _ low: Double, _ high: Double, hint: String)
    throws -> Double
  {
    guard let n = number(value), n.doubleValue.isFinite, n.doubleValue > low,
      n.doubleValue < high
    else {
      throw wrong(
        field, value, expected: "a number greater than \(low) and less than \(high)", hint: hint)
    }
    return n.doubleValue
  }

  /// Text without control characters, 1…`maxLength` characters long.
  static func text(_ value: Any, _ field: String, maxLength: Int = 1000) throws -> String {
    guard let s = value as? String else { throw wrong(field, value, expected: "text") }
    try checkText(s, field, maxLength: maxLength)
    return s
  }

  /// Refuses empty, over-long text and text with control characters (newlines, ESC, …).
  static func checkText(_ s: String, _ field: String, maxLength: Int = 1000) throws {
    guard !s.isEmpty, s.count <= maxLength else {
      throw ChorusError(
        .config, "'\(field)' must be 1 to \(maxLength) characters long (got \(s.count))",
        field: field)
    }
    if s.unicodeScalars.contains(where: { $0.properties.generalCategory == .control }) {
      throw ChorusError(
        .config, "'\(field)' contains a control character", field: field,
        hint: "use printable characters only")
    }
  }

  static func array(_ value: Any, _ field: String) throws -> [Any] {
    guard let a = value as? [Any] else { throw wrong(field, value, expected: "a list") }
    return a
  }

  static func object(_ value: Any, _ field: String) throws -> [String: Any] {
    guard let o = value as? [String: Any] else {
      throw wrong(field, value, expected: "an object")
    }
    return o
  }

  /// Refuses keys not in `allowed`, naming the first (in sorted order) and listing the rest.
  static func checkKeys(
    _ dict: [String: Any], allowed: [String], context: String, prefix: String = ""
  ) throws {
    for key in dict.keys.sorted() where !allowed.contains(key) {
      throw ChorusError(
        .config, "unknown key '\(prefix)\(key)' in \(context)", field: prefix + key,
        hint: "valid keys: \(allowed.joined(separator: ", "))")
    }
  }

  /// The 1-based line and column of a JSON syntax error, from JSONSerialization's message
  /// ("around character N" on Linux, "around line L, column C" on macOS; end of file else).
  static func syntaxLocation(_ error: Error, in data: Data) -> (line: Int, column: Int)? {
    let text =
      ((error as NSError).userInfo[NSDebugDescriptionErrorKey] as? String)
      ?? "\(error)"
    func numberAfter(_ word: String) -> Int? {
      guard let r = text.range(of: word) else { return nil }
      return Int(text[r.upperBound...].prefix { $0.isNumber })
    }
    if let line = numberAfter("line "), let column = numberAfter("column ") {
      return (line, column)
    }
    let offset = numberAfter("character ") ?? (text.contains("end of") ? data.count : nil)
    guard let offset else { return nil }
    return data.withUnsafeBytes { lineAndColumn(of: offset, in: $0) }
  }
}
