// Atomic output: everything Chorus writes goes to a temporary file beside the target and is
// renamed into place only when complete, so an interrupted or failed write never leaves a
// half-written result. Also the one place that maps input files into memory.
import Foundation

/// Writes files atomically and reads them mapped.
public enum FileIO {
  /// Writes `data` to `path` atomically (temp file in the same folder + rename).
  public static func writeAtomically(_ data: Data, to path: String) throws {
    try writeAtomically(to: path) { handle in try handle.write(contentsOf: data) }
  }

  /// Writes `text` as UTF-8 to `path` atomically.
  public static func writeAtomically(_ text: String, to path: String) throws {
    try writeAtomically(Data(text.utf8), to: path)
  }

  /// Streams output through `body` into a temp file, then renames it to `path`.
  /// On any error the temp file is removed and `path` is untouched.
  public static func writeAtomically(to path: String, _ body: (FileHandle) throws -> Void) throws {
    let url = URL(fileURLWithPath: path)
    let dir = url.deletingLastPathComponent().path
    try ensureDirectory(dir)
    let tmp = dir + "/.\(url.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp"
    guard FileManager.default.createFile(atPath: tmp, contents: nil) else {
      throw ChorusError(
        .io, "cannot create a file", file: tmp, hint: "check that the folder is writable")
    }
    do {
      let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: tmp))
      do {
        try body(handle)
        try handle.close()
      } catch {
        try? handle.close()
        throw error
      }
      if rename(tmp, path) != 0 {
        throw ChorusError(.io, "cannot move the finished file into place", file: path)
      }
    } catch {
      try? FileManager.default.removeItem(atPath: tmp)
      throw error
    }
  }

  /// Creates `path` and its parents if needed.
  public static func ensureDirectory(_ path: String) throws {
    if path.isEmpty { return }
    var isDir: ObjCBool = false
    if FileManager.default.fileExists(atPath: path, isDirectory: &isDir) {
      if !isDir.boolValue {
        throw ChorusError(.io, "exists but is not a folder", file: path)
      }
      return
    }
    do {
      try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    } catch {
      throw ChorusError(.io, "cannot create the folder: \(error.localizedDescription)", file: path)
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
      throw ChorusError(.io, "cannot read the file: \(error.localizedDescription)", file: path)
    }
  }

  /// True if `path` names an existing folder.
  public static func isDirectory(_ path: String) -> Bool {
    var isDir: ObjCBool = false
    return FileManager.default.fileExists(atPath: path, isDirectory: &isDir) && isDir.boolValue
  }
}

#if canImport(Glibc)
  import Glibc
#endif
