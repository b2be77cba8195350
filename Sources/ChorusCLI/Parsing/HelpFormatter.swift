// Renders help for a command in the conventions of Swift command-line tools:
// OVERVIEW / USAGE / ARGUMENTS / OPTIONS / SUBCOMMANDS, with `(default: …)` after options
// that have one. Reads the same CommandSpec the parser uses.

/// Builds help and usage text.
public enum HelpFormatter {
  /// The one-line usage of the last command in `chain`.
  public static func usage(_ chain: [CommandSpec]) -> String {
    let command = chain.last!
    var parts = [chain.map(\.name).joined(separator: " ")]
    if !command.subcommands.isEmpty && command.action == nil {
      parts.append("<subcommand>")
      return "USAGE: " + parts.joined(separator: " ")
    }
    for a in command.arguments {
      let name = "<\(a.name)>" + (a.isVariadic ? " ..." : "")
      parts.append(a.isOptional ? "[\(name)]" : name)
    }
    for o in command.options {
      var text = "--\(o.name)"
      if let v = o.valueName { text += " <\(v)>" }
      if o.isRepeatable { text += " ..." }
      parts.append(o.isRequired ? text : "[\(text)]")
    }
    return "USAGE: " + parts.joined(separator: " ")
  }

  /// Full help for the last command in `chain`.
  public static func help(_ chain: [CommandSpec], version: String? = nil) -> String {
    let command = chain.last!
    var out = "OVERVIEW: \(command.abstract)"
    if let version, chain.count == 1 { out += " (version \(version))" }
    out += "\n"
    if let d = command.discussion { out += "\n" + d + "\n" }
    out += "\n" + usage(chain) + "\n"
    if !command.arguments.isEmpty {
      out += "\nARGUMENTS:\n"
      for a in command.arguments { out += row("<\(a.name)>", a.help) }
    }
    out += "\nOPTIONS:\n"
    for o in command.options {
      var left = o.short.map { "-\($0), " } ?? ""
      left += "--\(o.name)"
      if let v = o.valueName { left += " <\(v)>" }
      var text = o.help
      if let d = o.defaultValue { text += " (default: \(d))" }
      out += row(left, text)
    }
    if chain.count == 1 { out += row("--version", "Show the version.") }
    out += row("-h, --help", "Show help information.")
    if !command.subcommands.isEmpty {
      out += "\nSUBCOMMANDS:\n"
      for s in command.subcommands { out += row(s.name, s.abstract) }
      let path = chain.map(\.name).joined(separator: " ")
      out += "\n  See '\(path) help <subcommand>' for detailed help.\n"
    }
    return out
  }

  /// "  left<pad>text\n", wrapping long text under the text column.
  static func row(_ left: String, _ text: String) -> String {
    let column = 26
    var line = "  " + left
    if line.count >= column {
      line += "\n" + String(repeating: " ", count: column)
    } else {
      line += String(repeating: " ", count: column - line.count)
    }
    // Wrap at 100 columns.
    var current = line
    var out = ""
    var firstWord = true
    for word in text.split(separator: " ", omittingEmptySubsequences: false) {
      let lastLineLength = current.split(separator: "\n", omittingEmptySubsequences: false).last!
        .count
      if !firstWord && lastLineLength + 1 + word.count > 100 {
        out += current + "\n"
        current = String(repeating: " ", count: column) + word
      } else {
        current += (firstWord ? "" : " ") + word
      }
      firstWord = false
    }
    out += current + "\n"
    return out
  }
}
