/// SplitMix64: a tiny generator whose output depends only on the seed, on every platform and
/// Swift version (the standard library's `random(in:using:)` algorithms may change, so the
/// helpers below do their own range reduction).
struct SplitMix64 {
  private var state: UInt64

  init(seed: UInt64) {
    state = seed
  }

  mutating func next() -> UInt64 {
    state &+= 0x9E37_79B9_7F4A_7C15
    var z = state
    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
    return z ^ (z >> 31)
  }

  /// A number in `0..<bound` (multiply-shift; the bias is far below anything measured here).
  mutating func below(_ bound: Int) -> Int {
    precondition(bound > 0)
    return Int(truncatingIfNeeded: ((next() >> 32) &* UInt64(bound)) >> 32)
  }

  /// A number in `range`.
  mutating func int(in range: ClosedRange<Int>) -> Int {
    range.lowerBound + below(range.count)
  }

  /// True with probability `p`.
  mutating func chance(_ p: Double) -> Bool {
    Double(next() >> 11) * 0x1p-53 < p
  }

  /// One element of a non-empty array.
  mutating func pick<T>(_ array: [T]) -> T {
    array[below(array.count)]
  }
}
