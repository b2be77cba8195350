// Atomic output: everything Chorus writes goes to a temporary file (or folder) beside the
// target and is renamed into place only when complete, so an interrupted or failed write
// never leaves a half-written result. Also the one place that maps input files into memory,
// cleans the temporaries of killed writers, and turns OS errors into messages that name the
// file and say what to do.
import Foundation
import Synchronization

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// Writes files and folders atomically and reads files mapped.
///
/// Temporaries are hidden siblings named `.NAME.PID.tmp` (a folder being replaced is parked
/// as `.NAME.old.PID.tmp`). A writer killed with `kill -9` leaves its temporary behind; the
/// next write into the same folder by any Chorus process removes temporaries of exactly this
/// pattern whose process is gone (see `removeStaleTemporaries(in:)`). Nothing else is ever
/// deleted.
public enum FileIO {
  // MARK: - Files

  /// Writes `data` to `path` atomically (temp file in the same folder + rename).
  public static func writeAtomically(_ data: Data, to path: String) throws {
    try writeAtomically(to: path) { handle in try handle.write(contentsOf: data) }
  }

  /// Writes `text` as UTF-8 to `path` atomically.
  public static func writeAtomically(_ text: String, to path: String) throws {
    try writeAtomically(Data(text.utf8), to: path)
  }

