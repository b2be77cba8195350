// Plain CSV tables with a header, the lab's exchange format with spreadsheets and pandas.
// Numbers are written in Swift's shortest round-trip form (deterministic, locale-free);
// NaN and missing values are empty cells, which pandas reads as NaN.
import ChorusCore
import Foundation

/// A cell value.
public enum CSVCell: Sendable, Equatable, ExpressibleByStringLiteral, ExpressibleByIntegerLiteral,
  ExpressibleByFloatLiteral
{
  case text(String)
  case int(Int)
  case number(Double)
  case empty

  public init(stringLiteral value: String) { self = .text(value) }
  public init(integerLiteral value: Int) { self = .int(value) }
  public init(floatLiteral value: Double) { self = .number(value) }

  /// The cell as CSV text (quoted when needed).
  public var rendered: String {
    switch self {
    case .text(let s): return CSVTable.quote(s)
    case .int(let i): return String(i)
    case .number(let d): return d.isFinite ? "\(d)" : ""
    case .empty: return ""
    }
  }

  /// Parsed back from text: Int, then Double, else text ("" = empty).
  public static func parse(_ s: String) -> CSVCell {
    if s.isEmpty { return .empty }
    if let i = Int(s) { return .int(i) }
    if let d = Double(s) { return .number(d) }
    return .text(s)
  }

  public var double: Double? {
    switch self {
    case .int(let i): return Double(i)
    case .number(let d): return d
    default: return nil
    }
  }

  public var string: String {
    switch self {
    case .text(let s): return s
    case .int(let i): return String(i)
    case .number(let d): return d.isFinite ? "\(d)" : ""
    case .empty: return ""
    }
  }
}

/// A table: a header and rows of cells.
public struct CSVTable: Sendable, Equatable {
  public var header: [String]
  public var rows: [[CSVCell]] = []

  public init(header: [String]) { self.header = header }

  public mutating func append(_ row: [CSVCell]) {
    precondition(row.count == header.count, "row has \(row.count) cells, header \(header.count)")
    rows.append(row)
  }

  /// The CSV text, "\n" line ends, trailing newline.
  public var text: String {
    var out = header.map(CSVTable.quote).joined(separator: ",") + "\n"
    for r in rows { out += r.map(\.rendered).joined(separator: ",") + "\n" }
    return out
  }

  /// Writes the table atomically.
  public func write(to path: String) throws { try FileIO.writeAtomically(text, to: path) }

  /// Column index by name.
  public func column(_ name: String) -> Int? { header.firstIndex(of: name) }

  /// Quotes a field holding a comma, quote or line break.
  public static func quote(_ s: String) -> String {
    if s.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" }) {
      return "\"" + s.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
    return s
  }

  /// Reads a CSV file written by `write` (or any simple CSV with a header).
  public static func read(path: String) throws -> CSVTable {
    let text = String(decoding: try FileIO.read(path), as: UTF8.self)
    var records = try parseRecords(text, path: path)
    guard !records.isEmpty else { throw ChorusError(.data, "empty CSV file", file: path) }
    var table = CSVTable(header: records.removeFirst())
    for (i, r) in records.enumerated() {
      guard r.count == table.header.count else {
        throw ChorusError(
          .data, "expected \(table.header.count) fields, found \(r.count)", file: path, line: i + 2)
      }
      table.rows.append(r.map(CSVCell.parse))
    }
    return table
  }

  static func parseRecords(_ text: String, path: String) throws -> [[String]] {
    var records: [[String]] = []
    var field = ""
    var record: [String] = []
    var inQuotes = false
    var chars = Array(text.unicodeScalars)
    if chars.last != "\n" { chars.append("\n") }
    var i = 0
    var line = 1
    while i < chars.count {
      let c = chars[i]
      if inQuotes {
        if c == "\"" {
          if i + 1 < chars.count && chars[i + 1] == "\"" {
            field.unicodeScalars.append("\"")
            i += 1
          } else {
            inQuotes = false
          }
        } else {
          if c == "\n" { line += 1 }
          field.unicodeScalars.append(c)
        }
      } else if c == "\"" {
        inQuotes = true
      } else if c == "," {
        record.append(field)
        field = ""
      } else if c == "\n" {
        record.append(field)
        field = ""
        if !(record.count == 1 && record[0].isEmpty) { records.append(record) }
        record = []
        line += 1
      } else if c != "\r" {
        field.unicodeScalars.append(c)
      }
      i += 1
    }
    if inQuotes { throw ChorusError(.data, "unterminated quoted field", file: path, line: line) }
    return records
  }
}
