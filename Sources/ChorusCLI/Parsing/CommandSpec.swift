// The declarative description of a command line: commands with options, positional
// arguments and subcommands. The parser and the help formatter both read it, so help can
// never drift from what is accepted. Deliberately small: no packages, no property wrappers.

/// One `--option` (with a value) or `--flag` (without).
public struct OptionSpec: Sendable {
  /// Long name without dashes, kebab-case (`--out` → "out").
  public var name: String
  /// Optional one-letter short name (`-o`).
  public var short: Character?
  /// Placeholder shown in help (`<path>`); nil for flags.
  public var valueName: String?
  public var help: String
  /// Shown as `(default: …)` in help; the command applies it itself.
  public var defaultValue: String?
  public var isRequired: Bool
  /// May be given several times (values accumulate).
  public var isRepeatable: Bool

  public var isFlag: Bool { valueName == nil }

  /// An option that takes a value.
  public static func option(
    _ name: String, short: Character? = nil, value: String, help: String, default d: String? = nil,
    required: Bool = false, repeatable: Bool = false
  ) -> OptionSpec {
    OptionSpec(
      name: name, short: short, valueName: value, help: help, defaultValue: d,
      isRequired: required, isRepeatable: repeatable)
  }

  /// A flag (no value).
  public static func flag(_ name: String, short: Character? = nil, help: String) -> OptionSpec {
    OptionSpec(
      name: name, short: short, valueName: nil, help: help, defaultValue: nil, isRequired: false,
      isRepeatable: false)
  }
}

/// A positional argument.
public struct ArgumentSpec: Sendable {
  public var name: String
  public var help: String
  public var isOptional: Bool
  /// Takes every remaining positional value (only the last argument may be variadic).
  public var isVariadic: Bool
  public init(_ name: String, help: String, optional: Bool = false, variadic: Bool = false) {
    self.name = name
    self.help = help
    self.isOptional = optional
    self.isVariadic = variadic
  }
}

/// What a command does when run: gets the parsed arguments, returns the exit code.
public typealias CommandAction = @Sendable (ParsedCommand) throws -> Int32

/// A command or a group of subcommands.
public struct CommandSpec: Sendable {
  public var name: String
  /// One line, shown in OVERVIEW and in the parent's SUBCOMMANDS list.
  public var abstract: String
  /// Longer text shown after OVERVIEW (examples, caveats).
  public var discussion: String?
  public var arguments: [ArgumentSpec]
  public var options: [OptionSpec]
  public var subcommands: [CommandSpec]
  public var action: CommandAction?

  public init(
    name: String, abstract: String, discussion: String? = nil, arguments: [ArgumentSpec] = [],
    options: [OptionSpec] = [], subcommands: [CommandSpec] = [], action: CommandAction? = nil
  ) {
    self.name = name
    self.abstract = abstract
    self.discussion = discussion
    self.arguments = arguments
    self.options = options
    self.subcommands = subcommands
    self.action = action
  }

  public func subcommand(named n: String) -> CommandSpec? { subcommands.first { $0.name == n } }
}
