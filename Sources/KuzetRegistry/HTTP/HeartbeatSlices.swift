import Foundation

/// Each heartbeat's JSON exactly as the agent sent it, cut out of the request body, so that history
/// keeps the received bytes and ingest need not encode every heartbeat again (that was 15 % of the
/// ingest CPU). Only a plain top-level object is cut; for anything unusual (an escaped or repeated
/// top-level key, a count that does not match what was decoded) the answer is nil, and the caller
/// encodes the decoded heartbeats instead.
enum HeartbeatSlices {
    static func slices(of body: Data, isBatch: Bool, count: Int) -> [Data]? {
        let bytes = [UInt8](body)
        var scanner = Scanner(bytes: bytes)
        scanner.skipSpace()
        guard scanner.peek == UInt8(ascii: "{") else { return nil }
        guard isBatch else {
            let start = scanner.index
            guard let end = scanner.endOfValue(from: start), count == 1 else { return nil }
            scanner.index = end
            scanner.skipSpace()
            return scanner.index == bytes.count ? [Data(bytes[start..<end])] : nil
        }
        guard let found = arrayElements(in: bytes, key: "heartbeats"), found.count == count,
            found.allSatisfy({ $0.first == UInt8(ascii: "{") })
        else { return nil }
        return found
    }

    /// The elements of the array under top-level `key` of the JSON object `bytes`, as sent; nil if
    /// the key is missing, repeated or not an array, or a top-level key is escaped.
    static func arrayElements(in bytes: [UInt8], key wanted: String) -> [Data]? {
        var found: [Data]?
        let scanned = topLevel(of: bytes) { key, scanner in
            guard key.elementsEqual(wanted.utf8) else { return false }
            guard found == nil, let elements = scanner.arrayElements() else { return nil }
            found = elements.map { Data(bytes[$0]) }
            return true
        }
        return scanned ? found : nil
    }

    /// A heartbeat's `cameras` elements and `storage` value, as sent (each nil if missing); nil if
    /// either is repeated, `cameras` is not an array, or a top-level key is escaped.
    static func members(in bytes: [UInt8]) -> (cameras: [Data]?, storage: Data?)? {
        var cameras: [Data]?
        var storage: Data?
        let scanned = topLevel(of: bytes) { key, scanner in
            if key.elementsEqual("cameras".utf8) {
                guard cameras == nil, let elements = scanner.arrayElements() else { return nil }
                cameras = elements.map { Data(bytes[$0]) }
                return true
            }
            if key.elementsEqual("storage".utf8) {
                guard storage == nil, let end = scanner.endOfValue(from: scanner.index) else { return nil }
                storage = Data(bytes[scanner.index..<end])
                scanner.index = end
                return true
            }
            return false
        }
        return scanned ? (cameras, storage) : nil
    }

    /// Walks the members of the JSON object `bytes`: `member` is given each key and a scanner at
    /// its value, and either moves past the value (true), leaves it to be skipped (false) or ends
    /// the walk as failed (nil). False if the walk failed or a top-level key is escaped.
    private static func topLevel(of bytes: [UInt8], _ member: (ArraySlice<UInt8>, inout Scanner) -> Bool?) -> Bool {
        var scanner = Scanner(bytes: bytes)
        scanner.skipSpace()
        guard scanner.peek == UInt8(ascii: "{") else { return false }
        scanner.index += 1
        while true {
            scanner.skipSpace()
            if scanner.peek == UInt8(ascii: "}") { break }
            guard scanner.peek == UInt8(ascii: "\""), let keyEnd = scanner.endOfString(from: scanner.index) else {
                return false
            }
            let key = bytes[(scanner.index + 1)..<(keyEnd - 1)]
            guard !key.contains(UInt8(ascii: "\\")) else { return false }
            scanner.index = keyEnd
            scanner.skipSpace()
            guard scanner.peek == UInt8(ascii: ":") else { return false }
            scanner.index += 1
            scanner.skipSpace()
            switch member(key, &scanner) {
            case nil: return false
            case true?: break
            case false?:
                guard let end = scanner.endOfValue(from: scanner.index) else { return false }
                scanner.index = end
            }
            scanner.skipSpace()
            if scanner.peek == UInt8(ascii: ",") {
                scanner.index += 1
            } else if scanner.peek != UInt8(ascii: "}") {
                return false
            }
        }
        return true
    }

    /// Just enough of JSON to find where values end (the body was already decoded, so it is valid).
    struct Scanner {
        let bytes: [UInt8]
        var index = 0

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func skipSpace() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        /// The index after the string starting (with its quote) at `start`.
        func endOfString(from start: Int) -> Int? {
            var position = start + 1
            while position < bytes.count {
                switch bytes[position] {
                case UInt8(ascii: "\\"): position += 2
                case UInt8(ascii: "\""): return position + 1
                default: position += 1
                }
            }
            return nil
        }

        /// The index after the value starting at `start` (object, array, string or scalar).
        func endOfValue(from start: Int) -> Int? {
            guard start < bytes.count else { return nil }
            switch bytes[start] {
            case UInt8(ascii: "\""):
                return endOfString(from: start)
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                var position = start
                while position < bytes.count {
                    switch bytes[position] {
                    case UInt8(ascii: "\""):
                        guard let end = endOfString(from: position) else { return nil }
                        position = end
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                        if depth == 0 { return position + 1 }
                    default:
                        break
                    }
                    position += 1
                }
                return nil
            default:
                var position = start
                while position < bytes.count {
                    switch bytes[position] {
                    case 0x2C, 0x7D, 0x5D, 0x20, 0x09, 0x0A, 0x0D: return position
                    default: position += 1
                    }
                }
                return position
            }
        }

        /// The byte ranges of the elements of the array at `index`; moves past it.
        mutating func arrayElements() -> [Range<Int>]? {
            guard peek == UInt8(ascii: "[") else { return nil }
            index += 1
            var ranges: [Range<Int>] = []
            skipSpace()
            if peek == UInt8(ascii: "]") {
                index += 1
                return ranges
            }
            while true {
                skipSpace()
                guard let end = endOfValue(from: index) else { return nil }
                ranges.append(index..<end)
                index = end
                skipSpace()
                if peek == UInt8(ascii: ",") {
                    index += 1
                } else if peek == UInt8(ascii: "]") {
                    index += 1
                    return ranges
                } else {
                    return nil
                }
            }
        }
    }
}
