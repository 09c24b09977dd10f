import Foundation
import KuzetProtocol

/// The stored JSON of a `SchoolState`, assembled from the camera reports as the agent sent them.
/// Most of a state is its cameras' reports, which are the newest heartbeat's cameras unchanged;
/// encoding them again was the largest cost left in the writer (perf). The cameras' JSON is taken
/// from that heartbeat's stored payload and put into the encoding of the rest, so the result decodes
/// to the same `SchoolState` (the reports were decoded from exactly those bytes).
enum StoredStateJSON {
    /// - Parameter payload: the JSON of the heartbeat the state's cameras come from (nil: encode all).
    static func encode(_ state: SchoolState, payload: Data?) throws -> Data {
        guard let payload, let reports = HeartbeatSlices.arrayElements(in: [UInt8](payload), key: "cameras"),
            reports.count == state.cameras.count, reports.allSatisfy({ $0.first == UInt8(ascii: "{") })
        else { return try StoredJSON.encode(state) }
        var shell = state
        shell.cameras = []
        let encoded = [UInt8](try StoredJSON.encode(shell))
        // Keys are sorted and quotes inside strings escaped, so this is the one `cameras` member.
        let empty = Array(#""cameras":[]"#.utf8)
        let matches = (0...(encoded.count - empty.count)).filter { encoded[$0..<($0 + empty.count)].elementsEqual(empty) }
        guard matches.count == 1, let at = matches.first else { return try StoredJSON.encode(state) }
        var json: [UInt8] = []
        json.reserveCapacity(encoded.count + payload.count)
        json += encoded[..<(at + empty.count - 1)]
        for (index, (camera, report)) in zip(state.cameras, reports).enumerated() {
            if index > 0 { json.append(UInt8(ascii: ",")) }
            json += Array(#"{"flags":["#.utf8)
            for (number, mark) in camera.flags.enumerated() {
                if number > 0 { json.append(UInt8(ascii: ",")) }
                json += Array(#"{"flag":""#.utf8) + Array(mark.flag.rawValue.utf8)
                json += Array(#"","since":""#.utf8) + Array(WireDateFormat.format(mark.since).utf8) + Array(#""}"#.utf8)
            }
            json += Array(#"],"report":"#.utf8)
            json += report
            json.append(UInt8(ascii: "}"))
        }
        json += encoded[(at + empty.count - 1)...]
        return Data(json)
    }
}
