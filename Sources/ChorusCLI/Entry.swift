// The `chorus` entry point: parse, dispatch, and map errors to messages and exit codes
// (0 ok, 1 failure, 64 usage or configuration). Usage errors print the usage line and point
// at --help.
// Commands live in Commands/; this file knows only the tree and the error mapping.
import ChorusCore
import Foundation
import Recommenders

/// The command-line program.
public enum ChorusCommandLine {
  /// The version printed by `chorus --version` (the lab's one version constant).
  public static let version = ChorusVersion.current

  /// The most worker threads `--threads` accepts.
  public static let maximumThreads = 1024

  /// Exit codes.
  public enum ExitCode {
    public static let ok: Int32 = 0
    public static let failure: Int32 = 1
    /// A malformed command line, or an invalid spec, option value or configuration.
    public static let usage: Int32 = 64
  }

  /// The whole command tree.
  public static var root: CommandSpec {
    CommandSpec(
      name: "chorus",
      abstract: "A lab for algorithmic collective action in playlist recommenders.",
      discussion: """
        Chorus studies how a small collective of fans that reorders the playlists it owns can \
        promote a song in a sequential playlist recommender (Baumann & Mendler-Dünner, \
        NeurIPS 2024). Datasets are a folder of MPD slices, a .json, .txt, .tsv/.csv or \
        .chorus file, or synthetic:<preset> (tiny, small, medium, mpd).
        """,
      subcommands: [
        DatasetCommands.group, TrainCommand.spec, PlantCommand.spec, RunCommand.spec,
        RunCommand.merge,
        ReportCommand.spec, EvaluateCommand.spec, DetectCommand.spec, RobustnessCommand.spec,
        FrontierCommand.spec, SweepCommand.spec, ReplicatesCommand.spec,
        DemoCommand.spec,
        BenchCommand.spec,
      ])
  }

  /// Runs the program with `CommandLine.arguments` and exits.
  public static func runMain() -> Never {
    // Past the file-size limit (ulimit -f) a write then fails with EFBIG, reported as an
    // error, instead of the kernel killing the process with SIGXFSZ mid-write.
    FileIO.installSignalPolicy()
    exit(run(Array(CommandLine.arguments.dropFirst())))
  }

  /// Runs one command line; returns the exit code. Output goes to stdout/stderr.
  public static func run(_ args: [String]) -> Int32 {
    let tree = root
    var pathForErrors = ["chorus"]
    do {
      switch try ArgumentParser.parse(args, root: tree) {
      case .version:
        Console.out("chorus \(version)")
        return ExitCode.ok
      case .help(let chain):
        Console.out(HelpFormatter.help(chain, version: version))
        return ExitCode.ok
      case .run(let command, let parsed):
        pathForErrors = parsed.path
        if let t = try parsed.int("threads", min: 1, max: maximumThreads) {
          ParallelConfig.threads = t
        }
        try KernelLevel.validateEnvironment()
        if let name = parsed.value("kernels") {
          _ = KernelLevel.force(try KernelLevel.parse(name, source: "--kernels") ?? .supported)
        }
        return try command.action!(parsed)
      }
    } catch let e as UsageError {
      return reportUsage(e.message, path: e.path, tree: tree)
    } catch let e as ChorusError where e.kind == .usage {
      return reportUsage(e.description, path: pathForErrors, tree: tree)
    } catch let e as ChorusError where e.kind == .config {
      // A bad spec, option value or config key: the user must change what they asked for.
      Console.log("Error: \(e.description)")
      return ExitCode.usage
    } catch let e as ChorusError {
      Console.log("Error: \(e.description)")
      return ExitCode.failure
    } catch {
      Console.log("Error: \(describe(error))")
      return ExitCode.failure
    }
  }

  /// A Foundation error in words: the system's reason (e.g. "No space left on device") and
  /// what to do, instead of "NSCocoaErrorDomain error 512".
  static func describe(_ error: Error) -> String {
    let ns = error as NSError
    let posix =
      ns.domain == NSPOSIXErrorDomain
      ? ns
      : (ns.userInfo[NSUnderlyingErrorKey] as? NSError).flatMap {
        $0.domain == NSPOSIXErrorDomain ? $0 : nil
      }
    let path =
      (ns.userInfo[NSFilePathErrorKey] as? String)
      ?? (ns.userInfo[NSURLErrorKey] as? URL)?.path
    var out = path.map { $0 + ": " } ?? ""
    guard let posix else { return out + ns.localizedDescription }
    out += "cannot read or write a file: " + String(cString: strerror(Int32(posix.code)))
    switch Int32(posix.code) {
    case ENOSPC, EDQUOT: out += ". Hint: free disk space (or use another --out) and run again"
    case EFBIG: out += ". Hint: the file-size limit (ulimit -f) was reached; raise it and run again"
    case EACCES, EPERM, EROFS: out += ". Hint: check that the folder is writable"
    default: break
    }
    return out
  }

  static func reportUsage(_ message: String, path: [String], tree: CommandSpec) -> Int32 {
    var chain = [tree]
    for name in path.dropFirst() {
      if let sub = chain.last!.subcommand(named: name) { chain.append(sub) }
    }
    Console.log("Error: \(message)")
    Console.log(HelpFormatter.usage(chain))
    Console.log("  See '\(chain.map(\.name).joined(separator: " ")) --help' for more information.")
    return ExitCode.usage
  }
}

/// The `--kernels` option of commands whose numbers depend on the vector kernel level.
let kernelsOption = OptionSpec.option(
  "kernels", value: "level",
  help:
    "Vector kernels: portable, avx2, avx512 or auto (the best this CPU has). Vector levels round dot products differently (FMA); portable reproduces another machine's bits. Also CHORUS_KERNELS.",
  default: "auto")

/// The `--threads` option shared by commands that use all cores.
let threadsOption = OptionSpec.option(
  "threads", value: "n", help: "Worker threads; results do not depend on it.", default: "all cores")

/// The `--concurrent-runs` option of the commands that run studies, with their default.
func concurrentRunsOption(default text: String) -> OptionSpec {
  OptionSpec.option(
    "concurrent-runs", value: "n",
    help:
      "Compute n runs of a fold at once, each on threads / n worker threads. Results do not depend on it; memory grows with n (one retrained model per run in flight). Helps when retraining on small data leaves cores idle.",
    default: text)
}

/// `--concurrent-runs`, 1 to 64; nil when not given.
func parseConcurrentRuns(_ p: ParsedCommand) throws -> Int? {
  try p.int("concurrent-runs", min: 1, max: 64)
}
