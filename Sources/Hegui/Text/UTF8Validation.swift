/// UTF-8 validation that reports where input stops being UTF-8.
package enum UTF8Validation {
  /// The byte offset of the first byte that is not part of a valid UTF-8 sequence, or `nil`.
  package static func firstInvalidByteOffset<C: Collection>(in bytes: C) -> Int? where C.Element == UInt8 {
    var offset = 0
    var iterator = bytes.makeIterator()
    var decoder = UTF8()
    var consumed = 0
    while true {
      switch decoder.decode(&iterator) {
      case let .scalarValue(scalar):
        consumed = UTF8.width(scalar)
        offset += consumed
      case .emptyInput:
        return nil
      case .error:
        return offset
      }
    }
  }
}
