// Maps byte strings (track URIs, artist keys) to dense Int32 ids in first-seen order.
// An open-addressing table over a StringPool with a fast byte hash: far cheaper than
// Dictionary<String, Int32>, which would allocate a String and run SipHash per lookup.

/// 64-bit hash of a byte string (a wyhash-like multiply–mix over 8-byte words).
@inline(__always)
public func hashBytes(_ raw: UnsafeRawBufferPointer) -> UInt64 {
  var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(raw.count)
  var i = 0
  let n = raw.count
  while i + 8 <= n {
    let w = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
    let m = (w ^ 0xA076_1D64_78BD_642F).multipliedFullWidth(by: h ^ 0xE703_7ED1_A0B4_28DB)
    h = m.high ^ m.low
    i += 8
  }
  var tail: UInt64 = 0
  var shift: UInt64 = 0
  while i < n {
    tail |= UInt64(raw[i]) << shift
    shift += 8
    i += 1
  }
  let m = (tail ^ 0x8EBC_6AF0_9C88_C6E3).multipliedFullWidth(by: h ^ 0x5899_65CC_7537_4CC3)
  h = m.high ^ m.low
  return h ^ (h >> 29)
}

/// An interning table: byte string → dense id (0, 1, 2, … in first-seen order).
public struct Interner: Sendable {
  /// The interned strings; string i has id i.
  public private(set) var pool = StringPool()
  /// Open-addressing slots holding id + 1 (0 = empty); capacity is a power of two.
  private var slots: [Int32]
  /// Cached hashes per id, so growing never rehashes bytes.
  private var hashes: [UInt64] = []
  private var mask: Int

  public init(capacity: Int = 1024) {
    var cap = 16
    while cap < capacity * 2 { cap <<= 1 }
    slots = Array(repeating: 0, count: cap)
    mask = cap - 1
  }

  /// Rebuilds an interner over an existing pool (ids = pool order). Duplicates in the pool
  /// are a precondition failure.
  public init(pool: StringPool) {
    self.init(capacity: pool.count)
    for i in 0..<pool.count {
      let (_, isNew) = pool.withBytes(i) { intern($0) }
      precondition(isNew, "duplicate string in pool")
    }
  }

  public var count: Int { pool.count }

  /// Returns the id of `key`, adding it if new.
  /// - Complexity: O(key length) expected.
  @inline(__always)
  public mutating func intern(_ key: UnsafeRawBufferPointer) -> (id: Int32, isNew: Bool) {
    let h = hashBytes(key)
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      let s = slots[i]
      if s == 0 { break }
      let id = Int(s - 1)
      if hashes[id] == h && pool.withBytes(id, { equalBytes($0, key) }) {
        return (Int32(id), false)
      }
      i = (i + 1) & mask
    }
    let id = pool.count
    pool.append(bytes: key)
    hashes.append(h)
    slots[i] = Int32(id + 1)
    if pool.count * 2 > slots.count { grow() }
    return (Int32(id), true)
  }

  /// Convenience for String keys.
  public mutating func intern(_ key: String) -> (id: Int32, isNew: Bool) {
    var k = key
    return k.withUTF8 { intern(UnsafeRawBufferPointer($0)) }
  }

  /// Looks up `key` without adding it.
  public func find(_ key: UnsafeRawBufferPointer) -> Int32? {
    let h = hashBytes(key)
    var i = Int(truncatingIfNeeded: h) & mask
    while true {
      let s = slots[i]
      if s == 0 { return nil }
      let id = Int(s - 1)
      if hashes[id] == h && pool.withBytes(id, { equalBytes($0, key) }) { return Int32(id) }
      i = (i + 1) & mask
    }
  }

  public func find(_ key: String) -> Int32? {
    var k = key
    return k.withUTF8 { find(UnsafeRawBufferPointer($0)) }
  }

  private mutating func grow() {
    let cap = slots.count * 2
    var newSlots = [Int32](repeating: 0, count: cap)
    let newMask = cap - 1
    for id in 0..<pool.count {
      var i = Int(truncatingIfNeeded: hashes[id]) & newMask
      while newSlots[i] != 0 { i = (i + 1) & newMask }
      newSlots[i] = Int32(id + 1)
    }
    slots = newSlots
    mask = newMask
  }
}

@inline(__always)
func equalBytes(_ a: UnsafeRawBufferPointer, _ b: UnsafeRawBufferPointer) -> Bool {
  if a.count != b.count { return false }
  if a.count == 0 { return true }
  return memcmp(a.baseAddress!, b.baseAddress!, a.count) == 0
}

#if canImport(Glibc)
  import Glibc
#else
  import Foundation
#endif
