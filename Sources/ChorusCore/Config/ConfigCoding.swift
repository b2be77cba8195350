// Typed configs from JSON and `key=value` overrides, strictly: unknown keys are errors that
// name the key and list the valid ones; values must have the type of the field they set.
// Works for any Codable config whose defaults encode every key (no optionals left out).
import Foundation

/// A config that leaves some keys out of its encoding while they hold their default (so
/// that files and hashes written before the key existed stay the same); it names them with
/// their defaults here, so that they are still valid keys for specs and overrides.
public protocol OmitsDefaultKeys {
  /// Each key left out at its default, with that default as a JSON value (an NSNumber for
  /// numbers and booleans).
  static var omittedDefaults: [String: Any] { get }
}

/// Strict decoding and overriding of Codable configs.
public enum ConfigCoding {
  /// The config as a JSON object (keys of every field, with the keys an `OmitsDefaultKeys`
  /// config leaves out at their defaults).
  public static func object<T: Encodable>(_ value: T) throws -> [String: Any] {
    let data = try JSONEncoder().encode(value)
    guard var obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw ChorusError(.config, "config does not encode as an object")
    }
    if let omitting = value as? any OmitsDefaultKeys {
      for (key, value) in type(of: omitting).omittedDefaults where obj[key] == nil {
        obj[key] = value
      }
    }
    return obj
  }

  /// Decodes `T` from a JSON object, starting from `defaults`, refusing unknown keys.
  /// - Parameter context: names the config in errors (e.g. "model.config").
  public static func decode<T: Codable>(
    _ type: T.Type, from object: [String: Any], defaults: T, context: String
  ) throws -> T {
    var merged = try ConfigCoding.object(defaults)
    let defaultsObject = merged
    let allowed = Set(merged.keys)
    for (key, value) in object {
      guard allowed.contains(key) else {
        throw ChorusError(
          .config, "unknown key '\(key)' in \(context)", field: key,
          hint: "valid keys: \(allowed.sorted().joined(separator: ", "))")
      }
      merged[key] = value
    }
    do {
      let data = try JSONSerialization.data(withJSONObject: merged)
      return try JSONDecoder().decode(T.self, from: data)
    } catch let e as DecodingError {
      // Foundation does not always say which key failed: find it by decoding the defaults
      // with one given key at a time.
      var key = codingPath(e)
      if key == nil {
        for k in object.keys.sorted() {
          var one = defaultsObject
          one[k] = object[k]
          if let data = try? JSONSerialization.data(withJSONObject: one),
            (try? JSONDecoder().decode(T.self, from: data)) == nil
          {
            key = k
            break
          }
        }
      }
      let given = key.flatMap { object[$0] }.map { " \(render($0))" } ?? ""
      let expected = key.flatMap { defaultsObject[$0] }.map { " (expected \(kind(of: $0)))" } ?? ""
      throw ChorusError(
        .config, "bad value\(given) in \(context): \(describe(e))\(expected)", field: key,
        hint: "check the value's kind and range")
    }
  }

  /// A JSON value as the user wrote it, for messages.
  static func render(_ value: Any) -> String {
    if let n = value as? NSNumber {
      return isBoolean(n) ? (n.boolValue ? "true" : "false") : n.stringValue
    }
    if let s = value as? String { return "'\(s)'" }
    if value is [Any] { return "(a list)" }
    if value is [String: Any] { return "(an object)" }
    return "null"
  }

  /// What kind of JSON value `value` is, in words.
  static func kind(of value: Any) -> String {
    if let n = value as? NSNumber {
      if isBoolean(n) { return "true or false" }
      let t = String(cString: n.objCType)
      return t == "d" || t == "f" ? "a number" : "a whole number"
    }
    if value is String { return "text" }
    if value is [Any] { return "a list" }
    if value is [String: Any] { return "an object" }
    return "a value"
  }

  /// A Swift type as a kind of JSON value, in words (never a Swift type name).
  static func kind(ofType t: Any.Type) -> String {
    switch t {
    case is Bool.Type: return "true or false"
    case is String.Type: return "text"
    case is Int.Type, is Int32.Type, is Int64.Type, is UInt64.Type, is UInt32.Type, is UInt.Type:
      return "a whole number"
    case is Double.Type, is Float.Type: return "a number"
    default:
      let name = "\(t)"
      if name.hasPrefix("Array") || name.hasPrefix("[") { return "a list" }
      if name.hasPrefix("Dictionary") { return "an object" }
      return "a value of another kind"
    }
  }

  /// Applies `key=value` overrides (parsed by `ConfigOverride`) to a config; values are
  /// parsed by the type of the existing field (number, bool, string, or JSON for
  /// arrays/objects).
  public static func apply<T: Codable>(_ overrides: [String], to config: T, context: String) throws
    -> T
  {
    if overrides.isEmpty { return config }
    var object: [String: Any] = [:]
    let current = try ConfigCoding.object(config)
    for item in overrides {
      let parsed = try ConfigOverride(item, example: "window=3")
      let key = parsed.key
      let text = parsed.text
      guard let existing = current[key] else {
        throw ChorusError(
          .config, "unknown key '\(key)' in \(context)", field: key,
          hint: "valid keys: \(current.keys.sorted().joined(separator: ", "))")
      }
      object[key] = try parseValue(text, like: existing, key: key, context: context)
    }
    var merged = current
    for (k, v) in object { merged[k] = v }
    return try decode(T.self, from: merged, defaults: config, context: context)
  }

  static func parseValue(_ text: String, like existing: Any, key: String, context: String) throws
    -> Any
  {
    if existing is String { return text }
    if let n = existing as? NSNumber, isBoolean(n) {
      switch text.lowercased() {
      case "true", "yes", "1": return true
      case "false", "no", "0": return false
      default:
        throw ChorusError(
          .config, "'\(key)' in \(context) expects true or false, got '\(text)'", field: key)
      }
    }
    if existing is NSNumber {
      guard let d = Double(text), d.isFinite else {
        throw ChorusError(
          .config, "'\(key)' in \(context) expects a number, got '\(text)'", field: key)
      }
      return d
    }
    guard let data = text.data(using: .utf8),
      let v = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed])
    else {
      throw ChorusError(.config, "'\(key)' in \(context) expects JSON, got '\(text)'", field: key)
    }
    return v
  }

  /// Whether a number from JSONSerialization is a JSON `true`/`false`.
  public static func isBoolean(_ n: NSNumber) -> Bool {
    // JSONSerialization yields NSNumber for both; a Bool's objCType is "c".
    String(cString: n.objCType) == "c"
  }

  public static func codingPath(_ e: DecodingError) -> String? {
    switch e {
    case .typeMismatch(_, let c), .valueNotFound(_, let c), .keyNotFound(_, let c),
      .dataCorrupted(let c):
      let path = c.codingPath.map(\.stringValue).joined(separator: ".")
      return path.isEmpty ? nil : path
    @unknown default: return nil
    }
  }

  public static func describe(_ e: DecodingError) -> String {
    switch e {
    case .typeMismatch(let t, _): return "expected \(kind(ofType: t))"
    case .valueNotFound(let t, _): return "missing \(kind(ofType: t))"
    case .keyNotFound(let k, _): return "missing key '\(k.stringValue)'"
    case .dataCorrupted(let c):
      // Foundation's texts name Swift types ("does not fit in Int"); say it in words.
      if c.debugDescription.contains("does not fit") {
        return
          "the number does not fit (a fraction where a whole number is needed, or out of range)"
      }
      return c.codingPath.isEmpty ? "the value is malformed" : "the value is not valid here"
    @unknown default: return "\(e)"
    }
  }
}
