// The one parser of `key=value` overrides (`--set`), for a spec's dotted keys
// (split.folds=2, model.config.window=3) and a model config's flat keys (window=3) alike:
// the syntax is checked here once; what a value means is decided by the config it sets.
import Foundation

/// One `key=value` override: a dotted key path and the value's text.
public struct ConfigOverride: Sendable, Equatable {
  /// The key's components: `split.folds` is ["split", "folds"].
  public var path: [String]
  /// Everything after the first `=`, as written.
  public var text: String

  /// Parses `item`.
  /// - Parameter example: an override of the config at hand, shown in the hint (e.g.
  ///   "split.folds=2").
  /// - Throws: `ChorusError(.usage)` naming the item when it has no `=` or an empty key
  ///   (or an empty component, as in `a..b=1`).
  public init(_ item: String, example: String) throws {
    guard let eq = item.firstIndex(of: "=") else {
      throw ChorusError(
        .usage, "override '\(item)' is not key=value", hint: "write e.g. --set \(example)")
    }
    let key = item[..<eq]
    let path = key.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
    guard !key.isEmpty, !path.contains(where: \.isEmpty) else {
      throw ChorusError(
        .usage, "override '\(item)' has an empty key", hint: "write e.g. --set \(example)")
    }
    self.path = path
    text = String(item[item.index(after: eq)...])
  }

  /// The key as written (`split.folds`).
  public var key: String { path.joined(separator: ".") }

  /// The value as JSON when the text parses as JSON (a number, true/false, a list, an
  /// object, a quoted string), else the text itself.
  public var jsonValue: Any {
    (try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]))
      ?? text
  }

  /// Sets `jsonValue` at `path` in `object`, creating inner objects where missing (an inner
  /// value that is not an object is replaced).
  public func apply(to object: inout [String: Any]) {
    let value = jsonValue
    func set(_ d: inout [String: Any], _ keys: ArraySlice<String>) {
      let key = keys.first!
      if keys.count == 1 {
        d[key] = value
        return
      }
      var inner = (d[key] as? [String: Any]) ?? [:]
      set(&inner, keys.dropFirst())
      d[key] = inner
    }
    set(&object, path[...])
  }
}
