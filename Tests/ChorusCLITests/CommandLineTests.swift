// End-to-end tests of the built `chorus` binary: output, exit codes (0 / 1 / 64), messages
// on stderr, and that failed commands leave no output files behind.
import ChorusCore
import ChorusTestSupport
import Foundation
import PlaylistData
import Testing

/// Runs the `chorus` executable built next to the test bundle.
struct ChorusBinary {
  struct Result {
    var status: Int32
    var stdout: String
    var stderr: String
  }

  static var path: String {
    let dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
    // The test runner lives in .build/<triple>/debug/; `chorus` sits beside it.
    for candidate in [dir, dir.deletingLastPathComponent()] {
      let p = candidate.appendingPathComponent("chorus").path
      if FileManager.default.isExecutableFile(atPath: p) { return p }
    }
    return dir.appendingPathComponent("chorus").path
  }

  static func run(_ args: [String], cwd: String? = nil) throws -> Result {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: path)
    process.arguments = args
    if let cwd { process.currentDirectoryURL = URL(fileURLWithPath: cwd) }
    let out = Pipe()
    let err = Pipe()
    process.standardOutput = out
    process.standardError = err
    try process.run()
    let o = out.fileHandleForReading.readDataToEndOfFile()
    let e = err.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return Result(
      status: process.terminationStatus, stdout: String(decoding: o, as: UTF8.self),
      stderr: String(decoding: e, as: UTF8.self))
  }
}

@Suite struct CommandLineTests {
  @Test func binaryExists() {
    #expect(FileManager.default.isExecutableFile(atPath: ChorusBinary.path), "build the chorus product first: \(ChorusBinary.path)")
  }

  @Test func versionAndHelp() throws {
    let v = try ChorusBinary.run(["--version"])
    #expect(v.status == 0)
    #expect(v.stdout.hasPrefix("chorus "))
    let h = try ChorusBinary.run(["--help"])
    #expect(h.status == 0)
    #expect(h.stdout.contains("OVERVIEW:"))
    #expect(h.stdout.contains("SUBCOMMANDS:"))
    #expect(h.stdout.contains("dataset"))
    let sub = try ChorusBinary.run(["help", "dataset", "generate"])
    #expect(sub.status == 0)
    #expect(sub.stdout.contains("--preset <name>"))
    #expect(sub.stdout.contains("(default: small)"))
  }

  @Test func usageErrorsExit64WithPointerToHelp() throws {
    let r = try ChorusBinary.run(["dataset", "generate", "--preset", "huge", "--out", "x.chorus"])
    #expect(r.status == 64)
    #expect(r.stderr.contains("Error: unknown preset 'huge'"))
    #expect(r.stderr.contains("See 'chorus dataset generate --help'"))
    let u = try ChorusBinary.run(["frobnicate"])
    #expect(u.status == 64)
    #expect(u.stderr.contains("unknown command 'frobnicate'"))
    #expect(r.stdout.isEmpty)
  }

  @Test func generateStatsConvertRoundTrip() throws {
    let dir = TemporaryDirectory()
    let cache = dir.file("tiny.chorus")
    let g = try ChorusBinary.run(["dataset", "generate", "--preset", "tiny", "--seed", "3", "--out", cache])
    #expect(g.status == 0, "\(g.stderr)")
    let s = try ChorusBinary.run(["dataset", "stats", cache, "--json"])
    #expect(s.status == 0, "\(s.stderr)")
    let json = try JSONSerialization.jsonObject(with: Data(s.stdout.utf8)) as? [String: Any]
    #expect((json?["playlists"] as? Int ?? 0) > 1000)
    let folder = dir.file("mpd")
    let c = try ChorusBinary.run(["dataset", "convert", cache, "--out", folder, "--format", "mpd"])
    #expect(c.status == 0, "\(c.stderr)")
    let back = dir.file("back.chorus")
    let c2 = try ChorusBinary.run(["dataset", "convert", folder, "--out", back])
    #expect(c2.status == 0, "\(c2.stderr)")
    let a = try BinaryCache.read(path: cache)
    let b = try BinaryCache.read(path: back)
    #expect(a.sameContent(as: b))
  }

  @Test func badInputExits1AndWritesNothing() throws {
    let dir = TemporaryDirectory()
    let bad = dir.write("bad.json", "{\"playlists\": [{\"pid\": 1, \"tracks\": [")
    let out = dir.file("out.chorus")
    let r = try ChorusBinary.run(["dataset", "convert", bad, "--out", out])
    #expect(r.status == 1)
    #expect(r.stderr.hasPrefix("Error: ") || r.stderr.contains("\nError: "))
    #expect(r.stderr.contains("bad.json"))
    #expect(!FileManager.default.fileExists(atPath: out))
    #expect(dir.contents == ["bad.json"])
    let missing = try ChorusBinary.run(["dataset", "stats", dir.file("nope.json")])
    #expect(missing.status == 1)
    #expect(missing.stderr.contains("no such file"))
    let ext = try ChorusBinary.run(["dataset", "convert", bad, "--out", dir.file("x.parquet")])
    #expect(ext.status == 64)
    #expect(ext.stderr.contains("cannot tell the output format"))
  }

  @Test func splitExport() throws {
    let dir = TemporaryDirectory()
    let r = try ChorusBinary.run(["dataset", "split", "synthetic:tiny", "--fold", "1", "--out", dir.file("split")])
    #expect(r.status == 0, "\(r.stderr)")
    #expect(r.stdout.contains("fold 1"))
    let files = try FileManager.default.contentsOfDirectory(atPath: dir.file("split")).sorted()
    #expect(files == ["collective-order.csv", "test-seeds.json", "test-truth.csv", "training.chorus"])
    let bad = try ChorusBinary.run(["dataset", "split", "synthetic:tiny", "--fold", "7"])
    #expect(bad.status == 1)
    #expect(bad.stderr.contains("fold 7 is out of range"))
  }
}
