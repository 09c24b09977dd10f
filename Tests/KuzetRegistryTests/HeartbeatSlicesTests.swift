import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import Testing

@testable import KuzetRegistry

/// History keeps each heartbeat's JSON as the agent sent it, cut out of the request body.
@Suite("Heartbeat slices", .timeLimit(.minutes(1)))
struct HeartbeatSlicesTests {
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// Two heartbeats, spaced oddly, with brackets, quotes and escapes inside strings.
    static func oddBatch() -> (body: Data, elements: [String]) {
        let tricky = AgentEvent(
            at: start, kind: .pushFailing, camera: "cam-1", message: "ends with ]},\" and \\\" {[ and ünïcode")
        let elements = [
            Sample(schoolID: "KZ-SLC-0001").heartbeat(1, at: start, events: [tricky]),
            Sample(schoolID: "KZ-SLC-0001").heartbeat(2, at: start),
        ]
        .map { String(decoding: try! JSONEncoder.kuzetWire.encode($0), as: UTF8.self) }
        let body =
            "\n { \"version\" : 1 ,\t\"heartbeats\" : [ \(elements[0]) ,\n\(elements[1])\r\n] , \"note\": [\"]\", {\"a\": \"}\"}] }\n"
        return (Data(body.utf8), elements)
    }

    @Test("each heartbeat of a batch is cut out exactly, whatever the strings inside contain")
    func slicesOfABatch() throws {
        let (body, elements) = Self.oddBatch()
        let slices = try #require(HeartbeatSlices.slices(of: body, isBatch: true, count: 2))
        #expect(slices.map { String(decoding: $0, as: UTF8.self) } == elements)
    }

    @Test("a bare heartbeat is the whole body without the space around it")
    func sliceOfABareHeartbeat() throws {
        let json = String(
            decoding: try JSONEncoder.kuzetWire.encode(Sample(schoolID: "KZ-SLC-0002").heartbeat(1, at: Self.start)),
            as: UTF8.self)
        let slices = try #require(HeartbeatSlices.slices(of: Data(" \n\(json)\n".utf8), isBatch: false, count: 1))
        #expect(slices == [Data(json.utf8)])
    }

    @Test("an escaped or repeated top-level key, or a count that does not match, gives no slices")
    func unusualBodiesGiveNoSlices() {
        let one = String(
            decoding: try! JSONEncoder.kuzetWire.encode(Sample(schoolID: "KZ-SLC-0003").heartbeat(1, at: Self.start)),
            as: UTF8.self)
        #expect(
            HeartbeatSlices.slices(
                of: Data("{\"heart\\u0062eats\":[\(one)],\"version\":1}".utf8), isBatch: true, count: 1) == nil)
        #expect(
            HeartbeatSlices.slices(
                of: Data("{\"heartbeats\":[\(one)],\"heartbeats\":[\(one)],\"version\":1}".utf8), isBatch: true,
                count: 1) == nil)
        #expect(
            HeartbeatSlices.slices(of: Data("{\"heartbeats\":[\(one)],\"version\":1}".utf8), isBatch: true, count: 2)
                == nil)
        #expect(
            HeartbeatSlices.slices(of: Data("{\"heartbeats\":[\(one)],\"version\":1}".utf8), isBatch: true, count: 1)?
                .count == 1)
    }

    @Test("history returns the heartbeats of a batch as the agent sent them", arguments: StoreKind.allCases)
    func historyKeepsTheSentBytes(kind: StoreKind) async throws {
        try await withRegistry(kind) { registry in
            let token = try await registry.schoolToken("KZ-SLC-0001")
            let (body, elements) = Self.oddBatch()
            let response = try await registry.post(body, token: token)
            #expect(response.status == .ok)
            #expect(response.json["accepted"] as? Int == 2)
            let history = try await registry.store.history(schoolID: "KZ-SLC-0001", limit: 10)
            #expect(history.map { String(decoding: $0.payload, as: UTF8.self) } == elements.reversed())
            #expect(
                try history.map { try JSONDecoder.kuzetWire.decode(Heartbeat.self, from: $0.payload).sequence } == [
                    2, 1,
                ])
        }
    }
}
