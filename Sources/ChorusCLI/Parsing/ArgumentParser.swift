// Parses argv against a CommandSpec tree: descends into subcommands, collects options
// (`--name value`, `--name=value`, `-x value`, flags), positional arguments and `--`.
// Recognises `help`, `-h`/`--help` at every level and `--version` at the top. Every
// mistake is a ChorusError(.usage) that the entry point turns into exit code 64.
import ChorusCore

/// The result of parsing: which command, and its option and argument values.
public struct ParsedCommand: Sendable {
  /// Command names from the root, e.g. ["chorus", "dataset", "generate"].
  public var path: [String]
  /// Values per option name, in the order given.
  public var options: [String: [String]] = [:]
  /// Flags that were given.
  public var flags: Set<String> = []
  /// Positional values per argument name.
  public var arguments: [String: String] = [:]
  /// All values of a variadic argument.
  public var variadic: [String] = []

  /// The command as typed, for messages ("chorus dataset generate").
  public var commandLine: String { path.joined(separator: " ") }

  /// The last value of option `name`, or nil.
  public func value(_ name: String) -> String? { options[name]?.last }
  /// All values of a repeatable option.
  public func values(_ name: String) -> [String] { options[name] ?? [] }
  public func flag(_ name: String) -> Bool { flags.contains(name) }
  public func argument(_ name: String) -> String? { arguments[name] }

  /// The value of a required option or argument (the parser checked presence).
  public func required(_ name: String) -> String { value(name) ?? arguments[name]! }

  /// Option `name` as an integer (nil when absent); a usage error when not an integer or
  /// outside `min`…`max`.
  public func int(_ name: String, min: Int? = nil, max: Int? = nil) throws -> Int? {
    guard let v = value(name) else { return nil }
    guard let i = Int(v) else {
      throw ChorusError(.usage, "option '--\(name)' expects an integer, got '\(v)'")
    }
    if let min, i < min {
      throw ChorusError(.usage, "option '--\(name)' must be at least \(min), got \(i)")
    }
    if let max, i > max {
      throw ChorusError(.usage, "option '--\(name)' must be at most \(max), got \(i)")
    }
    return i
  }

  /// Option `name` as a number (nil when absent); a usage error when not a finite number.
  public func double(_ name: String) throws -> Double? {
    guard let v = value(name) else { return nil }
    guard let d = Double(v), d.isFinite else {
      throw ChorusError(.usage, "option '--\(name)' expects a number, got '\(v)'")
    }
    return d
  }
}

/// What the command line asks for.
public enum ParseOutcome: Sendable {
  case run(CommandSpec, ParsedCommand)
  /// Print help for the command at this path.
  case help([CommandSpec])
  case version
}

