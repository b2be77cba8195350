// Song frequencies: per track, the number of playlists (of a given list) that contain it —
// the collective's name for the store's one counter (`PlaylistStore.trackFrequencies`).
import ChorusCore

/// Counting kernels for song frequencies (Experiments/PROTOCOL.md §1: frequency = number of
/// training playlists that contain the song; playlists hold no repeats).
public enum SongCounts {
  /// Per track: in how many of `playlists` it occurs.
  ///
  /// Shape: `trackCount` Int32 values, indexed by catalogue id. Every track id in the
  /// counted playlists must be below `trackCount`. Measured 0.3–0.5 s for the MPD training
  /// set (990k playlists, 64M entries, 2.26M tracks).
  /// - Complexity: O(entries of `playlists` + trackCount).
  public static func count<C: Collection<Int>>(
    in store: PlaylistStore, playlists: C, trackCount: Int
  ) -> [Int32] {
    store.trackFrequencies(of: playlists, trackCount: trackCount)
  }
}
