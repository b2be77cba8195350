// Session TSV/CSV: grouping by session, ordering by time (stable), optional artist column,
// quoted fields, and every bad-header / bad-row case naming its line.
import ChorusCore
import ChorusTestSupport
import PlaylistData
import Testing

@Suite struct SessionFormatTests {
  @Test func groupsSessionsAndOrdersByTime() throws {
    let dir = TemporaryDirectory()
    let path = dir.write(
      "s.csv",
      """
      session,item,time
      s1,x,30
      s2,y,5
      s1,z,10
      s1,w,10
      s2,x,1

      """)
    let d = try SessionFormat.read(path: path)
    let ids = d.catalogue.trackIDs
    let lists = d.playlists.arrays.map { $0.map { ids[Int($0)] } }
    #expect(lists == [["z", "w", "x"], ["x", "y"]])
    #expect(d.names.strings == ["s1", "s2"])
  }

  @Test func tsvWithoutTimeKeepsFileOrderAndNumericPids() throws {
    let dir = TemporaryDirectory()
    let path = dir.write("s.tsv", "item\tsession\na\t17\nb\t17\nc\t3\r\n")
    let d = try SessionFormat.read(path: path)
    #expect(d.pids == [17, 3])
    #expect(d.playlists.arrays == [[0, 1], [2]])
  }

  @Test func artistColumnAndQuotedFields() throws {
    let dir = TemporaryDirectory()
    let path = dir.write("s.csv", "session,item,artist\n1,\"t,1\",\"The \"\"Band\"\"\"\n1,t2,\n")
    let d = try SessionFormat.read(path: path)
    #expect(d.catalogue.trackIDs.strings == ["t,1", "t2"])
    #expect(d.catalogue.artistIDs[0] == "The \"\"Band\"\"")
    #expect(d.warnings.missingArtist == 1)
  }

  @Test func unknownColumnIsNamed() {
    let dir = TemporaryDirectory()
    let path = dir.write("s.csv", "session,item,rating\n1,a,5\n")
    let e = #expect(throws: ChorusError.self) { try SessionFormat.read(path: path) }
    #expect(e?.field == "rating")
    #expect(e?.line == 1)
  }

  @Test func missingRequiredColumn() {
    let dir = TemporaryDirectory()
    let path = dir.write("s.csv", "session,time\n1,5\n")
    let e = #expect(throws: ChorusError.self) { try SessionFormat.read(path: path) }
    #expect(e?.message.contains("'item'") == true)
  }

  @Test func badTimeAndFieldCountNameTheLine() {
    let dir = TemporaryDirectory()
    let p1 = dir.write("a.csv", "session,item,time\n1,a,5\n1,b,soon\n")
    let e1 = #expect(throws: ChorusError.self) { try SessionFormat.read(path: p1) }
    #expect(e1?.line == 3)
    #expect(e1?.field == "time")
    let p2 = dir.write("b.csv", "session,item\n1,a\n1,b,c\n")
    let e2 = #expect(throws: ChorusError.self) { try SessionFormat.read(path: p2) }
    #expect(e2?.line == 3)
    let p3 = dir.write("c.csv", "session,item\n1,\"open\n")
    let e3 = #expect(throws: ChorusError.self) { try SessionFormat.read(path: p3) }
    #expect(e3?.message.contains("unterminated") == true)
  }

  @Test func emptyFileAndHeaderOnly() {
    let dir = TemporaryDirectory()
    let p1 = dir.write("a.csv", "")
    #expect(throws: ChorusError.self) { try SessionFormat.read(path: p1) }
    let p2 = dir.write("b.csv", "session,item\n")
    let e = #expect(throws: ChorusError.self) { try SessionFormat.read(path: p2) }
    #expect(e?.message.contains("no rows") == true)
  }
}