  /// Streams output through `body` into a temp file, then renames it to `path`.
  ///
  /// On any error the temp file is removed and `path` is untouched. OS and Foundation errors
  /// (a full disk, the file size limit, permissions, …) become `ChorusError(.io)` naming
  /// `path` and saying what to do; `ChorusError`s get `path` when they name no file; other
  /// errors thrown by `body` pass unchanged.
  public static func writeAtomically(to path: String, _ body: (FileHandle) throws -> Void) throws {
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent().path
    try ensureDirectory(dir)
    if isDirectory(path) {
      throw ChorusError(
        .io, "exists and is a folder, expected a file", file: path,
        hint: "choose another output path or remove the folder")
    }
    removeStaleTemporariesOnce(in: dir)
    let tmp = temporaryPath(for: path)
    let fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
    if fd < 0 {
      throw error(errno: errno, file: path, while: "create a temporary file beside the file")
    }
    let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: false)
    do {
      do {
        try body(handle)
        try handle.close()
      } catch {
        try? handle.close()
        throw error
      }
      if rename(tmp, path) != 0 {
        throw error(errno: errno, file: path, while: "move the finished file into place")
      }
    } catch {
      unlink(tmp)
      throw wrapped(error, file: path, while: "write the file")
    }
  }

  // MARK: - Folders

  /// Writes a whole folder atomically: `body` fills a temporary sibling folder (its path is
  /// the argument), which is renamed to `path` only when `body` returns.
  ///
  /// Use it for every multi-file result (a split export, a folder of MPD slices, a results
  /// folder's final files), so that a killed or failed writer never leaves a folder that
  /// looks complete but lacks some files. Inside `body`, write files normally (plain
  /// `writeAtomically` is fine; the folder is private until renamed).
  ///
  /// An existing `path` is replaced only when it is an empty folder, or when every entry in
  /// it is named in `replaceable` (pass the names this writer produces, so that an earlier
  /// result of the same command is replaced but user files are never deleted). Otherwise the
  /// call throws before writing anything. Replacing parks the old folder as a hidden
  /// sibling, renames the new one in and then deletes the old one, so there is a brief moment
  /// without `path`, never one with a mix of old and new files.
  ///
  /// - Parameters:
  ///   - path: the folder to create or replace.
  ///   - replaceable: the existing entry names (top level) that may be replaced.
  ///   - beforeInstall: runs once the content is complete and the old folder (if any) is
  ///     parked, just before the new folder is renamed into place — e.g. to move a companion
  ///     file in first, so that the pair appears together; if it throws, the old folder is
  ///     put back.
  ///   - body: writes the folder's content into the given temporary folder.
  /// - Throws: `ChorusError(.io)` naming `path` when it exists and is a file, holds files
  ///   this writer did not produce, or cannot be written; whatever `body` throws (mapped as in
  ///   `writeAtomically`). The temporary folder is removed on every failure.
  public static func writeFolderAtomically(
    to path: String, replaceable: Set<String> = [], beforeInstall: () throws -> Void = {},
    _ body: (String) throws -> Void
  ) throws {
    let url = URL(fileURLWithPath: path).standardizedFileURL
    let target = url.path
    let parent = url.deletingLastPathComponent().path
    try ensureDirectory(parent)
    var replacing = false
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: target, isDirectory: &isDir) {
      guard isDir.boolValue else {
        throw ChorusError(
          .io, "exists and is not a folder", file: target,
          hint: "give a folder path (a new name, or an existing folder of an earlier result)")
      }
      let entries = try listFolder(target)
      let foreign = entries.filter { !replaceable.contains($0) }.sorted()
      if !foreign.isEmpty {
        let shown = foreign.prefix(3).map { "'\($0)'" }.joined(separator: ", ")
        throw ChorusError(
          .io,
          "the folder already holds files this command did not write (\(shown)\(foreign.count > 3 ? ", …" : "")); nothing was changed",
          file: target, hint: "choose a new folder, or empty this one first")
      }
      replacing = !entries.isEmpty
    }
    removeStaleTemporariesOnce(in: parent)
    let tmp = temporaryPath(for: target)
    removeTree(tmp)  // ours: same pid, left by an earlier failed call of this process
    if mkdir(tmp, 0o755) != 0 {
      throw error(errno: errno, file: target, while: "create a temporary folder beside the folder")
    }
    do {
      try body(tmp)
      if replacing {
        let old = parent + "/.\(url.lastPathComponent).old.\(getpid()).tmp"
        removeTree(old)
        if rename(target, old) != 0 {
          throw error(errno: errno, file: target, while: "move the earlier result aside")
        }
        do {
          try beforeInstall()
          if rename(tmp, target) != 0 {
            throw error(errno: errno, file: target, while: "move the finished folder into place")
          }
        } catch {
          _ = rename(old, target)
          throw error
        }
        removeTree(old)
      } else {
        try beforeInstall()
        if rename(tmp, target) != 0 {
          throw error(errno: errno, file: target, while: "move the finished folder into place")
        }
      }
    } catch {
      removeTree(tmp)
      throw wrapped(error, file: target, while: "write the folder")
    }
  }

  // MARK: - Stale temporaries

  /// Temporaries younger than this are never removed, even when their process looks dead:
  /// on a shared file system the writer may be alive on another machine.
  public static let staleTemporaryAge: TimeInterval = 60

  /// Folders already cleaned by this process (cleaning once per folder keeps a folder that
  /// receives thousands of files from being listed thousands of times).
  private static let cleaned = Mutex<Set<String>>([])

  /// The hidden temporary sibling of `path`: `.NAME.PID.tmp` (the pattern
  /// `removeStaleTemporaries` recognises).
  public static func temporaryPath(for path: String) -> String {
    let url = URL(fileURLWithPath: path)
    return url.deletingLastPathComponent().path + "/.\(url.lastPathComponent).\(getpid()).tmp"
  }

  /// The pid in a temporary's name (`.NAME.PID.tmp` or `.NAME.old.PID.tmp`), or nil when the
  /// name does not follow the pattern.
  public static func temporaryOwner(_ name: String) -> Int32? {
    guard name.hasPrefix("."), name.hasSuffix(".tmp") else { return nil }
    let stem = name.dropFirst().dropLast(4)
    guard let dot = stem.lastIndex(of: ".") else { return nil }
    let digits = stem[stem.index(after: dot)...]
    guard !stem[..<dot].isEmpty, !digits.isEmpty, digits.count <= 10,
      digits.allSatisfy({ $0.isASCII && $0.isNumber }), let pid = Int32(digits), pid > 0
    else { return nil }
    return pid
  }

  /// True when process `pid` exists on this machine.
  static func processIsAlive(_ pid: Int32) -> Bool {
    if pid == getpid() { return true }
    return kill(pid, 0) == 0 || errno != ESRCH
  }

  /// Removes the temporaries in `folder` left by killed writers: entries named
  /// `.NAME.PID.tmp` (or `.NAME.old.PID.tmp`) whose process no longer exists and that were not
  /// modified for `staleTemporaryAge` seconds. Never touches any other entry; errors are
  /// ignored (cleaning is best effort). Returns the names removed.
  @discardableResult
  public static func removeStaleTemporaries(in folder: String, now: Date = Date()) -> [String] {
    guard let names = try? FileManager.default.contentsOfDirectory(atPath: folder) else {
      return []
    }
    var removed: [String] = []
    for name in names.sorted() {
      guard let pid = temporaryOwner(name), !processIsAlive(pid) else { continue }
      let full = folder + "/" + name
      guard let attributes = try? FileManager.default.attributesOfItem(atPath: full),
        let modified = attributes[.modificationDate] as? Date,
        now.timeIntervalSince(modified) >= staleTemporaryAge
      else { continue }
      if (attributes[.type] as? FileAttributeType) == .typeSymbolicLink { continue }
      removeTree(full)
      removed.append(name)
    }
    return removed
  }

  private static func removeStaleTemporariesOnce(in folder: String) {
    let key = URL(fileURLWithPath: folder).standardizedFileURL.path
    let first = cleaned.withLock { $0.insert(key).inserted }
    if first { removeStaleTemporaries(in: key) }
  }

  private static func removeTree(_ path: String) {
    var st = stat()
    if lstat(path, &st) == 0 { try? FileManager.default.removeItem(atPath: path) }
  }

  // MARK: - Signals

  /// Makes file-size-limit violations ordinary errors: ignores SIGXFSZ, so that a write past
  /// `ulimit -f` fails with EFBIG (reported as "the file size limit was hit", naming the
  /// file) instead of killing the process with no message. Call once at program start.
  public static func installSignalPolicy() {
    signal(SIGXFSZ, SIG_IGN)
  }

  // MARK: - Folders and reading

  /// Creates `path` and its parents if needed.
  ///
  /// - Throws: `ChorusError(.io)` naming the first part of the path that exists but is not a
  ///   folder, or the OS reason (permissions, full disk, …).
  public static func ensureDirectory(_ path: String) throws {
    if path.isEmpty { return }
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
      if !isDir.boolValue {
        throw ChorusError(
          .io, "exists and is not a folder", file: path,
          hint: "choose another output path, or move the file away")
      }
      return
    }
    // Name the part of the path that blocks it, if any.
    var ancestor = URL(fileURLWithPath: path).deletingLastPathComponent()
    while ancestor.path != "/" && !ancestor.path.isEmpty {
      if FileManager.default.fileExists(atPath: ancestor.path, isDirectory: &isDir) {
        if !isDir.boolValue {
          throw ChorusError(
            .io, "cannot create the folder: '\(ancestor.path)' exists and is not a folder",
            file: path, hint: "choose another output path, or move the file away")
        }
        break
      }
      ancestor = ancestor.deletingLastPathComponent()
    }
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw ioError(error, file: path, while: "create the folder")
    }
  }

  /// Maps (or reads) a whole file; a clear error when it is missing or unreadable.
  public static func read(_ path: String) throws -> Data {
    var isDir: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else {
      throw ChorusError(.io, "no such file", file: path, hint: "check the path")
    }
    if isDir.boolValue { throw ChorusError(.io, "is a folder, expected a file", file: path) }
    do {
      return try Data(contentsOf: URL(fileURLWithPath: path), options: .alwaysMapped)
    } catch {
      throw ioError(error, file: path, while: "read the file")
    }
  }

  /// True if `path` names an existing folder.
  public static func isDirectory(_ path: String) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
  }

  private static func listFolder(_ path: String) throws -> [String] {
    do {
      return try FileManager.default.contentsOfDirectory(atPath: path)
    } catch {
      throw ioError(error, file: path, while: "list the folder")
    }
  }

  // MARK: - Errors

  /// The POSIX error number behind `error` (a POSIX error, a Foundation error with an
  /// underlying POSIX error, or a known Foundation file error code), if any.
  public static func posixCode(of error: Error) -> Int32? {
    if let e = error as? POSIXError { return e.code.rawValue }
    let ns = error as NSError
    if ns.domain == NSPOSIXErrorDomain { return Int32(truncatingIfNeeded: ns.code) }
    if let u = ns.userInfo[NSUnderlyingErrorKey] as? NSError, u.domain == NSPOSIXErrorDomain {
      return Int32(truncatingIfNeeded: u.code)
    }
    if ns.domain == NSCocoaErrorDomain {
      switch ns.code {
      case CocoaError.fileWriteOutOfSpace.rawValue: return ENOSPC
      case CocoaError.fileWriteNoPermission.rawValue, CocoaError.fileReadNoPermission.rawValue:
        return EACCES
      case CocoaError.fileWriteVolumeReadOnly.rawValue: return EROFS
      case CocoaError.fileWriteFileExists.rawValue: return EEXIST
      case CocoaError.fileNoSuchFile.rawValue, CocoaError.fileReadNoSuchFile.rawValue:
        return ENOENT
      case CocoaError.fileReadTooLarge.rawValue: return EFBIG
      default: return nil
      }
    }
    return nil
  }

  /// A `ChorusError(.io)` for an OS error number: names `file`, says what happened in plain
  /// words and what to do. `action` completes "cannot …", e.g. "write the file".
  public static func error(errno code: Int32, file: String, while action: String) -> ChorusError {
    let (what, hint): (String, String)
    switch code {
    case ENOSPC:
      (what, hint) = ("the disk is full", "free some space, or write to another disk")
    case EDQUOT:
      (what, hint) = ("the disk quota is used up", "free some space, or write to another disk")
    case EFBIG:
      (what, hint) = (
        "the file size limit was hit (ulimit -f, or the file system's maximum file size)",
        "raise the limit (ulimit -f unlimited) or write to another file system"
      )
    case EACCES, EPERM:
      (what, hint) = ("permission denied", "check the permissions of the file and its folder")
    case EROFS:
      (what, hint) = ("the file system is read-only", "write to another place")
    case EEXIST, ENOTDIR:
      (what, hint) = (
        "a part of the path exists and is not a folder",
        "choose another output path, or move the file away"
      )
    case EISDIR:
      (what, hint) = ("it is a folder, expected a file", "choose another output path")
    case ENOENT:
      (what, hint) = ("no such file or folder", "check the path")
    case ENAMETOOLONG:
      (what, hint) = ("the path is too long", "choose a shorter path")
    case EIO:
      (what, hint) = ("an input/output error occurred (failing disk?)", "check the disk")
    case ENOTEMPTY:
      (what, hint) = ("the folder is not empty", "choose a new folder, or empty this one first")
    default:
      (what, hint) = (String(cString: strerror(code)), "check the path and the disk")
    }
    return ChorusError(.io, "cannot \(action): \(what)", file: file, hint: hint)
  }

  /// `ioError` for OS and Foundation errors; other errors (the caller's own) pass unchanged.
  static func wrapped(_ error: Error, file: String, while action: String) -> Error {
    if error is ChorusError || posixCode(of: error) != nil {
      return ioError(error, file: file, while: action)
    }
    let domain = (error as NSError).domain
    if domain == NSCocoaErrorDomain || domain == NSPOSIXErrorDomain {
      return ioError(error, file: file, while: action)
    }
    return error
  }

  /// Turns any error from a read or write of `file` into a `ChorusError` naming it.
  /// `ChorusError`s pass unchanged (with `file` filled in when they name none).
  public static func ioError(_ error: Error, file: String, while action: String) -> ChorusError {
    if let e = error as? ChorusError { return e.inFile(file) }
    if let code = posixCode(of: error) { return self.error(errno: code, file: file, while: action) }
    return ChorusError(
      .io, "cannot \(action): \(error.localizedDescription)", file: file,
      hint: "check the path and the disk")
  }
}
