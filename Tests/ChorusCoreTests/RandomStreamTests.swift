// Random streams: deterministic per (seed, component, chunk), independent across keys,
// unbiased bounded draws and true permutations.
import ChorusCore
import Testing

@Suite struct RandomStreamTests {
  @Test func sameKeyGivesSameSequence() {
    var a = RandomStream(seed: 42, component: "x", chunk: 3)
    var b = RandomStream(seed: 42, component: "x", chunk: 3)
    for _ in 0..<100 { #expect(a.next() == b.next()) }
  }

  @Test(arguments: [
    (UInt64(42), "x", UInt64(4)), (UInt64(43), "x", UInt64(3)), (UInt64(42), "y", UInt64(3)),
  ])
  func differentKeysDiffer(seed: UInt64, component: String, chunk: UInt64) {
    var a = RandomStream(seed: 42, component: "x", chunk: 3)
    var b = RandomStream(seed: seed, component: component, chunk: chunk)
    let same = (0..<32).filter { _ in a.next() == b.next() }.count
    #expect(same == 0)
  }

  @Test func boundedDrawsStayInRangeAndCoverIt() {
    var rng = RandomStream(seed: 7)
    var counts = [Int](repeating: 0, count: 7)
    for _ in 0..<70_000 { counts[rng.nextInt(below: 7)] += 1 }
    // Each bucket expects 10,000; 5 sigma is about 470.
    for c in counts { #expect(abs(c - 10_000) < 500) }
  }

  @Test func doublesAreInUnitInterval() {
    var rng = RandomStream(seed: 9)
    var sum = 0.0
    for _ in 0..<10_000 {
      let d = rng.nextDouble()
      #expect(d >= 0 && d < 1)
      sum += d
    }
    #expect(abs(sum / 10_000 - 0.5) < 0.02)
  }

  @Test func gaussianHasUnitMoments() {
    var rng = RandomStream(seed: 11)
    let xs = (0..<20_000).map { _ in rng.nextGaussian() }
    let mean = xs.reduce(0, +) / Double(xs.count)
    let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count)
    #expect(abs(mean) < 0.05)
    #expect(abs(variance - 1) < 0.05)
  }

  @Test func shuffleIsAPermutation() {
    var rng = RandomStream(seed: 5)
    var xs = Array(0..<1000)
    rng.shuffle(&xs)
    #expect(xs != Array(0..<1000))
    #expect(xs.sorted() == Array(0..<1000))
  }

  @Test func stableHashIsFixed() {
    // FNV-1a of "" is the offset basis; pins the function across releases.
    #expect(stableHash("") == 0xCBF2_9CE4_8422_2325)
    #expect(stableHash("a") == 0xAF63_DC4C_8601_EC8C)
  }
}
