import Foundation
import KuzetProtocol
@testable import KuzetRegistry
import Testing

/// The stored state is assembled from the camera reports as sent; it must read back as the state.
@Suite("Stored state JSON")
struct StoredStateJSONTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// Heartbeats that set flags at school and camera level, with text that needs escaping.
    static func heartbeats() -> [Heartbeat] {
        var samples: [Sample] = []
        var failing = Sample(schoolID: "KZ-STJ-0001", cameras: 3)
        failing.push = .failing
        failing.online = false
        failing.shortfallSince = start.addingTimeInterval(-86_400)
        failing.diskPressure = true
        samples.append(failing)
        samples.append(Sample(schoolID: "KZ-STJ-0001", cameras: 0))
        samples.append(Sample(schoolID: "KZ-STJ-0001", cameras: 8))
        return samples.enumerated().map { index, sample in
            var heartbeat = sample.heartbeat(UInt64(index + 1), at: start.addingTimeInterval(Double(index) * 30))
            heartbeat.agentVersion = "0.1.0 \"quoted\" \\ \"cameras\":[] ünï"
            return heartbeat
        }
    }

    @Test("a state assembled from the sent cameras reads back equal to the state")
    func assembledStateReadsBack() throws {
        for heartbeat in Self.heartbeats() {
            let previous = SchoolState.applying(heartbeat, to: nil, skewSeconds: 700.25, policy: FlagPolicy())
            let state = SchoolState.applying(heartbeat, to: previous, skewSeconds: -3.5, policy: FlagPolicy())
            let canonical = try JSONEncoder.kuzetWire.encode(heartbeat)
            // The same heartbeat as an agent might space it.
            let spaced = Data(String(decoding: canonical, as: UTF8.self).replacingOccurrences(of: ",\"", with: " ,\n \"").utf8)
            for payload in [canonical, spaced] {
                let json = try StoredStateJSON.encode(state, payload: payload)
                #expect(try StoredJSON.decode(SchoolState.self, json) == state)
            }
            #expect(try StoredJSON.decode(SchoolState.self, try StoredStateJSON.encode(state, payload: nil)) == state)
        }
    }

    @Test("with the stored canonical heartbeat the assembled state is byte for byte the encoded state")
    func canonicalPayloadGivesTheEncodedState() throws {
        for heartbeat in Self.heartbeats() {
            let state = SchoolState.applying(heartbeat, to: nil, skewSeconds: 12, policy: FlagPolicy())
            let assembled = try StoredStateJSON.encode(state, payload: try StoredJSON.encode(heartbeat))
            #expect(assembled == (try StoredJSON.encode(state)))
        }
    }

    @Test("a payload whose cameras do not match the state is not used")
    func mismatchedPayloadIsNotUsed() throws {
        let heartbeats = Self.heartbeats()
        let state = SchoolState.applying(heartbeats[0], to: nil, skewSeconds: 0, policy: FlagPolicy())
        let other = try StoredJSON.encode(heartbeats[2])  // 8 cameras, the state has 3
        #expect(try StoredStateJSON.encode(state, payload: other) == (try StoredJSON.encode(state)))
    }
}
