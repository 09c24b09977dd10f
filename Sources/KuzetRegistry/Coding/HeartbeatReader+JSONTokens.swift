import Foundation

/// The JSON token layer of ``HeartbeatReader``: members, strings, numbers, each refusing (nil)
/// anything `JSONDecoder` might read differently.
extension HeartbeatReader {
    /// Stores a member's value once: a repeated key or an unreadable value fails the whole read.
    func set<T>(_ field: inout T?, _ value: T?) -> Bool {
        guard field == nil, let value else { return false }
        field = value
        return true
    }

    mutating func skipSpace() {
        let start = index
        while index < bytes.count,
            bytes[index] == 0x20 || bytes[index] == 0x0A || bytes[index] == 0x0D || bytes[index] == 0x09
        { index += 1 }
        spaces += index - start
    }

    mutating func consume(_ byte: UInt8) -> Bool {
        skipSpace()
        guard index < bytes.count, bytes[index] == byte else { return false }
        index += 1
        return true
    }

    mutating func consume(word: StaticString) -> Bool {
        skipSpace()
        let count = word.utf8CodeUnitCount
        guard index + count <= bytes.count else { return false }
        let matches = word.withUTF8Buffer { word in bytes[index..<(index + count)].elementsEqual(word) }
        if matches { index += count }
        return matches
    }

    /// An object: `member` reads each value; false from it (or bad syntax) fails the read.
    mutating func members(_ member: (inout HeartbeatReader, Key) -> Bool) -> Bool {
        guard consume(UInt8(ascii: "{")) else { return false }
        if consume(UInt8(ascii: "}")) { return true }
        repeat {
            guard let key = key(), consume(UInt8(ascii: ":")), member(&self, key) else { return false }
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "}"))
    }

    /// A member's name as its bytes (matched with `~=` against the names we know, so no `String` is
    /// made for it: that was a third of the reading). Like `string()`, nil for an escape or a control
    /// character; a name that is not valid UTF-8 matches no known name.
    mutating func key() -> Key? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                return Key(bytes: bytes[start..<index])
            }
            guard byte >= 0x20, byte != UInt8(ascii: "\\") else { return nil }
            index += 1
        }
        return nil
    }

    mutating func array<T>(_ element: (inout HeartbeatReader) -> T?) -> [T]? {
        guard consume(UInt8(ascii: "[")) else { return nil }
        var values: [T] = []
        if consume(UInt8(ascii: "]")) { return values }
        repeat {
            guard let value = element(&self) else { return nil }
            values.append(value)
        } while consume(UInt8(ascii: ","))
        return consume(UInt8(ascii: "]")) ? values : nil
    }

    /// `null` → .some(nil); a value → .some(value); unreadable → nil.
    mutating func optional<T>(_ value: (inout HeartbeatReader) -> T?) -> T?? {
        if consume(word: "null") { return .some(nil) }
        guard let read = value(&self) else { return nil }
        return .some(read)
    }

    /// A string without escapes or control characters, valid UTF-8.
    mutating func string() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        let start = index
        var isASCII = true
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                defer { index += 1 }
                // ASCII needs no validation, and `String(decoding:)` of a buffer is the fast, specialised
                // path; the generic validating initialiser looks its metadata up on every call (perf).
                return bytes.withUnsafeBufferPointer { all in
                    let text = UnsafeBufferPointer(rebasing: all[start..<index])
                    return isASCII ? String(decoding: text, as: UTF8.self) : String(validating: text, as: UTF8.self)
                }
            }
            guard byte >= 0x20, byte != UInt8(ascii: "\\") else { return nil }
            if byte >= 0x80 { isASCII = false }
            index += 1
        }
        return nil
    }

    /// Issue 23: base64 text (A-Z a-z 0-9 + / =), where `\/` may stand for `/` — `JSONEncoder`
    /// writes every slash so, and a JPEG's base64 starts with one. Anything else: nil.
    mutating func base64() -> String? {
        guard consume(UInt8(ascii: "\"")) else { return nil }
        var text: [UInt8] = []
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""): return String(decoding: text, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard index < bytes.count, bytes[index] == UInt8(ascii: "/") else { return nil }
                index += 1
                text.append(UInt8(ascii: "/"))
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "+"), UInt8(ascii: "/"), UInt8(ascii: "="):
                text.append(byte)
            default: return nil
            }
        }
        return nil
    }

    mutating func bool() -> Bool? {
        if consume(word: "true") { return true }
        if consume(word: "false") { return false }
        return nil
    }

    mutating func date() -> Date? { string().flatMap(WireDateFormat.parse) }

    /// A number in strict JSON grammar without exponent: -?(0|[1-9][0-9]*)(\.[0-9]+)? — exponents are
    /// left to `JSONDecoder` (it refuses some valid ones, e.g. `0e1`, and agents do not write them).
    mutating func number() -> (text: Substring, isInteger: Bool)? {
        skipSpace()
        let start = index
        func digits() -> Int {
            let first = index
            while index < bytes.count, bytes[index] >= UInt8(ascii: "0"), bytes[index] <= UInt8(ascii: "9") {
                index += 1
            }
            return index - first
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "-") { index += 1 }
        let integerStart = index
        let integerDigits = digits()
        guard integerDigits > 0, integerDigits == 1 || bytes[integerStart] != UInt8(ascii: "0") else { return nil }
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard digits() > 0 else { return nil }
            isInteger = false
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") { return nil }
        guard index - start <= Self.maximumNumberLength else { return nil }
        return (Substring(decoding: bytes[start..<index], as: UTF8.self), isInteger)
    }

    mutating func integer<T: FixedWidthInteger>(_ type: T.Type) -> T? {
        guard let number = number(), number.isInteger else { return nil }
        return T(number.text)
    }

    mutating func double() -> Double? {
        guard let number = number(), let value = Double(number.text), value.isFinite else { return nil }
        return value
    }

    /// Moves past any value (for the look-ahead).
    /// The only recursion the body's shape drives (the rest follows the heartbeat's fixed shape), so
    /// it stops at `JSONNesting.limit` levels, also when the reader is called without that check.
    mutating func skipValue(depth: Int = 0) -> Bool {
        skipSpace()
        guard index < bytes.count, depth < JSONNesting.limit else { return false }
        switch bytes[index] {
        case UInt8(ascii: "{"): return members { reader, _ in reader.skipValue(depth: depth + 1) }
        case UInt8(ascii: "["): return array { $0.skipValue(depth: depth + 1) ? true : nil } != nil
        case UInt8(ascii: "\""):
            // Any string, escapes included (only skipped).
            index += 1
            while index < bytes.count {
                if bytes[index] == UInt8(ascii: "\\") {
                    index += 2
                } else if bytes[index] == UInt8(ascii: "\"") {
                    index += 1
                    return true
                } else {
                    index += 1
                }
            }
            return false
        case UInt8(ascii: "t"): return consume(word: "true")
        case UInt8(ascii: "f"): return consume(word: "false")
        case UInt8(ascii: "n"): return consume(word: "null")
        default: return number() != nil
        }
    }
}

extension HeartbeatReader {
    /// A member name in the body, without escapes.
    struct Key {
        var bytes: ArraySlice<UInt8>
    }
}

/// `case "name":` for a `Key`: the same bytes.
func ~= (name: StaticString, key: HeartbeatReader.Key) -> Bool {
    guard key.bytes.count == name.utf8CodeUnitCount, !key.bytes.isEmpty else { return false }
    return key.bytes.withUnsafeBufferPointer { memcmp($0.baseAddress!, name.utf8Start, $0.count) == 0 }
}
