// Dataset characteristics on a hand-made dataset, each value derived in the comments.
import ChorusCore
import ChorusTestSupport
import Foundation
import PlaylistData
import Testing

@Suite struct DatasetCharacteristicsTests {
  @Test func valuesByHand() {
    // Playlists [a1 a2], [a1 b1], [a1 c1 a2]; artists by first letter.
    // Frequencies a1 3, a2 2, b1 1, c1 1: P = 3, T = 4, entries 7.
    let c = DatasetCharacteristics(
      dataset: Fixtures.dataset([["a1", "a2"], ["a1", "b1"], ["a1", "c1", "a2"]]))
    #expect(abs(c.log10Playlists - log10(3)) < 1e-12 && abs(c.log10Tracks - log10(4)) < 1e-12)
    #expect(abs(c.density - 7.0 / 12) < 1e-12)
    #expect(c.shareOnce == 0.5)
    // Track Gini over [1, 1, 2, 3]: (−3·1 − 1·1 + 1·2 + 3·3) / (4 · 7) = 7/28.
    #expect(abs(c.trackGini - 0.25) < 1e-12)
    // Artist entries a 5, b 1, c 1 → [1, 1, 5]: (−2·1 + 0·1 + 2·5) / (3 · 7) = 8/21.
    #expect(abs(c.artistGini - 8.0 / 21) < 1e-12)
    #expect(abs(c.meanLength - 7.0 / 3) < 1e-12)
    #expect(c.values.count == DatasetCharacteristics.names.count)
    #expect(c.value("share_once") == 0.5 && c.value("nope") == nil)
  }
}
