// Typed configs from JSON and `key=value` overrides, strictly: unknown keys are errors that
// name the key and list the valid ones; values must have the type of the field they set.
// Works for any Codable config whose defaults encode every key (no optionals left out).
import Foundation

/// Strict decoding and overriding of Codable configs.
public enum ConfigCoding {
  /// The config as a JSON object (keys of every field).
  public static func object<T: Encodable>(_ value: T) throws -> [String: Any] {
    let data = try JSONEncoder().encode(value)
    guard let obj = try JSONSerialization.jsonObject(with: data) as? [String: Any] else {
      throw ChorusError(.config, "config does not encode as an object")
    }
    return obj
  }

  /// Decodes `T` from a JSON object, starting from `defaults`, refusing unknown keys.
  /// - Parameter context: names the config in errors (e.g. "model.config").
  public static func decode<T: Codable>(
    _ type: T.Type, from object: [String: Any], defaults: T, context: String
  ) throws -> T {
    var merged = try ConfigCoding.object(defaults)
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
      throw ChorusError(
        .config, "bad value in \(context): \(describe(e))", field: codingPath(e),
        hint: "check the type of the value")
    }
  }

  /// Applies `key=value` overrides to a config; values are parsed by the type of the
  /// existing field (number, bool, string, or JSON for arrays/objects).
  public static func apply<T: Codable>(_ overrides: [String], to config: T, context: String) throws
    -> T
  {
    if overrides.isEmpty { return config }
    var object: [String: Any] = [:]
    let current = try ConfigCoding.object(config)
    for item in overrides {
      guard let eq = item.firstIndex(of: "=") else {
        throw ChorusError(
          .usage, "override '\(item)' is not key=value", hint: "write e.g. --set window=3")
      }
      let key = String(item[..<eq])
      let text = String(item[item.index(after: eq)...])
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

  static func isBoolean(_ n: NSNumber) -> Bool {
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
    case .typeMismatch(let t, _): return "expected a value of type \(t)"
    case .valueNotFound(let t, _): return "missing a value of type \(t)"
    case .keyNotFound(let k, _): return "missing key '\(k.stringValue)'"
    case .dataCorrupted(let c): return c.debugDescription
    @unknown default: return "\(e)"
    }
  }
}
