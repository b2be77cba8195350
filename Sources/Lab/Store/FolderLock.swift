// An exclusive lock on a results folder: a `.lock` file inside it, `flock`ed for as long as
// the process writes the folder and holding its pid, so a second `chorus run` or `merge`
// into the same folder refuses at once and names the process that holds it. The kernel
// drops the lock when the holder exits, however it exits.
import ChorusCore
import Foundation

#if canImport(Glibc)
  import Glibc
#elseif canImport(Darwin)
  import Darwin
#endif

/// An exclusive, non-blocking lock on a folder; released when the value is deallocated.
public final class FolderLock: @unchecked Sendable {
  private let fd: Int32
  /// The lock file.
  public let path: String

  /// Locks `folder` (which must exist) or throws naming the pid of the process holding it.
  /// - Throws: `ChorusError(.io)`.
  public init(folder: String) throws {
    path = folder + "/.lock"
    let fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
    guard fd >= 0 else {
      throw ChorusError(
        .io, "cannot create the lock file", file: path, hint: "check that the folder is writable")
    }
    if flock(fd, LOCK_EX | LOCK_NB) != 0 {
      close(fd)
      let holder =
        (try? String(contentsOfFile: path, encoding: .utf8))?
        .trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
      throw ChorusError(
        .io,
        "another chorus process (pid \(holder.isEmpty ? "unknown" : holder)) is writing this results folder",
        file: folder, hint: "wait until it has finished, or use another --out")
    }
    self.fd = fd
    let pid = Array("\(getpid())\n".utf8)
    _ = ftruncate(fd, 0)
    _ = pid.withUnsafeBytes { pwrite(fd, $0.baseAddress, $0.count, 0) }
  }

  deinit {
    _ = flock(fd, LOCK_UN)
    close(fd)
  }
}
