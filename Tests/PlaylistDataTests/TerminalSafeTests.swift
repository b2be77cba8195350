// `dataset stats` prints names from the data; escape sequences (ESC, BEL, bidi overrides) in
// them are shown as visible escapes instead of reaching the terminal.
import ChorusCore
import ChorusTestSupport
import PlaylistData
import Testing

@Suite struct TerminalSafeTests {
  @Test func controlCharactersAreEscapedVisibly() {
    #expect("plain – naïve 😀".terminalSafe == "plain – naïve 😀")
    #expect("a\u{1B}[2Jb\u{07}".terminalSafe == "a\\u{1B}[2Jb\\u{7}")
    #expect(
      "x\u{9B}y\u{7F}\u{202E}z\r\n\t".terminalSafe == "x\\u{9B}y\\u{7F}\\u{202E}z\\u{D}\\u{A}\\u{9}"
    )
  }

  @Test func statsTextNeverCarriesRawControlCharacters() {
    var b = DatasetBuilder()
    for p in 0..<3 {
      b.appendTrack(
        id: "t1", name: "Evil\u{1B}]0;pwned\u{07}", artist: "a1",
        artistName: "Bell\u{07}\u{1B}[31mRed")
      b.appendTrack(id: "t\u{1B}2", artist: "a\u{1B}2")
      b.endPlaylist(pid: Int64(p), name: "p")
    }
    let text = DatasetStatistics(dataset: b.finish(), top: 5).text
    #expect(!text.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x07 })
    #expect(text.contains("Evil\\u{1B}]0;pwned\\u{7} — Bell\\u{7}\\u{1B}[31mRed"))
    #expect(text.contains("t\\u{1B}2"))
    #expect(text.contains("a\\u{1B}2"))
  }
}
