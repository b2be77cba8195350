// Atomic files and folders: a failed writer leaves nothing, an earlier result is replaced but
// user files never are, stale temporaries of dead writers are removed (and nothing else), and
// OS errors become messages that name the file and say what to do.
import ChorusCore
import ChorusTestSupport
import Foundation
import Testing

@Suite struct AtomicFileTests {
  struct Boom: Error {}

  @Test func folderIsWrittenWholeOrNotAtAll() throws {
    let dir = TemporaryDirectory()
    let out = dir.file("out")
    #expect(throws: Boom.self) {
      try FileIO.writeFolderAtomically(to: out) { tmp in
        try FileIO.writeAtomically("first file", to: tmp + "/a.csv")
        throw Boom()
      }
    }
    #expect(dir.contents == [])  // neither the folder nor its temporary
    try FileIO.writeFolderAtomically(to: out) { tmp in
      try FileIO.writeAtomically("a", to: tmp + "/a.csv")
      try FileIO.writeAtomically("b", to: tmp + "/b.csv")
    }
    #expect(dir.contents == ["out"])
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["a.csv", "b.csv"])
  }

  @Test func anEarlierResultIsReplacedButUserFilesAreNot() throws {
    let dir = TemporaryDirectory()
    let out = dir.file("out")
    let ours: Set<String> = ["a.csv", "b.csv"]
    try FileIO.writeFolderAtomically(to: out) { tmp in
      try FileIO.writeAtomically("old a", to: tmp + "/a.csv")
      try FileIO.writeAtomically("old b", to: tmp + "/b.csv")
    }
    try FileIO.writeFolderAtomically(to: out, replaceable: ours) { tmp in
      try FileIO.writeAtomically("new a", to: tmp + "/a.csv")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["a.csv"])
    #expect(try String(contentsOfFile: out + "/a.csv", encoding: .utf8) == "new a")
    #expect(dir.contents == ["out"])

    _ = FileManager.default.createFile(atPath: out + "/notes.txt", contents: Data("mine".utf8))
    let e = #expect(throws: ChorusError.self) {
      try FileIO.writeFolderAtomically(to: out, replaceable: ours) { _ in
        Issue.record("body must not run")
      }
    }
    #expect(e?.file == out)
    #expect(e?.message.contains("'notes.txt'") == true)
    #expect(e?.hint?.contains("new folder") == true)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: out).sorted() == ["a.csv", "notes.txt"])
    #expect(dir.contents == ["out"])
  }

  @Test func anEmptyExistingFolderIsFilled() throws {
    let dir = TemporaryDirectory()
    let out = dir.file("empty")
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
    try FileIO.writeFolderAtomically(to: out) { tmp in
      try FileIO.writeAtomically("x", to: tmp + "/x.csv")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["x.csv"])
  }

  @Test func pathsBlockedByARegularFileSayWhy() throws {
    let dir = TemporaryDirectory()
    let file = dir.write("plain.txt", "user data")
    let asFolder = #expect(throws: ChorusError.self) {
      try FileIO.writeFolderAtomically(to: file) { _ in }
    }
    #expect(asFolder?.file == file)
    #expect(asFolder?.message.contains("exists and is not a folder") == true)
    let below = #expect(throws: ChorusError.self) {
      try FileIO.writeAtomically("x", to: file + "/sub/out.csv")
    }
    #expect(below?.message.contains("'\(file)' exists and is not a folder") == true)
    #expect(below?.hint != nil)
    let onFolder = #expect(throws: ChorusError.self) {
      try FileIO.writeAtomically("x", to: dir.path)
    }
    #expect(onFolder?.message.contains("is a folder") == true)
    #expect(try String(contentsOfFile: file, encoding: .utf8) == "user data")
  }

  /// A pid that belonged to a process that has exited.
  static func deadPid() throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: "/bin/sh")
    p.arguments = ["-c", "exit 0"]
    try p.run()
    p.waitUntilExit()
    return p.processIdentifier
  }

  @Test func staleTemporariesOfDeadWritersAreRemovedAndNothingElse() throws {
    let dir = TemporaryDirectory()
    let dead = try Self.deadPid()
    let old = Date().addingTimeInterval(-3_600)
    func make(_ name: String, folder: Bool = false, modified: Date = old) throws {
      let path = dir.file(name)
      if folder {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
        _ = FileManager.default.createFile(atPath: path + "/inner", contents: Data("x".utf8))
      } else {
        _ = FileManager.default.createFile(atPath: path, contents: Data("x".utf8))
      }
      try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path)
    }
    try make(".runs.csv.\(dead).tmp")
    try make(".split.\(dead).tmp", folder: true)
    try make(".split.old.\(dead).tmp", folder: true)
    // Kept: a live writer, a recent one, and names that merely look similar.
    try make(".live.csv.\(getpid()).tmp")
    try make(".recent.csv.\(dead).tmp", modified: Date())
    try make("visible.\(dead).tmp")
    try make(".notes.tmp")
    try make(".x.12ab.tmp")
    try make(".\(dead).tmp")
    try make("data.csv")
    #expect(FileIO.temporaryOwner(".runs.csv.\(dead).tmp") == dead)
    #expect(FileIO.temporaryOwner(".x.12ab.tmp") == nil)
    // The next write into the folder cleans up.
    try FileIO.writeAtomically("new", to: dir.file("result.csv"))
    #expect(
      dir.contents
        == [
          ".\(dead).tmp", ".live.csv.\(getpid()).tmp", ".notes.tmp",
          ".recent.csv.\(dead).tmp", ".x.12ab.tmp", "data.csv", "result.csv", "visible.\(dead).tmp",
        ].sorted())
  }

  @Test func osErrorsNameTheFileAndSayWhatHappened() throws {
    let full = FileIO.error(errno: ENOSPC, file: "/data/out.csv", while: "write the file")
    #expect(full.description.hasPrefix("/data/out.csv: cannot write the file: the disk is full"))
    #expect(full.hint != nil)
    let limit = FileIO.error(errno: EFBIG, file: "big.chorus", while: "write the file")
    #expect(limit.message.contains("file size limit"))
    #expect(limit.hint?.contains("ulimit -f") == true)
    let notDir = FileIO.error(errno: ENOTDIR, file: "a/b", while: "create the folder")
    #expect(notDir.message.contains("exists and is not a folder"))
    // Foundation's wrapping (NSCocoaErrorDomain 640 = out of space) is unwrapped.
    let cocoa = NSError(domain: NSCocoaErrorDomain, code: 640)
    #expect(
      FileIO.ioError(cocoa, file: "f", while: "write the file").message.contains("disk is full"))
    let underlying = NSError(
      domain: NSCocoaErrorDomain, code: 512,
      userInfo: [NSUnderlyingErrorKey: NSError(domain: NSPOSIXErrorDomain, code: Int(EFBIG))])
    #expect(
      FileIO.ioError(underlying, file: "f", while: "write the file").message.contains("size limit"))
  }

  @Test func aRealFullDeviceGivesTheDiskIsFull() throws {
    guard FileManager.default.isWritableFile(atPath: "/dev/full"),
      let handle = FileHandle(forWritingAtPath: "/dev/full")
    else { return }  // no /dev/full on this system
    defer { try? handle.close() }
    do {
      try handle.write(contentsOf: Data(count: 1 << 16))
      Issue.record("writing to /dev/full succeeded")
    } catch {
      let e = FileIO.ioError(error, file: "/dev/full", while: "write the file")
      #expect(e.file == "/dev/full")
      #expect(e.message.contains("the disk is full"), "\(error)")
    }
  }
}
