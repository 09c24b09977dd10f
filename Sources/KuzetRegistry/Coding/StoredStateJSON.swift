import Foundation
import KuzetProtocol

/// The stored JSON of a `SchoolState`, written by hand around the parts the agent sent.
/// Most of a state is the newest heartbeat's camera reports and storage report, unchanged: their
/// JSON is taken from that heartbeat's stored payload, and the rest (a version, a few numbers, dates
/// and flags) is written directly. Encoding it all with `JSONEncoder` was the largest cost left in a
/// request (perf: 7 % of the server's CPU at one heartbeat per request). The result decodes to the
/// same `SchoolState` (the reports were decoded from exactly those bytes), and with a payload as our
/// encoder writes it, it is byte for byte what `JSONEncoder` (sorted keys) would write
/// (`HeartbeatSchemaTests` checks it on a heartbeat with every field set).
enum StoredStateJSON {
    /// - Parameter payload: the JSON of the heartbeat the state's cameras and storage come from
    ///   (nil, or a payload that does not fit the state: `JSONEncoder` encodes it all).
    static func encode(_ state: SchoolState, payload: Data?) throws -> Data {
        try payload.flatMap { assembled(state, payload: $0) } ?? StoredJSON.encode(state)
    }

    /// The state written around `payload`'s cameras and storage; nil if they do not fit the state.
    static func assembled(_ state: SchoolState, payload: Data) -> Data? {
        guard state.clockSkewSeconds.isFinite, let parts = HeartbeatSlices.members(in: [UInt8](payload)),
            let reports = parts.cameras, reports.count == state.cameras.count,
            reports.allSatisfy({ $0.first == UInt8(ascii: "{") }), let storage = parts.storage,
            storage.first == UInt8(ascii: "{")
        else { return nil }
        var json = JSONBytes(capacity: payload.count + 512)
        // Keys in sorted order, as `JSONEncoder` with `.sortedKeys` writes them.
        json.append(#"{"agentVersion":"#)
        json.appendString(state.agentVersion)
        json.append(#","cameras":["#)
        for (index, (camera, report)) in zip(state.cameras, reports).enumerated() {
            if index > 0 { json.append(",") }
            json.append(#"{"flags":"#)
            json.appendFlags(camera.flags)
            json.append(#","report":"#)
            json.append(report)
            json.append("}")
        }
        json.append(#"],"clockSkewSeconds":"#)
        json.appendNumber(state.clockSkewSeconds)
        if let fingerprint = state.configFingerprint {
            json.append(#","configFingerprint":"#)
            json.appendString(fingerprint)
        }
        json.append(#","flags":"#)
        json.appendFlags(state.flags)
        json.append(#","intervalSeconds":"#)
        json.append(String(state.intervalSeconds))
        json.append(#","lastSentAt":""#)
        json.append(WireDateFormat.format(state.lastSentAt))
        json.append(#"","lastSequence":"#)
        json.append(String(state.lastSequence))
        json.append(#","storage":"#)
        json.append(storage)
        json.append("}")
        return Data(json.bytes)
    }
}

/// JSON written into a byte array, the way `JSONEncoder` writes it.
struct JSONBytes {
    private(set) var bytes: [UInt8] = []

    init(capacity: Int) { bytes.reserveCapacity(capacity) }

    mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }
    mutating func append(_ raw: Data) { bytes.append(contentsOf: raw) }

    /// `[{"flag":"…","since":"…"},…]`
    mutating func appendFlags(_ marks: [FlagMark]) {
        append("[")
        for (index, mark) in marks.enumerated() {
            if index > 0 { append(",") }
            append(#"{"flag":""#)
            append(mark.flag.rawValue)
            append(#"","since":""#)
            append(WireDateFormat.format(mark.since))
            append(#""}"#)
        }
        append("]")
    }

    /// A finite number: its shortest form, without a trailing ".0".
    mutating func appendNumber(_ value: Double) {
        var text = value.description
        if text.hasSuffix(".0") { text.removeLast(2) }
        append(text)
    }

    /// A string with `"`, `\`, `/` and control characters escaped.
    mutating func appendString(_ text: String) {
        bytes.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): append(#"\""#)
            case UInt8(ascii: "\\"): append(#"\\"#)
            case UInt8(ascii: "/"): append(#"\/"#)
            case 0x08: append(#"\b"#)
            case 0x0C: append(#"\f"#)
            case 0x0A: append(#"\n"#)
            case 0x0D: append(#"\r"#)
            case 0x09: append(#"\t"#)
            case 0..<0x20:
                let hex = Array("0123456789abcdef".utf8)
                bytes += Array(#"\u00"#.utf8) + [hex[Int(byte >> 4)], hex[Int(byte & 0x0F)]]
            default: bytes.append(byte)
            }
        }
        bytes.append(UInt8(ascii: "\""))
    }
}
