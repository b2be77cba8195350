// MPD slice JSON: a hand-written real-shaped slice parsed into exact playlists and catalogue,
// repeats, write→read round trips (folder and file), numeric slice order, every bad input
// naming file and line, atomic writing, and a generated realistic slice checked against
// Foundation's JSONSerialization as an independent oracle (tests only; the reader never uses it).
import ChorusCore
import Foundation
import PlaylistData
import Testing

@Suite struct MPDJSONTests {
  // MARK: - Reading

  @Test func parsesRealShapedSliceExactly() throws {
    let d = try parse(Array(Self.handWritten.utf8))
    #expect(d.playlists.arrays == [[0, 1, 2], [3, 0, 4], [1]])
    #expect(d.pids == [0, 7, -3])
    #expect(d.names.strings == ["Throwbacks", "", "\u{1F3B5} mix / \t tab"])
    let c = d.catalogue
    #expect(
      c.trackIDs.strings == [
        "spotify:track:0UaMYEvWZi0ZqiDOoHU3YI", "spotify:track:B1", "spotify:track:C1",
        "spotify:track:D1", "spotify:track:E1",
      ])
    #expect(
      c.trackNames.strings == [
        "Lose Control (feat. Ciara & Fat Man Scoop)", "Say \"Hi\" \\ back\n", "Déjà vu 🎵", "", "",
      ])
    #expect(c.trackArtist == [0, 1, 2, 3, 3])
    #expect(
      c.artistIDs.strings == [
        "spotify:artist:2wIVse2owClT7go1WT98tk", "spotify:artist:beyonce", "Only Name",
        unknownArtistKey,
      ])
    #expect(c.artistNames.strings == ["Missy Elliott", "Beyoncé", "Only Name", ""])
    #expect(d.warnings.missingArtist == 2)
    #expect(d.warnings.missingName == 1)
    #expect(d.warnings.duplicatesDropped == 0)
  }

  @Test func dropsAndCountsWithinPlaylistRepeats() throws {
    let json = #"""
      {"playlists": [
        {"pid": 1, "name": "r", "tracks": [{"track_uri": "a"}, {"track_uri": "b"},
          {"track_uri": "a"}, {"track_uri": "c"}, {"track_uri": "b"}]},
        {"pid": 2, "name": "s", "tracks": [{"track_uri": "b"}, {"track_uri": "a"}]}
      ]}
      """#
    let d = try parse(Array(json.utf8))
    #expect(d.playlists.arrays == [[0, 1, 2], [1, 0]])
    #expect(d.warnings.duplicatesDropped == 2)
    #expect(d.warnings.missingArtist == 3)
  }

  @Test func decodesEscapesAndSurrogatePairs() throws {
    let json = #"""
      {"playlists": [{"pid": 1, "name": "\u00e9\u4e2d\ud83d\ude00 \/\b\f\r\"", "tracks": [
        {"track_uri": "x", "track_name": "pair \uDBFF\uDFFF end"}]}]}
      """#
    let d = try parse(Array(json.utf8))
    #expect(d.names[0] == "é中😀 /\u{08}\u{0C}\r\"")
    #expect(d.catalogue.trackNames[0] == "pair \u{10FFFF} end")
  }

  /// Lone surrogates have no Unicode form; replacing them would make "\ud800" and "\udc00"
  /// one id, so they are refused at their line and column, wherever they appear.
  @Test(arguments: [
    #""track_uri": "a\ud800""#, #""track_uri": "a\udc00""#, #""track_uri": "\ud800\u0041""#,
    #""track_uri": "\ud800\ud800""#, #""track_uri": "\ud83d\\ude00""#,
    #""track_uri": "x", "skipped": "\udfff""#,
  ])
  func loneSurrogatesAreRefusedWithLineAndColumn(_ field: String) throws {
    let json = "{\"playlists\": [{\"pid\": 1, \"tracks\": [\n  {" + field + "}]}]}"
    let e = #expect(throws: ChorusError.self) { try parse(Array(json.utf8)) }
    #expect(e?.message.contains("lone UTF-16 surrogate") == true)
    #expect(e?.line == 2)
    let line2 = Array(json.split(separator: "\n")[1].utf8)
    #expect(e?.column == line2.firstIndex(of: UInt8(ascii: "\\")).map { $0 + 1 })
  }

  @Test func distinctLoneSurrogatesNoLongerMergeTwoIDs() throws {
    let json = #"""
      {"playlists": [{"pid": 1, "tracks": [{"track_uri": "\ud800"}, {"track_uri": "\udc00"}]}]}
      """#
    #expect(throws: ChorusError.self) { try parse(Array(json.utf8)) }
  }

  @Test func readsFolderInNumericSliceOrder() throws {
    let dir = try TempDir()
    for a in [0, 1000, 10000, 2000] {
      let json = #"{"playlists": [{"pid": \#(a), "tracks": [{"track_uri": "t\#(a)"}]}]}"#
      try dir.write("mpd.slice.\(a)-\(a + 999).json", Array(json.utf8))
    }
    try dir.write("README.md", Array("not a slice".utf8))
    let files = try MPDJSONReader.sliceFiles(in: dir.path)
    #expect(
      files.map { URL(fileURLWithPath: $0).lastPathComponent } == [
        "mpd.slice.0-999.json", "mpd.slice.1000-1999.json", "mpd.slice.2000-2999.json",
        "mpd.slice.10000-10999.json",
      ])
    let d = try MPDJSONReader.read(path: dir.path)
    #expect(d.pids == [0, 1000, 2000, 10000])
    #expect(d.catalogue.trackIDs.strings == ["t0", "t1000", "t2000", "t10000"])
  }

  @Test func matchesJSONSerializationOnGeneratedSlice() throws {
    let bytes = Self.generateSlice(playlists: 40, seed: 7)
    let d = try parse(bytes)
    // Oracle: the same mapping done through Foundation's parser.
    let root = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
    let playlists = try #require(root["playlists"] as? [[String: Any]])
    var b = DatasetBuilder()
    for p in playlists {
      for t in try #require(p["tracks"] as? [[String: Any]]) {
        let uri = t["artist_uri"] as? String ?? ""
        let name = t["artist_name"] as? String ?? ""
        b.appendTrack(
          id: try #require(t["track_uri"] as? String), name: t["track_name"] as? String ?? "",
          artist: uri.isEmpty ? name : uri, artistName: name)
      }
      b.endPlaylist(pid: Int64(try #require(p["pid"] as? Int)), name: p["name"] as? String ?? "")
    }
    let expected = b.finish()
    #expect(d.playlistCount == 40)
    #expect(d.sameContent(as: expected))
    #expect(d.warnings.duplicatesDropped == expected.warnings.duplicatesDropped)
  }

  // MARK: - Bad input

  /// One malformed slice: its bytes, the 1-based line the error must point at, the field.
  struct BadCase: Sendable, CustomStringConvertible {
    var label: String
    var bytes: [UInt8]
    var line: Int
    var field: String?
    var description: String { label }
  }

  /// A valid slice of 12 lines; cases replace one line (1-based) or cut the file.
  static let goodLines = [
    #"{"#,
    #"  "info": {"slice": "0-0", "version": "v1"},"#,
    #"  "playlists": ["#,
    #"    {"#,
    #"      "name": "a","#,
    #"      "pid": 1,"#,
    #"      "tracks": ["#,
    #"        {"track_uri": "spotify:track:x", "artist_name": "y"}"#,
    #"      ]"#,
    #"    }"#,
    #"  ]"#,
    #"}"#,
  ]

  static func replacing(_ line: Int, with text: String?) -> [UInt8] {
    var lines = goodLines
    if let text { lines[line - 1] = text } else { lines.remove(at: line - 1) }
    return Array((lines.joined(separator: "\n") + "\n").utf8)
  }

  static let badCases: [BadCase] = [
    BadCase(label: "empty file", bytes: [], line: 1),
    BadCase(label: "only whitespace", bytes: Array("  \n ".utf8), line: 2),
    BadCase(
      label: "truncated", bytes: Array((goodLines[0..<8].joined(separator: "\n") + "\n").utf8),
      line: 9),
    BadCase(
      label: "truncated inside a string",
      bytes: Array((goodLines[0..<4].joined(separator: "\n") + "\n      \"name\": \"ab").utf8),
      line: 5),
    BadCase(label: "missing comma", bytes: replacing(5, with: #"      "name": "a""#), line: 6),
    BadCase(label: "missing colon", bytes: replacing(5, with: #"      "name" "a","#), line: 5),
    BadCase(
      label: "pid is a string", bytes: replacing(6, with: #"      "pid": "1","#), line: 6,
      field: "pid"),
    BadCase(
      label: "pid is a fraction", bytes: replacing(6, with: #"      "pid": 1.5,"#), line: 6,
      field: "pid"),
    BadCase(
      label: "pid overflows",
      bytes: replacing(6, with: #"      "pid": 99999999999999999999,"#), line: 6, field: "pid"),
    BadCase(label: "pid missing", bytes: replacing(6, with: nil), line: 4, field: "pid"),
    BadCase(
      label: "track_uri missing", bytes: replacing(8, with: #"        {"artist_name": "y"}"#),
      line: 8, field: "track_uri"),
    BadCase(
      label: "track_uri not a string", bytes: replacing(8, with: #"        {"track_uri": 5}"#),
      line: 8, field: "track_uri"),
    BadCase(
      label: "track not an object", bytes: replacing(8, with: #"        "spotify:track:x""#),
      line: 8, field: "tracks"),
    BadCase(
      label: "tracks not an array", bytes: replacing(7, with: #"      "tracks": {"a": ["#),
      line: 7, field: "tracks"),
    BadCase(
      label: "tracks empty",
      bytes: Array(
        (goodLines[0..<6] + [#"      "tracks": []"#, "    }", "  ]", "}", ""])
          .joined(separator: "\n").utf8), line: 7, field: "tracks"),
    BadCase(
      label: "playlists not an array", bytes: replacing(3, with: #"  "playlists": {"#), line: 3,
      field: "playlists"),
    BadCase(
      label: "non-UTF-8 byte in a name",
      bytes: Array("{\"playlists\": [\n{\"name\": \"a".utf8) + [0xFF]
        + Array("\", \"pid\": 1, \"tracks\": [{\"track_uri\": \"x\"}]}]}".utf8), line: 2),
    BadCase(
      label: "overlong UTF-8 in a name",
      bytes: Array("{\"playlists\": [\n\n{\"name\": \"".utf8) + [0xC0, 0xAF]
        + Array("\", \"pid\": 1, \"tracks\": [{\"track_uri\": \"x\"}]}]}".utf8), line: 3),
    BadCase(
      label: "raw newline in a string", bytes: replacing(5, with: "      \"name\": \"a\nb\","),
      line: 5),
    BadCase(label: "bad escape", bytes: replacing(5, with: #"      "name": "a\x","#), line: 5),
    BadCase(
      label: "bad \\u escape", bytes: replacing(5, with: #"      "name": "\u12g4","#), line: 5),
    BadCase(label: "bad literal", bytes: replacing(5, with: #"      "flag": tru,"#), line: 5),
    BadCase(label: "bad number", bytes: replacing(5, with: #"      "x": -.5,"#), line: 5),
    BadCase(label: "trailing comma", bytes: replacing(5, with: #"      "x": [1,],"#), line: 5),
    BadCase(label: "trailing garbage", bytes: replacing(12, with: "}\n\nx"), line: 14),
    BadCase(label: "not an object", bytes: Array("\n[1, 2]".utf8), line: 2),
    BadCase(
      label: "no playlists", bytes: Array(#"{"info": {}}"#.utf8), line: 1, field: "playlists"),
    BadCase(
      label: "nesting too deep",
      bytes: Array(("{\"x\":\n" + String(repeating: "[", count: 600)).utf8), line: 2),
  ]

  @Test(arguments: badCases)
  func badInputNamesFileAndLine(_ c: BadCase) throws {
    let dir = try TempDir()
    let path = try dir.write("mpd.slice.0-999.json", c.bytes)
    let e = try #require(throws: ChorusError.self) { try MPDJSONReader.read(path: path) }
    #expect(e.kind == .data)
    #expect(e.file == path)
    #expect(e.line == c.line, "\(e)")
    #expect(e.column != nil)
    if let field = c.field { #expect(e.field == field, "\(e)") }
    #expect(e.hint != nil)
  }

  @Test func emptyTracksErrorNamesThePid() throws {
    let json = #"{"playlists": [{"tracks": [], "pid": 4242}]}"#
    let e = try #require(throws: ChorusError.self) { try parse(Array(json.utf8)) }
    #expect(e.message.contains("4242"))
    #expect(e.column == 27)
  }

  @Test func folderWithoutSlicesIsAnError() throws {
    let dir = try TempDir()
    try dir.write("mpd.slice.txt", Array("{}".utf8))
    let e = try #require(throws: ChorusError.self) { try MPDJSONReader.read(path: dir.path) }
    #expect(e.file == dir.path)
    #expect(e.message.contains("no slice files"))
  }

  // MARK: - Writing

  /// Names and fields that need escaping, unknown artists and artist keys taken from names.
  static func trickyDataset() -> Dataset {
    var b = DatasetBuilder()
    let names = [
      "plain", "say \"hi\"", "back\\slash", "new\nline\ttab\r", "ctl \u{01}\u{1F}\u{7F}",
      "ünï 中文 🎵", "",
    ]
    for (i, name) in names.enumerated() {
      for k in 0..<(i + 2) {
        let t = (i * 3 + k) % 11
        switch t % 3 {
        case 0:
          b.appendTrack(
            id: "spotify:track:\(t)", name: "Song \"\(t)\" é", artist: "spotify:artist:\(t % 4)",
            artistName: "Artist\n\(t % 4)")
        case 1: b.appendTrack(id: "spotify:track:\(t)", name: "x\u{0}y")
        default:
          b.appendTrack(
            id: "spotify:track:\(t)", artist: "Só Nome \(t)", artistName: "Só Nome \(t)")
        }
      }
      b.endPlaylist(pid: Int64(i * 1000 - 2), name: name)
    }
    return b.finish()
  }

  @Test func folderRoundTripGivesSameContent() throws {
    let dir = try TempDir()
    let original = Self.trickyDataset()
    let folder = dir.path + "/out"
    try MPDJSONWriter.writeFolder(original, to: folder, playlistsPerFile: 3)
    let names = try FileManager.default.contentsOfDirectory(atPath: folder).sorted()
    #expect(names == ["mpd.slice.0-2.json", "mpd.slice.3-5.json", "mpd.slice.6-6.json"])
    let back = try MPDJSONReader.read(path: folder)
    #expect(back.sameContent(as: original))
    // Rewriting the same layout is allowed; a folder with other slices is refused.
    try MPDJSONWriter.writeFolder(back, to: folder, playlistsPerFile: 3)
    #expect(throws: ChorusError.self) {
      try MPDJSONWriter.writeFolder(back, to: folder, playlistsPerFile: 7)
    }
  }

  @Test func fileRoundTripGivesSameContent() throws {
    let dir = try TempDir()
    for original in [Self.trickyDataset(), try parse(Array(Self.handWritten.utf8))] {
      let path = dir.path + "/one.json"
      try MPDJSONWriter.writeFile(original, to: path)
      let back = try MPDJSONReader.read(path: path)
      #expect(back.sameContent(as: original))
      #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["one.json"])
    }
  }

  @Test func writtenFileHasTheMPDFields() throws {
    let dir = try TempDir()
    let path = dir.path + "/mpd.slice.0-6.json"
    try MPDJSONWriter.writeFile(Self.trickyDataset(), to: path)
    let root = try #require(
      try JSONSerialization.jsonObject(with: FileIO.read(path)) as? [String: Any])
    let info = try #require(root["info"] as? [String: Any])
    #expect(info["slice"] as? String == "0-6")
    #expect(info["version"] as? String == "chorus")
    #expect(info["generated_on"] is String)
    let p = try #require((root["playlists"] as? [[String: Any]])?[3])
    #expect(p["name"] as? String == "new\nline\ttab\r")
    #expect(p["collaborative"] as? String == "false")
    #expect(p["pid"] as? Int == 2998)
    #expect(p["num_tracks"] as? Int == 5)
    let tracks = try #require(p["tracks"] as? [[String: Any]])
    #expect(tracks.map { $0["pos"] as? Int } == [0, 1, 2, 3, 4])
    // Track 9 (9 % 3 == 0) has an artist_uri; track 10 has no artist at all.
    #expect(tracks[0]["track_uri"] as? String == "spotify:track:9")
    #expect(tracks[0]["artist_uri"] as? String == "spotify:artist:1")
    #expect(tracks[0]["artist_name"] as? String == "Artist\n1")
    #expect(tracks[0]["album_uri"] as? String == "")
    #expect(tracks[0]["duration_ms"] as? Int == 0)
    #expect(tracks[1]["track_uri"] as? String == "spotify:track:10")
    #expect(tracks[1]["artist_uri"] == nil && tracks[1]["artist_name"] == nil)
    // Control characters are written as \u00XX.
    let text = String(decoding: try FileIO.read(path), as: UTF8.self)
    #expect(text.contains(#""ctl \u0001\u001f\#u{7F}""#))
  }

  @Test func failedWriteLeavesNoFile() throws {
    let dir = try TempDir()
    let blocker = try dir.write("blocker", Array("x".utf8))
    #expect(throws: ChorusError.self) {
      try MPDJSONWriter.writeFolder(Self.trickyDataset(), to: blocker + "/out")
    }
    #expect(throws: ChorusError.self) {
      try MPDJSONWriter.writeFile(Self.trickyDataset(), to: blocker + "/one.json")
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["blocker"])
    #expect(try FileIO.read(blocker) == Data("x".utf8))
  }

  @Test func folderIsStagedAndAppearsOnlyWhenComplete() throws {
    let dir = try TempDir()
    let folder = dir.path + "/out"
    let data = Self.trickyDataset()
    // A temporary folder of a process that no longer exists (written two minutes ago) is
    // removed when this process first writes into the folder.
    let stale = dir.path + "/.again.2147483000.tmp"
    try FileManager.default.createDirectory(atPath: stale, withIntermediateDirectories: false)
    try FileManager.default.setAttributes(
      [.modificationDate: Date().addingTimeInterval(-120)], ofItemAtPath: stale)
    // A writer that fails (or is killed) after its first slice leaves no folder at all.
    #expect(throws: ChorusError.self) {
      try FileIO.writeFolderAtomically(to: folder) { staged in
        try MPDJSONWriter.writeSlices(data, into: staged, playlistsPerFile: 3)
        #expect(!FileManager.default.fileExists(atPath: folder))
        throw ChorusError(.io, "killed after the first slice")
      }
    }
    #expect(!FileManager.default.fileExists(atPath: folder))
    #expect(throws: ChorusError.self) { try MPDJSONReader.read(path: folder) }
    try MPDJSONWriter.writeFolder(data, to: folder, playlistsPerFile: 3)
    #expect(try MPDJSONReader.read(path: folder).sameContent(as: data))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out"])
    try MPDJSONWriter.writeFolder(data, to: dir.path + "/again", playlistsPerFile: 3)
    #expect(
      try FileManager.default.contentsOfDirectory(atPath: dir.path).sorted() == ["again", "out"])
  }

  @Test func foreignContentIsNeverReplaced() throws {
    let dir = try TempDir()
    let folder = dir.path + "/out"
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: false)
    let notes = try dir.write("out/notes.txt", Array("mine".utf8))
    #expect(throws: ChorusError.self) {
      try MPDJSONWriter.writeFolder(Self.trickyDataset(), to: folder, playlistsPerFile: 3)
    }
    #expect(try FileManager.default.contentsOfDirectory(atPath: folder) == ["notes.txt"])
    #expect(try FileIO.read(notes) == Data("mine".utf8))
    #expect(try FileManager.default.contentsOfDirectory(atPath: dir.path) == ["out"])
    // An empty folder is fine.
    let empty = dir.path + "/empty"
    try FileManager.default.createDirectory(atPath: empty, withIntermediateDirectories: false)
    try MPDJSONWriter.writeFolder(Self.trickyDataset(), to: empty, playlistsPerFile: 3)
    #expect(try MPDJSONReader.read(path: empty).sameContent(as: Self.trickyDataset()))
  }

  @Test func anArtistNameIsNeverWrittenAsArtistURI() throws {
    // "Only Name" has no artist_uri in the input: its key is its name.
    let dir = try TempDir()
    let data = try parse(Array(Self.handWritten.utf8))
    let path = dir.path + "/one.json"
    try MPDJSONWriter.writeFile(data, to: path)
    let root = try #require(
      try JSONSerialization.jsonObject(with: FileIO.read(path)) as? [String: Any])
    let tracks = try #require(
      (root["playlists"] as? [[String: Any]])?[0]["tracks"] as? [[String: Any]])
    #expect(tracks[2]["artist_name"] as? String == "Only Name")
    #expect(tracks[2]["artist_uri"] == nil)
    #expect(tracks[0]["artist_uri"] as? String == "spotify:artist:2wIVse2owClT7go1WT98tk")
    #expect(try MPDJSONReader.read(path: path).sameContent(as: data))
  }

  @Test func copyKeepsEveryUntouchedPlaylistByteForByte() throws {
    let dir = try TempDir()
    let source = try dir.write("in.json", Array(Self.handWritten.utf8))
    let data = try MPDJSONReader.read(path: source)
    // Nothing rewritten: the very same bytes.
    try MPDJSONWriter.writeCopy(of: source, dataset: data, rewritten: [], to: dir.path + "/a.json")
    #expect(try FileIO.read(dir.path + "/a.json") == FileIO.read(source))
    // Playlist 1 rewritten: the bytes before and after its object are unchanged.
    try MPDJSONWriter.writeCopy(of: source, dataset: data, rewritten: [1], to: dir.path + "/b.json")
    let input = try FileIO.read(source)
    let output = try FileIO.read(dir.path + "/b.json")
    let a = try input.withUnsafeBytes { try MPDJSONReader.playlistSpans($0, path: "in") }
    let b = try output.withUnsafeBytes { try MPDJSONReader.playlistSpans($0, path: "out") }
    #expect(a.map(\.pid) == [0, 7, -3] && b.map(\.pid) == [0, 7, -3])
    #expect(input[..<a[1].bytes.lowerBound] == output[..<b[1].bytes.lowerBound])
    #expect(input[a[1].bytes.upperBound...] == output[b[1].bytes.upperBound...])
    #expect(try MPDJSONReader.read(path: dir.path + "/b.json").sameContent(as: data))
    // A dataset that no longer matches the file is refused.
    #expect(throws: ChorusError.self) {
      try MPDJSONWriter.writeCopy(
        of: source, dataset: Self.trickyDataset(), rewritten: [], to: dir.path + "/c.json")
    }
  }

  // MARK: - Fixtures

  private func parse(_ bytes: [UInt8], path: String = "test.json") throws -> Dataset {
    var b = DatasetBuilder()
    try bytes.withUnsafeBytes { try MPDJSONReader.parse($0, path: path, into: &b) }
    return b.finish()
  }

  /// Real-shaped: escapes, raw UTF-8, unknown keys of every JSON type at every level, missing
  /// optional fields (artist from artist_name, then unknown), null fields, an escaped key.
  static let handWritten = #"""
    {
        "info": {
            "generated_on": "2017-12-03 08:41:42.057563",
            "slice": "0-999",
            "version": "v1",
            "extra": [1, 2.5e3, -0.5, 0, 1E-2, true, false, null, {"a": [], "b": {}}, []]
        },
        "playlists": [
            {
                "name": "Throwbacks",
                "collaborative": "false",
                "pid": 0,
                "modified_at": 1493424000,
                "num_tracks": 3,
                "tracks": [
                    {
                        "pos": 0,
                        "artist_name": "Missy Elliott",
                        "track_uri": "spotify:track:0UaMYEvWZi0ZqiDOoHU3YI",
                        "artist_uri": "spotify:artist:2wIVse2owClT7go1WT98tk",
                        "track_name": "Lose Control (feat. Ciara & Fat Man Scoop)",
                        "album_uri": "spotify:album:6vV5UrXcfyQD1wu4Qo2I9K",
                        "duration_ms": 226863,
                        "album_name": "The Cookbook"
                    },
                    {
                        "pos": 1,
                        "artist_name": "Beyonc\u00e9",
                        "track_uri": "spotify:track:B1",
                        "artist_uri": "spotify:artist:beyonce",
                        "track_name": "Say \"Hi\" \\ back\n",
                        "unknown_nested": {"deep": [[{"x": "\ud83c\udfb5"}]]},
                        "album_name": "Caf\u00e9"
                    },
                    {
                        "track_name": "Déjà vu 🎵",
                        "artist_name": "Only Name",
                        "track_uri": "spotify:track:C1"
                    }
                ],
                "num_followers": 1
            },
            {
                "tracks": [
                    {"track_uri": "spotify:track:D1", "track_name": null},
                    {"track_uri": "spotify:track:0UaMYEvWZi0ZqiDOoHU3YI",
                     "artist_name": "Someone Else", "track_name": "ignored"},
                    {"track_uri": "spotify:track:E1", "artist_uri": null, "artist_name": ""}
                ],
                "pid": 7,
                "flag": true
            },
            {"name": "\ud83c\udfb5 mix \u002F \t tab", "pid": -3,
             "tracks": [{"track\u005furi": "spotify:track:B1"}]}
        ]
    }
    """#

  /// A realistic MPD slice: pretty-printed like the real files (Python 2 `json.dumps`, indent
  /// 4, ", " separators), all 8 track fields, ~66 tracks per playlist, skewed popularity,
  /// a few escapes and repeats.
  static func generateSlice(playlists: Int, seed: UInt64) -> [UInt8] {
    var rng = SplitMix(state: seed)
    var s = "{\n    \"info\": {\n        \"generated_on\": \"2017-12-03 08:41:42.057563\", \n"
    s += "        \"slice\": \"0-\(playlists - 1)\", \n        \"version\": \"v1\"\n    }, \n"
    s += "    \"playlists\": [\n"
    let words = ["Love", "Night", "Summer", "Caf\\u00e9", "Road", "Fire", "Blue", "Heart", "Gold"]
    func text(_ n: Int) -> String {
      (0..<n).map { _ in words[Int(rng.next() % UInt64(words.count))] }.joined(separator: " ")
    }
    func uri(_ kind: String, _ i: UInt64) -> String {
      let alphabet = Array("0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")
      var x = i &* 0x9E37_79B9_7F4A_7C15
      var id = ""
      for _ in 0..<22 {
        id.append(alphabet[Int(x % 62)])
        x = x / 62 &+ (x &* 31)
      }
      return "spotify:\(kind):\(id)"
    }
    for p in 0..<playlists {
      let n = 5 + Int(rng.next() % 123)
      s += "        {\n            \"name\": \"\(text(2))\", \n"
      s += "            \"collaborative\": \"false\", \n            \"pid\": \(p), \n"
      s += "            \"modified_at\": 1493424000, \n            \"num_tracks\": \(n), \n"
      s += "            \"num_albums\": \(n / 2), \n            \"num_followers\": 1, \n"
      s += "            \"tracks\": [\n"
      for k in 0..<n {
        let u = Double(rng.next() >> 11) / Double(1 << 53)
        let t = UInt64(u * u * u * 2_000_000)
        let name = t % 97 == 0 ? "He said \\\"\(text(2))\\\"" : text(3)
        s += "                {\n                    \"pos\": \(k), \n"
        s += "                    \"artist_name\": \"\(text(2))\", \n"
        s += "                    \"track_uri\": \"\(uri("track", t))\", \n"
        s += "                    \"artist_uri\": \"\(uri("artist", t / 8))\", \n"
        s += "                    \"track_name\": \"\(name)\", \n"
        s += "                    \"album_uri\": \"\(uri("album", t / 3))\", \n"
        s += "                    \"duration_ms\": \(150_000 + rng.next() % 150_000), \n"
        s += "                    \"album_name\": \"\(text(3))\"\n"
        s += k == n - 1 ? "                }\n" : "                }, \n"
      }
      s +=
        "            ], \n            \"num_edits\": 6, \n            \"duration_ms\": 11532414, \n"
      s += "            \"num_artists\": \(n / 3)\n"
      s += p == playlists - 1 ? "        }\n" : "        }, \n"
    }
    s += "    ]\n}"
    return Array(s.utf8)
  }
}

/// SplitMix64 (Steele et al. 2014): a tiny deterministic generator for fixtures.
private struct SplitMix {
  var state: UInt64
  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }
}

/// A fresh folder under the system temp dir, removed when the value is released.
private final class TempDir {
  let path: String

  init() throws {
    path =
      FileManager.default.temporaryDirectory
      .appendingPathComponent("chorus-mpd-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
  }

  deinit { try? FileManager.default.removeItem(atPath: path) }

  @discardableResult
  func write(_ name: String, _ bytes: [UInt8]) throws -> String {
    let file = path + "/" + name
    try Data(bytes).write(to: URL(fileURLWithPath: file))
    return file
  }
}
