import Foundation
import KuzetProtocol
import Testing

@testable import KuzetRegistry

/// One heartbeat schema: `KuzetProtocol`'s types are the schema; the registry's fast reader
/// (`HeartbeatReader`), its slicing (`HeartbeatSlices`) and its hand-written state JSON
/// (`StoredStateJSON`) must read and write exactly what they describe. A field added to a protocol
/// type must be set in `full` (the completeness test fails otherwise); the reader then refuses the
/// unknown key and the comparison fails until the reader reads it too.
@Suite("Heartbeat schema")
struct HeartbeatSchemaTests {
    /// Whole seconds: the agent's encoder writes no fractions.
    static let start = Date(timeIntervalSince1970: 1_790_000_000)

    /// Every optional set, every array non-empty, at every level; values that set flags at school
    /// and camera level.
    static let full: Heartbeat = {
        var full = fullBeforeIssue21
        // Issue 21 (provable retention).
        full.deviceKey = String(repeating: "A", count: 43) + "="
        full.dayRoots = [
            DayRootReport(
                camera: "cam-1", day: "2026-09-20", segments: 144, root: String(repeating: "0f", count: 32),
                signature: String(repeating: "B", count: 86) + "==")
        ]
        full.challengeAnswers = [
            ChallengeAnswer(
                id: "ch-1", camera: "cam-1", day: "2026-09-20", segmentIndex: 3, status: .ok,
                // A real record has line breaks, which JSON escapes: the fast reader leaves any escaped
                // string to JSONDecoder, so the fixture's record has none (answers are rare).
                segmentRecord: "kuzet-segment-v1 cam-1 2026-09-20T00:30:00.000Z 1 1 "
                    + String(repeating: "ab", count: 32),
                segmentPath: [String(repeating: "cd", count: 32)], chunkIndex: 0, chunk: "AA==",
                chunkPath: [String(repeating: "ef", count: 32)])
        ]
        return full
    }()

    static let fullBeforeIssue21 = Heartbeat(
        version: WireVersion.current, schoolID: "KZ-SCH-0001", sequence: 42, sentAt: start, agentVersion: "0.1.0",
        uptimeSeconds: 3600.5, intervalSeconds: 30, school: SchoolInfo(name: "Школа №1", region: "Astana"),
        cameras: [
            CameraReport(
                id: "cam-1", online: false, codec: "h264", width: 1920, height: 1080, fps: 25, bitrateKbps: 4000.25,
                lastFrameAgeSeconds: 0.2, recording: .notRecording, push: .failing, relayClients: 2,
                retention: RetentionReport(
                    oldestFootage: start.addingTimeInterval(-86_400 * 12), achievedDays: 12.5,
                    gaps: [TimeRange(from: start.addingTimeInterval(-7200), to: start.addingTimeInterval(-3600))],
                    bytesUsed: 1 << 40,
                    shortfallSince: start.addingTimeInterval(-86_400), recordedKbps: 3999.5),
                idleOnDemand: true,
                health: CameraHealthReport(
                    state: .flagged, reasons: [.dark, .frozen], since: start.addingTimeInterval(-600),
                    checkedAt: start.addingTimeInterval(-30)),
                thumbnail: CameraThumbnail(
                    takenAt: start.addingTimeInterval(-60), jpegData: Data([0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10]),
                    width: 320,
                    height: 180))
        ],
        storage: StorageReport(
            totalBytes: 8_000_000_000_000, freeBytes: 40_000_000_000, recordingsBytes: 7_000_000_000_000,
            projectedDays: 12.25,
            writeRateKbps: 32_000, diskPressure: true, retentionDays: 30, lastSweepAt: start.addingTimeInterval(-60),
            lastSweepDeletedFiles: 3, lastSweepDeletedBytes: 1 << 30),
        centre: CentreReport(
            maxKbps: 20_000, achievedKbps: 19_999.5, liveKbps: 4_000.5, uploadKbps: 7_999.25, liveSessions: 1),
        events: [
            AgentEvent(
                at: start.addingTimeInterval(-5), kind: .cameraOffline, camera: "cam-1", message: "camera went away")
        ],
        configFingerprint: String(repeating: "5e", count: 32),
        clock: ClockReport(
            trusted: false, synchronised: false, offsetSeconds: -1.25, lastStepAt: start.addingTimeInterval(-30),
            lastStepSeconds: -3600.5, untrustedSegments: 7))

    /// Paths of the values under `value` that are nil or empty (optionals, collections, strings).
    static func unset(in value: Any, path: String = "heartbeat") -> [String] {
        let mirror = Mirror(reflecting: value)
        switch mirror.displayStyle {
        case .optional:
            guard let some = mirror.children.first else { return [path] }
            return unset(in: some.value, path: path)
        case .collection, .set, .dictionary:
            if mirror.children.isEmpty { return [path] }
            return mirror.children.enumerated().flatMap { unset(in: $1.value, path: "\(path)[\($0)]") }
        default:
            if let text = value as? String { return text.isEmpty ? [path] : [] }
            return mirror.children.flatMap { unset(in: $0.value, path: "\(path).\($0.label ?? "?")") }
        }
    }

