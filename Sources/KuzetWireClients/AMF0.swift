import Foundation

/// The few AMF0 values RTMP commands use (connect, createStream, publish and their answers).
enum AMF0: Equatable, ExpressibleByStringLiteral {
    init(stringLiteral value: String) { self = .string(value) }

    case number(Double)
    case boolean(Bool)
    case string(String)
    case object([(String, AMF0)])
    case null

    static func == (lhs: AMF0, rhs: AMF0) -> Bool {
        switch (lhs, rhs) {
        case (.number(let a), .number(let b)): a == b
        case (.boolean(let a), .boolean(let b)): a == b
        case (.string(let a), .string(let b)): a == b
        case (.null, .null): true
        case (.object(let a), .object(let b)): a.map(\.0) == b.map(\.0) && zip(a, b).allSatisfy { $0.1 == $1.1 }
        default: false
        }
    }

    /// A field of an object value.
    subscript(key: String) -> AMF0? {
        guard case .object(let fields) = self else { return nil }
        return fields.first { $0.0 == key }?.1
    }

    var text: String? { if case .string(let value) = self { value } else { nil } }
    var numberValue: Double? { if case .number(let value) = self { value } else { nil } }

    func encode(into bytes: inout [UInt8]) {
        switch self {
        case .number(let value):
            bytes.append(0x00)
            withUnsafeBytes(of: value.bitPattern.bigEndian) { bytes.append(contentsOf: $0) }
        case .boolean(let value):
            bytes += [0x01, value ? 1 : 0]
        case .string(let value):
            bytes.append(0x02)
            Self.appendShortString(value, to: &bytes)
        case .object(let fields):
            bytes.append(0x03)
            for (key, value) in fields {
                Self.appendShortString(key, to: &bytes)
                value.encode(into: &bytes)
            }
            bytes += [0x00, 0x00, 0x09]
        case .null:
            bytes.append(0x05)
        }
    }

    static func encode(_ values: [AMF0]) -> [UInt8] {
        var bytes: [UInt8] = []
        for value in values { value.encode(into: &bytes) }
        return bytes
    }

    private static func appendShortString(_ text: String, to bytes: inout [UInt8]) {
        let utf8 = Array(text.utf8.prefix(0xFFFF))
        bytes += [UInt8(utf8.count >> 8), UInt8(utf8.count & 0xFF)] + utf8
    }

    /// Decodes the values of a command message; stops (returning what it has) at anything it
    /// does not know, which for commands is only ever trailing detail.
    static func decode(_ bytes: ArraySlice<UInt8>) -> [AMF0] {
        var reader = Reader(bytes: bytes)
        var values: [AMF0] = []
        while let value = reader.value() { values.append(value) }
        return values
    }

    private struct Reader {
        var bytes: ArraySlice<UInt8>

        mutating func value(depth: Int = 0) -> AMF0? {
            guard depth < 16, let marker = bytes.popFirst() else { return nil }
            switch marker {
            case 0x00:
                guard bytes.count >= 8 else { return nil }
                let bits = bytes.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                bytes.removeFirst(8)
                return .number(Double(bitPattern: bits))
            case 0x01:
                guard let flag = bytes.popFirst() else { return nil }
                return .boolean(flag != 0)
            case 0x02:
                return shortString().map(AMF0.string)
            case 0x03:
                return fields(depth: depth).map(AMF0.object)
            case 0x08: // ECMA array: a count, then like an object
                guard bytes.count >= 4 else { return nil }
                bytes.removeFirst(4)
                return fields(depth: depth).map(AMF0.object)
            case 0x05, 0x06:
                return .null
            default:
                return nil
            }
        }

        mutating func shortString() -> String? {
            guard bytes.count >= 2 else { return nil }
            let length = Int(bytes[bytes.startIndex]) << 8 | Int(bytes[bytes.startIndex + 1])
            bytes.removeFirst(2)
            guard bytes.count >= length else { return nil }
            defer { bytes.removeFirst(length) }
            return String(decoding: bytes.prefix(length), as: UTF8.self)
        }

        mutating func fields(depth: Int) -> [(String, AMF0)]? {
            var fields: [(String, AMF0)] = []
            while true {
                guard let key = shortString() else { return nil }
                if key.isEmpty, bytes.first == 0x09 {
                    bytes.removeFirst()
                    return fields
                }
                guard let value = value(depth: depth + 1) else { return nil }
                fields.append((key, value))
            }
        }
    }
}
