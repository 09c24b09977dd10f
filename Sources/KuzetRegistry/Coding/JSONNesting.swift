import Foundation

/// How deep a JSON text nests, found in one pass without recursion, before any recursive parser
/// (`JSONSerialization`, `JSONDecoder`, `HeartbeatReader`) sees the text: those recurse once per
/// level, and a body nested 1,000,000 deep overflowed the stack and killed the registry.
///
/// Only brackets outside strings count (a string's `\"` and `\\` escapes are followed); the text
/// need not be valid JSON — the parsers after this one say what else is wrong.
enum JSONNesting {
    /// Deeper than any heartbeat (a batch's camera's retention's gap is 6 levels) with room to spare.
    static let limit = 32

    /// The byte offset of the first `{` or `[` that opens level `limit + 1`; nil if the text stays within.
    static func offsetBeyond(_ limit: Int = limit, in body: Data) -> Int? {
        body.withUnsafeBytes { bytes -> Int? in
            var depth = 0
            var inString = false
            var index = 0
            let count = bytes.count
            while index < count {
                let byte = bytes[index]
                if inString {
                    if byte == UInt8(ascii: "\\") {
                        index += 1 // the escaped byte, whatever it is
                    } else if byte == UInt8(ascii: "\"") {
                        inString = false
                    }
                } else {
                    switch byte {
                    case UInt8(ascii: "\""): inString = true
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        depth += 1
                        if depth > limit { return index }
                    case UInt8(ascii: "}"), UInt8(ascii: "]"): depth = max(depth - 1, 0)
                    default: break
                    }
                }
                index += 1
            }
            return nil
        }
    }
}