    /// Paths where `a` and `b` differ, walking both the same way as `unset`.
    static func differences(_ a: Any, _ b: Any, path: String = "heartbeat") -> [String] {
        let left = Mirror(reflecting: a)
        let right = Mirror(reflecting: b)
        let leftChildren = Array(left.children)
        let rightChildren = Array(right.children)
        if leftChildren.isEmpty || rightChildren.isEmpty {
            return String(describing: a) == String(describing: b) && leftChildren.count == rightChildren.count
                ? [] : ["\(path): \(a) ≠ \(b)"]
        }
        guard leftChildren.count == rightChildren.count else {
            return ["\(path): \(leftChildren.count) ≠ \(rightChildren.count) members"]
        }
        return zip(leftChildren, rightChildren).enumerated().flatMap { index, pair in
            differences(pair.0.value, pair.1.value, path: "\(path).\(pair.0.label ?? String(index))")
        }
    }

    @Test("the fixture sets every field of the heartbeat, at every level (a new field must be added to it)")
    func fixtureIsComplete() {
        #expect(Self.unset(in: Self.full) == [])
    }

    @Test("the completeness check finds a field left nil or empty")
    func completenessCheckFindsGaps() {
        var partial = Self.full
        partial.cameras[0].retention?.gaps = []
        partial.centre = nil
        let found = Self.unset(in: partial)
        #expect(found.contains("heartbeat.cameras[0].retention.gaps"))
        #expect(found.contains("heartbeat.centre"))
    }

    @Test(
        "the fast reader reads the agent's JSON of the full heartbeat field for field as JSONDecoder of the protocol type"
    )
    func readerMatchesProtocolDecoder() throws {
        let bare = try JSONEncoder.kuzetWire.encode(Self.full)
        let batch = try JSONEncoder.kuzetWire.encode(HeartbeatBatch(heartbeats: [Self.full, Self.full]))
        let protocolBare = try JSONDecoder.kuzetWire.decode(Heartbeat.self, from: bare)
        let protocolBatch = try JSONDecoder.kuzetWire.decode(HeartbeatBatch.self, from: batch)
        #expect(protocolBare == Self.full)

        let readBare = try #require(
            HeartbeatReader.read(bare), "the reader refused the full heartbeat (a key it does not know?)")
        #expect(readBare.isBatch == false)
        #expect(readBare.heartbeats.count == 1)
        #expect(Self.differences(readBare.heartbeats[0], protocolBare) == [])
        #expect(readBare.heartbeats == [protocolBare])

        let readBatch = try #require(HeartbeatReader.read(batch), "the reader refused a batch of full heartbeats")
        #expect(readBatch.isBatch)
        #expect(readBatch.versions == [protocolBatch.version] + protocolBatch.heartbeats.map(\.version))
        #expect(readBatch.heartbeats == protocolBatch.heartbeats)
    }

    @Test("each member left out of the full heartbeat: the fast reader and JSONDecoder agree on whether it is required")
    func readerAgreesOnRequiredMembers() throws {
        let root = try #require(
            JSONSerialization.jsonObject(with: JSONEncoder.kuzetWire.encode(Self.full)) as? [String: Any])
        // Every member's path: object keys, and index 0 of arrays.
        func paths(_ value: Any, _ prefix: [String]) -> [[String]] {
            if let object = value as? [String: Any] {
                return object.flatMap { key, member in [prefix + [key]] + paths(member, prefix + [key]) }
            }
            if let array = value as? [Any], let first = array.first { return paths(first, prefix + ["0"]) }
            return []
        }
        func removing(_ path: [String], from value: Any) -> Any {
            guard let head = path.first else { return value }
            if var object = value as? [String: Any] {
                if path.count == 1 {
                    object[head] = nil
                } else {
                    object[head] = removing(Array(path.dropFirst()), from: object[head]!)
                }
                return object
            }
            var array = value as! [Any]
            array[0] = removing(Array(path.dropFirst()), from: array[0])
            return array
        }
        let all = paths(root, [])
        #expect(all.count > 40)
        for path in all {
            let body = try JSONSerialization.data(withJSONObject: removing(path, from: root))
            let decoded = try? JSONDecoder.kuzetWire.decode(Heartbeat.self, from: body)
            let read = HeartbeatReader.read(body)?.heartbeats
            #expect(read == decoded.map { [$0] }, "without \(path.joined(separator: "."))")
        }
    }

    @Test(
        "the full heartbeat's stored state, written around the sent JSON, reads back as the state and is what JSONEncoder writes"
    )
    func storedStateRoundTrip() throws {
        // Issue 23: thumbnails are kept apart; history and the state get the heartbeat without them.
        var kept = Self.full
        kept.cameras[0].thumbnail = nil
        let payload = try JSONEncoder.kuzetWire.encode(kept)
        let previous = SchoolState.applying(Self.full, to: nil, skewSeconds: 300.5, policy: FlagPolicy())
        let state = SchoolState.applying(Self.full, to: previous, skewSeconds: -3.25, policy: FlagPolicy())
        #expect(Self.unset(in: state, path: "state") == ["state.cameras[0].report.thumbnail"])
        let slices = try #require(HeartbeatSlices.slices(of: payload, isBatch: false, count: 1))
        #expect(slices == [payload])
        let assembled = try #require(
            StoredStateJSON.assembled(state, payload: payload), "the state could not be written around the payload")
        let readBack = try StoredJSON.decode(SchoolState.self, assembled)
        #expect(Self.differences(readBack, state, path: "state") == [])
        #expect(readBack == state)
        #expect(
            String(decoding: assembled, as: UTF8.self) == String(decoding: try StoredJSON.encode(state), as: UTF8.self))
    }
}