/// The hand-written argument parser.
public enum ArgumentParser {
  /// Parses `args` (without the program name) against `root`.
  public static func parse(_ args: [String], root: CommandSpec) throws -> ParseOutcome {
    var chain = [root]
    var i = 0
    // Descend through subcommands; `help` is a pseudo-subcommand at any level.
    while i < args.count, !chain.last!.subcommands.isEmpty {
      let a = args[i]
      if a == "help" {
        var target = chain
        var j = i + 1
        while j < args.count, let sub = target.last!.subcommand(named: args[j]) {
          target.append(sub)
          j += 1
        }
        if j < args.count {
          throw usage("unknown command '\(args[j])'", chain: target)
        }
        return .help(target)
      }
      if let sub = chain.last!.subcommand(named: a) {
        chain.append(sub)
        i += 1
        continue
      }
      if a == "-h" || a == "--help" { return .help(chain) }
      if a == "--version" && chain.count == 1 { return .version }
      if a.hasPrefix("-") && chain.last!.action == nil {
        throw usage("unknown option '\(a)'", chain: chain)
      }
      if chain.last!.action == nil {
        throw usage("unknown command '\(a)'", chain: chain)
      }
      break
    }
    let command = chain.last!
    guard command.action != nil else { return .help(chain) }
    var parsed = ParsedCommand(path: chain.map(\.name))
    var positionals: [String] = []
    var onlyPositionals = false
    while i < args.count {
      let a = args[i]
      i += 1
      if onlyPositionals || a == "-" || !a.hasPrefix("-") {
        positionals.append(a)
        continue
      }
      if a == "--" {
        onlyPositionals = true
        continue
      }
      if a == "-h" || a == "--help" { return .help(chain) }
      if a == "--version" && chain.count == 1 { return .version }
      // Negative numbers are values, not options, when an option is waiting (handled below).
      var name: String
      var inline: String?
      if a.hasPrefix("--") {
        let body = a.dropFirst(2)
        if let eq = body.firstIndex(of: "=") {
          name = String(body[..<eq])
          inline = String(body[body.index(after: eq)...])
        } else {
          name = String(body)
        }
        guard command.options.contains(where: { $0.name == name }) else {
          throw usage("unknown option '--\(name)'" + suggestion(name, command), chain: chain)
        }
      } else {
        let letters = Array(a.dropFirst())
        guard letters.count == 1,
          let spec = command.options.first(where: { $0.short == letters[0] })
        else {
          throw usage("unknown option '\(a)'", chain: chain)
        }
        name = spec.name
      }
      let spec = command.options.first { $0.name == name }!
      if spec.isFlag {
        if inline != nil { throw usage("flag '--\(name)' takes no value", chain: chain) }
        parsed.flags.insert(name)
        continue
      }
      let value: String
      if let inline {
        value = inline
      } else {
        guard i < args.count else {
          throw usage("option '--\(name)' needs a value \(spec.valueName!)", chain: chain)
        }
        value = args[i]
        i += 1
      }
      if !spec.isRepeatable, parsed.options[name] != nil {
        throw usage("option '--\(name)' was given twice", chain: chain)
      }
      parsed.options[name, default: []].append(value)
    }
    // Positional arguments.
    let required = command.arguments.filter { !$0.isOptional }.count
    if positionals.count < required {
      let missing = command.arguments[positionals.count]
      throw usage("missing argument <\(missing.name)>", chain: chain)
    }
    let isVariadic = command.arguments.last?.isVariadic ?? false
    if positionals.count > command.arguments.count && !isVariadic {
      throw usage("unexpected argument '\(positionals[command.arguments.count])'", chain: chain)
    }
    for (spec, value) in zip(command.arguments, positionals) { parsed.arguments[spec.name] = value }
    if isVariadic { parsed.variadic = Array(positionals.dropFirst(command.arguments.count - 1)) }
    for spec in command.options where spec.isRequired && parsed.options[spec.name] == nil {
      throw usage("missing option '--\(spec.name) \(spec.valueName ?? "")'", chain: chain)
    }
    return .run(command, parsed)
  }

  static func usage(_ message: String, chain: [CommandSpec]) -> UsageError {
    UsageError(message: message, path: chain.map(\.name))
  }

  /// " (did you mean '--x'?)" for a close option name, else "".
  static func suggestion(_ name: String, _ command: CommandSpec) -> String {
    let close = command.options.map(\.name).filter { editDistance($0, name) <= 2 }
    return close.first.map { " (did you mean '--\($0)'?)" } ?? ""
  }
}

/// A malformed command line; the entry point prints it with the usage line and exits 64.
public struct UsageError: Error, Equatable, Sendable, CustomStringConvertible {
  public var message: String
  /// Command names from the root, to point at the right help.
  public var path: [String]
  public var description: String { message }
  public init(message: String, path: [String]) {
    self.message = message
    self.path = path
  }
}

/// Levenshtein distance (small strings only: option and command names).
func editDistance(_ a: String, _ b: String) -> Int {
  let x = Array(a)
  let y = Array(b)
  if x.isEmpty { return y.count }
  if y.isEmpty { return x.count }
  var prev = Array(0...y.count)
  var cur = [Int](repeating: 0, count: y.count + 1)
  for i in 1...x.count {
    cur[0] = i
    for j in 1...y.count {
      cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (x[i - 1] == y[j - 1] ? 0 : 1))
    }
    swap(&prev, &cur)
  }
  return prev[y.count]
}
