import Foundation
import KuzetProtocol
import Testing

@testable import KuzetRegistry

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
            heartbeat.agentVersion = "0.1.0 \"quoted\" \\ \"cameras\":[] ünï a/b \t\n\u{01}\u{1F} 🙂"
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
            let spaced = Data(
                String(decoding: canonical, as: UTF8.self).replacingOccurrences(of: ",\"", with: " ,\n \"").utf8)
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
            let assembled = try #require(
                StoredStateJSON.assembled(state, payload: try StoredJSON.encode(heartbeat)), "written by hand")
            #expect(assembled == (try StoredJSON.encode(state)))
        }
    }

    @Test("clock skews of every shape are written as JSONEncoder writes them and read back exactly")
    func clockSkewNumbers() throws {
        let heartbeat = Self.heartbeats()[0]
        let payload = try StoredJSON.encode(heartbeat)
        for skew in [
            0, -0.0, 12, -3.5, 700.25, 0.1 + 0.2, 1e-7, -2.5e-5, 123_456_789.125, 1e16, 1e21, -1.7976931348623157e308,
            Double.leastNonzeroMagnitude,
        ] {
            let state = SchoolState.applying(heartbeat, to: nil, skewSeconds: skew, policy: FlagPolicy())
            let assembled = try #require(StoredStateJSON.assembled(state, payload: payload), "written by hand")
            #expect(
                assembled == (try StoredJSON.encode(state)),
                "skew \(skew): \(String(decoding: assembled, as: UTF8.self).prefix(120))")
            #expect(try StoredJSON.decode(SchoolState.self, assembled) == state)
        }
    }

    @Test(
        "the storage report is taken as sent: a spaced payload with a key this version does not know reads back as the state"
    )
    func storageTakenAsSent() throws {
        let heartbeat = Self.heartbeats()[0]
        let state = SchoolState.applying(heartbeat, to: nil, skewSeconds: 0, policy: FlagPolicy())
        var text = String(decoding: try StoredJSON.encode(heartbeat), as: UTF8.self)
        text = text.replacingOccurrences(of: #""storage":{"#, with: #""storage" : { "volume_label" : "NVR-1", "#)
        let json = try StoredStateJSON.encode(state, payload: Data(text.utf8))
        #expect(
            String(decoding: json, as: UTF8.self).contains(#""volume_label" : "NVR-1""#),
            "the storage JSON as the agent sent it")
        #expect(try StoredJSON.decode(SchoolState.self, json) == state)
    }

    @Test("a payload whose storage is repeated or not an object is not used")
    func oddStorageIsNotUsed() throws {
        let heartbeat = Self.heartbeats()[0]
        let state = SchoolState.applying(heartbeat, to: nil, skewSeconds: 0, policy: FlagPolicy())
        let canonical = String(decoding: try StoredJSON.encode(heartbeat), as: UTF8.self)
        for odd in [
            canonical.replacingOccurrences(of: #""storage":"#, with: #""storage":null,"storage":"#),
            canonical.replacingOccurrences(of: #""storage":"#, with: #""stor\u0061ge":"#),
        ] {
            #expect(StoredStateJSON.assembled(state, payload: Data(odd.utf8)) == nil, "\(odd.prefix(80))")
            #expect(try StoredStateJSON.encode(state, payload: Data(odd.utf8)) == (try StoredJSON.encode(state)))
        }
    }

    @Test("a payload whose cameras do not match the state is not used")
    func mismatchedPayloadIsNotUsed() throws {
        let heartbeats = Self.heartbeats()
        let state = SchoolState.applying(heartbeats[0], to: nil, skewSeconds: 0, policy: FlagPolicy())
        let other = try StoredJSON.encode(heartbeats[2]) // 8 cameras, the state has 3
        #expect(StoredStateJSON.assembled(state, payload: other) == nil)
        #expect(try StoredStateJSON.encode(state, payload: other) == (try StoredJSON.encode(state)))
    }
}
