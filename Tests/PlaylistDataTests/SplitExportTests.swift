// `dataset split --out DIR` writes its folder as a whole: a second export replaces the first,
// a folder holding other files is refused untouched, and a file in the way is named.
import ChorusCore
import ChorusTestSupport
import Foundation
import PlaylistData
import Testing

@Suite struct SplitExportTests {
  static let data = Fixtures.random(playlists: 600, tracks: 300, lengths: 5...40)

  static func split(fold: Int) throws -> FoldSplit {
    try FoldSplit(store: data.playlists, config: SplitConfig(testSize: 50, folds: 3), fold: fold)
  }

  static func listing(_ path: String) throws -> [String] {
    try FileManager.default.contentsOfDirectory(atPath: path).sorted()
  }

  @Test func exportWritesTheFourFilesAndReplacesAnEarlierExport() throws {
    let dir = TemporaryDirectory()
    let out = dir.file("split")
    try SplitExport.write(dataset: Self.data, split: try Self.split(fold: 0), to: out, format: nil)
    let expected = ["collective-order.csv", "test-seeds.json", "test-truth.csv", "training.chorus"]
    #expect(try Self.listing(out) == expected)
    let first = try String(contentsOfFile: out + "/test-truth.csv", encoding: .utf8)
    try SplitExport.write(
      dataset: Self.data, split: try Self.split(fold: 1), to: out, format: "text")
    #expect(
      try Self.listing(out)
        == ["collective-order.csv", "test-seeds.json", "test-truth.csv", "training.txt"])
    #expect(try String(contentsOfFile: out + "/test-truth.csv", encoding: .utf8) != first)
    #expect(dir.contents == ["split"])  // no temporaries left
  }

  @Test func aFolderWithOtherFilesIsRefusedUntouched() throws {
    let dir = TemporaryDirectory()
    let out = dir.file("mine")
    try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: false)
    _ = FileManager.default.createFile(atPath: out + "/thesis.tex", contents: Data("x".utf8))
    _ = FileManager.default.createFile(atPath: out + "/test-truth.csv", contents: Data("y".utf8))
    let e = #expect(throws: ChorusError.self) {
      try SplitExport.write(
        dataset: Self.data, split: try Self.split(fold: 0), to: out, format: nil)
    }
    #expect(e?.file?.hasSuffix("/mine") == true)
    #expect(e?.message.contains("thesis.tex") == true)
    #expect(try Self.listing(out) == ["test-truth.csv", "thesis.tex"])
    #expect(try String(contentsOfFile: out + "/test-truth.csv", encoding: .utf8) == "y")
    #expect(dir.contents == ["mine"])
  }

  @Test func anExistingFileWhereTheFolderShouldBeIsNamed() throws {
    let dir = TemporaryDirectory()
    let file = dir.write("split", "not a folder")
    let e = #expect(throws: ChorusError.self) {
      try SplitExport.write(
        dataset: Self.data, split: try Self.split(fold: 0), to: file, format: nil)
    }
    #expect(e?.message.contains("exists and is not a folder") == true)
    #expect(e?.file == file)
  }
}
