// Checks on a results folder before anything reads or writes it: it must be complete (the
// manifest, written last by assembly, exists and every file it lists is there), and the
// report must never write through a symbolic link out of the folder. Hostile names from a
// spec or a dataset are escaped for Markdown/HTML and neutralised for spreadsheets.
import ChorusCore
import Foundation

/// Completeness and safety of a results folder.
public enum ResultsFolder {
  /// The file assembly writes last; its presence means every other listed file is complete.
  public static let manifestName = "manifest.json"

  /// Throws unless `folder` holds a manifest and every file the manifest lists.
  /// - Throws: `ChorusError(.data)` naming what is missing.
  public static func requireComplete(_ folder: String) throws {
    let path = folder + "/" + manifestName
    guard FileManager.default.fileExists(atPath: path) else {
      throw ChorusError(
        .data,
        "the results are not complete: there is no \(manifestName) (the study is unfinished, or was interrupted while its files were assembled)",
        file: folder,
        hint: "finish it with 'chorus run SPEC --resume' (or 'chorus merge' for shards)")
    }
    guard let data = try? FileIO.read(path),
      let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
      let files = object["files"] as? [String]
    else {
      throw ChorusError(
        .data, "\(manifestName) is malformed", file: path,
        hint: "finish the study again with 'chorus run SPEC --resume'")
    }
    let missing = files.filter { !FileManager.default.fileExists(atPath: folder + "/" + $0) }
    if !missing.isEmpty {
      throw ChorusError(
        .data, "the results are not complete: missing \(missing.joined(separator: ", "))",
        file: folder, hint: "finish it with 'chorus run SPEC --resume' to assemble them again")
    }
  }

  /// Throws if `path` is a symbolic link (writing through it could leave the folder).
  public static func refuseSymlink(_ path: String) throws {
    if let type = try? FileManager.default.attributesOfItem(atPath: path)[.type]
      as? FileAttributeType, type == .typeSymbolicLink
    {
      throw ChorusError(
        .io, "is a symbolic link; the report writes only inside the results folder", file: path,
        hint: "remove the link (the report recreates the folder)")
    }
  }
}

/// Escaping of untrusted text.
public enum SafeText {
  /// `text` for Markdown that may be rendered as HTML: `&`, `<`, `>` become entities and the
  /// characters Markdown interprets are backslash-escaped, so names show as written.
  public static func markdown(_ text: String) -> String {
    var out = ""
    for c in text {
      switch c {
      case "&": out += "&amp;"
      case "<": out += "&lt;"
      case ">": out += "&gt;"
      case "\\", "`", "*", "_", "[", "]", "(", ")", "|", "#", "!", "~", "{", "}":
        out += "\\" + String(c)
      case "\n", "\r", "\t": out += " "
      default: out.append(c)
      }
    }
    return out
  }

  /// A text cell for a CSV that users open in spreadsheets: a cell starting with `=`, `+`,
  /// `-`, `@`, tab or carriage return would be read as a formula, so it gets a leading `'`
  /// (OWASP's advice against CSV injection). For text columns only — never for numbers.
  public static func spreadsheetCell(_ text: String) -> String {
    guard let first = text.unicodeScalars.first,
      ["=", "+", "-", "@", "\t", "\r"].contains(first)
    else { return text }
    return "'" + text
  }
}
