// Input paths are recognised by what they are, `synthetic:<preset>[:<seed>]` is parsed, and
// the output format follows the extension or --format, with clear errors otherwise.
import ChorusCore
import ChorusTestSupport
import PlaylistData
import Testing

@Suite struct DatasetSourceTests {
  @Test func recognisesKinds() throws {
    let dir = TemporaryDirectory()
    #expect(try DatasetSource("synthetic:tiny") == .synthetic(.tiny, seed: 0))
    #expect(try DatasetSource("synthetic:mpd:42") == .synthetic(.mpd, seed: 42))
    #expect(try DatasetSource(dir.path) == .mpdFolder(dir.path))
    #expect(try DatasetSource("a/b.json") == .mpdFile("a/b.json"))
    #expect(try DatasetSource("x.TXT") == .text("x.TXT"))
    #expect(try DatasetSource("s.tsv") == .sessions("s.tsv"))
    #expect(try DatasetSource("s.csv") == .sessions("s.csv"))
    #expect(try DatasetSource("d.chorus") == .cache("d.chorus"))
  }

  @Test func badSpecsAreErrors() {
    let dir = TemporaryDirectory()
    let e1 = #expect(throws: ChorusError.self) { try DatasetSource("synthetic:huge") }
    #expect(e1?.hint?.contains("tiny") == true)
    #expect(throws: ChorusError.self) { try DatasetSource("synthetic:tiny:x") }
    let e2 = #expect(throws: ChorusError.self) { try DatasetSource("/no/such/file") }
    #expect(e2?.message.contains("no such file") == true)
    let odd = dir.write("data.parquet", "x")
    let e3 = #expect(throws: ChorusError.self) { try DatasetSource(odd) }
    #expect(e3?.message.contains("cannot tell") == true)
  }

  @Test func outputFormatRule() throws {
    #expect(try DatasetFormat.resolve(path: "a.chorus", explicit: nil) == .chorus)
    #expect(try DatasetFormat.resolve(path: "a.txt", explicit: nil) == .text)
    #expect(try DatasetFormat.resolve(path: "a.json", explicit: nil) == .json)
    #expect(try DatasetFormat.resolve(path: "folder", explicit: "mpd") == .mpd)
    #expect(throws: ChorusError.self) { try DatasetFormat.resolve(path: "folder", explicit: nil) }
    #expect(throws: ChorusError.self) { try DatasetFormat.resolve(path: "a.json", explicit: "xml") }
  }

  @Test func everyWritableFormatRoundTrips() throws {
    let dir = TemporaryDirectory()
    let d = Fixtures.random(playlists: 120)
    for (name, format) in [("d.chorus", DatasetFormat.chorus), ("d.json", .json), ("mpd", .mpd)] {
      let path = dir.file(name)
      try format.write(d, to: path)
      let back = try DatasetSource.load(path)
      #expect(back.sameContent(as: d), "\(name)")
    }
    let text = dir.file("d.txt")
    try DatasetFormat.text.write(d, to: text)
    let back = try DatasetSource.load(text)
    #expect(back.playlists == d.playlists)
    #expect(back.catalogue.trackIDs == d.catalogue.trackIDs)
  }
}
