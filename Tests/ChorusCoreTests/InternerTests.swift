// The interner against its plain twin (a Dictionary): same ids in first-seen order,
// through several table growths, plus lookups of absent keys.
import ChorusCore
import Testing

@Suite struct InternerTests {
  @Test func matchesDictionaryTwin() {
    var interner = Interner(capacity: 4)
    var twin: [String: Int32] = [:]
    var rng = RandomStream(seed: 3)
    for _ in 0..<20_000 {
      let key =
        "spotify:track:\(rng.nextInt(below: 5000))" + (rng.nextInt(below: 2) == 0 ? "" : "x")
      let expected = twin[key] ?? Int32(twin.count)
      let isNew = twin[key] == nil
      twin[key] = expected
      let (id, wasNew) = interner.intern(key)
      #expect(id == expected)
      #expect(wasNew == isNew)
    }
    #expect(interner.count == twin.count)
    for (k, v) in twin { #expect(interner.find(k) == v) }
    #expect(interner.find("absent") == nil)
    #expect(interner.pool[Int(twin["spotify:track:0"] ?? 0)].hasPrefix("spotify:track:"))
  }

  @Test func emptyAndLongKeys() {
    var interner = Interner()
    let long = String(repeating: "é", count: 300)
    #expect(interner.intern("").id == 0)
    #expect(interner.intern(long).id == 1)
    #expect(interner.intern("").isNew == false)
    #expect(interner.find(long) == 1)
    #expect(interner.pool[1] == long)
  }

  @Test func rebuildFromPool() {
    var a = Interner()
    for k in ["a", "b", "c"] { _ = a.intern(k) }
    let b = Interner(pool: a.pool)
    #expect(b.find("c") == 2)
    #expect(b.count == 3)
  }
}
