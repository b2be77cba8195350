// The hand-written argument parser and help formatter: subcommand descent, options in all
// spellings, flags, positionals, `--`, help at every level, and every usage mistake.
import ChorusCLI
import ChorusCore
import Testing

@Suite struct ArgumentParserTests {
  static let noop: CommandAction = { _ in 0 }
  static let root = CommandSpec(
    name: "tool", abstract: "A test tool.",
    subcommands: [
      CommandSpec(
        name: "group", abstract: "A group.",
        subcommands: [
          CommandSpec(
            name: "leaf", abstract: "A leaf.",
            arguments: [
              ArgumentSpec("input", help: "Input."),
              ArgumentSpec("extra", help: "Extra.", optional: true),
            ],
            options: [
              .option("out", short: "o", value: "path", help: "Output.", required: true),
              .option("n", value: "count", help: "Count.", default: "3"),
              .option("set", value: "k=v", help: "Override.", repeatable: true),
              .flag("json", help: "JSON."),
            ],
            action: noop)
        ]),
      CommandSpec(name: "plain", abstract: "No options.", action: noop),
    ])

  func run(_ args: [String]) throws -> ParsedCommand {
    guard case .run(_, let p) = try ArgumentParser.parse(args, root: Self.root) else {
      Issue.record("expected a command to run")
      throw UsageError(message: "no run", path: [])
    }
    return p
  }

  @Test func parsesOptionsInAllSpellings() throws {
    let p = try run([
      "group", "leaf", "in.json", "-o", "x", "--n=5", "--set", "a=1", "--set", "b=2", "--json",
      "more",
    ])
    #expect(p.path == ["tool", "group", "leaf"])
    #expect(p.argument("input") == "in.json")
    #expect(p.argument("extra") == "more")
    #expect(p.value("out") == "x")
    #expect(try p.int("n") == 5)
    #expect(p.values("set") == ["a=1", "b=2"])
    #expect(p.flag("json"))
    #expect(!p.flag("other"))
  }

  @Test func doubleDashEndsOptions() throws {
    let p = try run(["group", "leaf", "--out", "x", "--", "--weird-name"])
    #expect(p.argument("input") == "--weird-name")
  }

  @Test func helpAtEveryLevel() throws {
    for args in [
      ["--help"], ["help"], ["group", "-h"], ["help", "group"], ["group", "leaf", "--help"],
      ["help", "group", "leaf"], ["group"],
    ] {
      guard case .help(let chain) = try ArgumentParser.parse(args, root: Self.root) else {
        Issue.record("expected help for \(args)")
        continue
      }
      #expect(chain.first?.name == "tool")
    }
    guard
      case .help(let chain) = try ArgumentParser.parse(["help", "group", "leaf"], root: Self.root)
    else {
      Issue.record("expected help")
      return
    }
    let text = HelpFormatter.help(chain)
    #expect(text.contains("OVERVIEW: A leaf."))
    #expect(text.contains("USAGE: tool group leaf <input> [<extra>] --out <path> [--n <count>]"))
    #expect(text.contains("ARGUMENTS:"))
    #expect(text.contains("-o, --out <path>"))
    #expect(text.contains("(default: 3)"))
    #expect(text.contains("-h, --help"))
    let top = HelpFormatter.help([Self.root], version: "9.9")
    #expect(top.contains("SUBCOMMANDS:"))
    #expect(top.contains("group"))
    #expect(top.contains("--version"))
  }

  @Test func versionAtTopLevel() throws {
    guard case .version = try ArgumentParser.parse(["--version"], root: Self.root) else {
      Issue.record("expected version")
      return
    }
  }

  @Test(arguments: [
    (["nope"], "unknown command 'nope'"),
    (["group", "leaf", "in", "--bogus", "1"], "unknown option '--bogus'"),
    (["group", "leaf", "in", "--out"], "needs a value"),
    (["group", "leaf", "--out", "x"], "missing argument <input>"),
    (["group", "leaf", "in"], "missing option '--out"),
    (["group", "leaf", "a", "b", "c", "--out", "x"], "unexpected argument 'c'"),
    (["group", "leaf", "a", "--out", "x", "--out", "y"], "given twice"),
    (["group", "leaf", "a", "--out", "x", "--json=1"], "takes no value"),
    (["group", "leaf", "a", "--ot", "x"], "did you mean '--out'"),
    (["help", "group", "nope"], "unknown command 'nope'"),
    (["plain", "extra"], "unexpected argument 'extra'"),
  ])
  func usageMistakes(args: [String], expected: String) {
    let e = #expect(throws: UsageError.self) { _ = try ArgumentParser.parse(args, root: Self.root) }
    #expect(e?.message.contains(expected) == true, "\(e?.message ?? "nil")")
  }

  @Test func typedAccessorsReject() throws {
    let p = try run(["group", "leaf", "a", "--out", "x", "--n", "many"])
    #expect(throws: ChorusError.self) { _ = try p.int("n") }
    let q = try run(["group", "leaf", "a", "--out", "x", "--n", "-2"])
    #expect(throws: ChorusError.self) { _ = try q.int("n", min: 0) }
    #expect(try q.int("n") == -2)
    let big = try run(["group", "leaf", "a", "--out", "x", "--n", "4611686018427387904"])
    let e = #expect(throws: ChorusError.self) { _ = try big.int("n", min: 1, max: 1024) }
    #expect(e?.message.contains("at most 1024") == true)
    #expect(e?.kind == .usage)
  }
}

@Suite struct VariadicArgumentTests {
  static let root = CommandSpec(
    name: "tool", abstract: "T.",
    subcommands: [
      CommandSpec(
        name: "merge", abstract: "M.",
        arguments: [ArgumentSpec("dirs", help: "Folders.", variadic: true)],
        options: [.option("out", value: "dir", help: "Out.", required: true)], action: { _ in 0 })
    ])

  @Test func collectsAllRemainingValues() throws {
    guard
      case .run(_, let p) = try ArgumentParser.parse(
        ["merge", "a", "b", "--out", "o", "c"], root: Self.root)
    else {
      Issue.record("expected a run")
      return
    }
    #expect(p.variadic == ["a", "b", "c"])
    #expect(p.argument("dirs") == "a")
    #expect(HelpFormatter.usage([Self.root, Self.root.subcommands[0]]).contains("<dirs> ..."))
    #expect(throws: UsageError.self) {
      _ = try ArgumentParser.parse(["merge", "--out", "o"], root: Self.root)
    }
  }
}
