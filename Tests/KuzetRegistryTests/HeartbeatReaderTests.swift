import Foundation
import KuzetProtocol
import Testing

@testable import KuzetRegistry

/// The direct heartbeat reader must give exactly what `JSONDecoder` gives, or nothing.
@Suite("Heartbeat reader")
struct HeartbeatReaderTests {
    /// Heartbeats with every optional field present or absent, odd numbers and text.
    static func heartbeats(count: Int) -> [Heartbeat] {
        var random = SystemRandomNumberGenerator()
        func maybe<T>(_ value: @autoclosure () -> T) -> T? { Bool.random(using: &random) ? value() : nil }
        let start = Date(timeIntervalSince1970: 1_790_000_000)
        return (0..<count).map { index in
            let cameras = (0..<Int.random(in: 0...4, using: &random)).map { camera in
                CameraReport(
                    id: "cam-\(camera)", online: Bool.random(using: &random), codec: maybe("h264 «ü»"),
                    width: maybe(Int.random(in: 1...16_384, using: &random)),
                    height: maybe(1080), fps: maybe(Double.random(in: 0...1000, using: &random)),
                    bitrateKbps: maybe(Double.random(in: 0...1e6, using: &random)),
                    lastFrameAgeSeconds: maybe(0.1), recording: [.recording, .notRecording, .disabled][camera % 3],
                    push: [.delivering, .failing, .disabled][index % 3],
                    relayClients: Int.random(in: 0...10, using: &random),
                    retention: maybe(
                        RetentionReport(
                            oldestFootage: maybe(start.addingTimeInterval(-86_400 * 31)),
                            achievedDays: Double.random(in: 0...3650, using: &random),
                            gaps: (0..<Int.random(in: 0...2, using: &random)).map { _ in
                                TimeRange(from: start, to: start.addingTimeInterval(60))
                            },
                            bytesUsed: Int64.random(in: 0...Int64.max, using: &random), shortfallSince: maybe(start),
                            recordedKbps: maybe(4000.5))))
            }
            return Heartbeat(
                schoolID: "KZ-RDR-\(index)", sequence: UInt64.random(in: 1...UInt64(Int64.max), using: &random),
                sentAt: start.addingTimeInterval(Double(index)),
                agentVersion: "0.1.0", uptimeSeconds: Double.random(in: 0...1e10, using: &random), intervalSeconds: 30,
                school: maybe(SchoolInfo(name: maybe("Школа №\(index)"), region: maybe("Astana"))), cameras: cameras,
                storage: StorageReport(
                    totalBytes: 8_000_000_000_000, freeBytes: Int64.random(in: 0...8_000_000_000_000, using: &random),
                    recordingsBytes: 0,
                    projectedDays: maybe(40.25), writeRateKbps: maybe(32_000),
                    diskPressure: Bool.random(using: &random), retentionDays: 30,
                    lastSweepAt: maybe(start), lastSweepDeletedFiles: maybe(3), lastSweepDeletedBytes: maybe(1 << 40)),
                centre: maybe(CentreReport(maxKbps: 20_000, achievedKbps: 19_999.9)),
                events: (0..<Int.random(in: 0...2, using: &random)).map { _ in
                    AgentEvent(at: start, kind: .cameraOffline, camera: maybe("cam-1"), message: "camera went away")
                })
        }
    }

    /// What `JSONDecoder` makes of a body (the path the reader stands in for).
    static func decoded(_ body: Data) -> HeartbeatPayloadProbe? {
        try? RegistryJSON.decoder.decode(HeartbeatPayloadProbe.self, from: body)
    }

    static func same(_ a: HeartbeatPayloadProbe?, _ b: HeartbeatPayloadProbe?) -> Bool {
        a?.heartbeats == b?.heartbeats && a?.isBatch == b?.isBatch && a?.versions == b?.versions
    }

    @Test("generated bodies, bare and batched, compact and spaced, read the same as with JSONDecoder")
    func generatedBodies() throws {
        let heartbeats = Self.heartbeats(count: 300)
        let pretty = JSONEncoder.kuzetWire
        pretty.outputFormatting = [.prettyPrinted, .withoutEscapingSlashes]
        var bodies: [Data] = []
        for (index, heartbeat) in heartbeats.enumerated() {
            bodies.append(try JSONEncoder.kuzetWire.encode(heartbeat))
            bodies.append(try pretty.encode(heartbeat))
            bodies.append(
                try JSONEncoder.kuzetWire.encode(
                    HeartbeatBatch(heartbeats: Array(heartbeats[index..<min(index + 3, heartbeats.count)]))))
        }
        for body in bodies {
            let read = HeartbeatReader.read(body)
            #expect(read != nil, "\(String(decoding: body.prefix(300), as: UTF8.self))")
            #expect(Self.same(read, Self.decoded(body)))
        }
    }

    @Test("mutated bodies are read the same as with JSONDecoder or not at all")
    func mutatedBodies() throws {
        var random = SystemRandomNumberGenerator()
        let bodies = try Self.heartbeats(count: 40).map {
            [UInt8](try JSONEncoder.kuzetWire.encode(HeartbeatBatch(heartbeats: [$0])))
        }
        let alphabet = Array("{}[]\":,0123456789-+.eE tfnul\\aZT".utf8)
        var read = 0
        for _ in 0..<20_000 {
            var body = bodies.randomElement(using: &random)!
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let at = Int.random(in: 0..<body.count, using: &random)
                switch Int.random(in: 0..<3, using: &random) {
                case 0: body[at] = alphabet.randomElement(using: &random)!
                case 1: body.remove(at: at)
                default: body.insert(alphabet.randomElement(using: &random)!, at: at)
                }
            }
            let data = Data(body)
            if let result = HeartbeatReader.read(data) {
                read += 1
                #expect(Self.same(result, Self.decoded(data)), "\(String(decoding: body, as: UTF8.self))")
            }
        }
        #expect(read > 0)
    }

    @Test("escapes, unknown or repeated keys, non-integers for integers and loose numbers are left to JSONDecoder")
    func unusualBodiesAreLeft() throws {
        let json = String(decoding: try JSONEncoder.kuzetWire.encode(Self.heartbeats(count: 1)[0]), as: UTF8.self)
        let variants = [
            json.replacingOccurrences(of: "\"agent_version\":\"0.1.0\"", with: "\"agent_version\":\"0.1\\u002e0\""),
            json.replacingOccurrences(of: "{\"agent_version\"", with: "{\"extra\":1,\"agent_version\""),
            json.replacingOccurrences(
                of: "{\"agent_version\":\"0.1.0\"", with: "{\"agent_version\":\"0.1.0\",\"agent_version\":\"0.2\""),
            json.replacingOccurrences(of: "\"interval_seconds\":30", with: "\"interval_seconds\":30.0"),
            json.replacingOccurrences(of: "\"interval_seconds\":30", with: "\"interval_seconds\":030"),
            json.replacingOccurrences(of: "\"interval_seconds\":30", with: "\"interval_seconds\":3e1"),
            json.replacingOccurrences(of: "\"uptime_seconds\":", with: "\"uptime_seconds\":0e1,\"x\":"),
            json + " x",
        ]
        for variant in variants {
            #expect(variant != json)
            #expect(HeartbeatReader.read(Data(variant.utf8)) == nil, "\(variant.prefix(200))")
        }
        #expect(HeartbeatReader.read(Data(json.utf8)) != nil)
    }

    @Test("a string with invalid UTF-8 is not read; Kazakh and Russian text reads the same as with JSONDecoder")
    func invalidUTF8IsNotRead() throws {
        var heartbeat = Self.heartbeats(count: 1)[0]
        heartbeat.school = SchoolInfo(name: "Мектеп-гимназия №1 «Қазығұрт»", region: "Түркістан облысы")
        let body = try JSONEncoder.kuzetWire.encode(heartbeat)
        let read = try #require(HeartbeatReader.read(body))
        #expect(Self.same(read, Self.decoded(body)))
        #expect(read.heartbeats.first?.school?.name == "Мектеп-гимназия №1 «Қазығұрт»")

        let name = Array("Мектеп".utf8)
        let at = try #require([UInt8](body).firstRange(of: name)).lowerBound
        for broken: [UInt8] in [[0xFF], [0xD0], [0xC0, 0x80], [0xED, 0xA0, 0x80]] {
            var bytes = [UInt8](body)
            bytes.replaceSubrange(at..<(at + 2), with: broken) // the first letter (2 bytes) becomes invalid UTF-8
            #expect(HeartbeatReader.read(Data(bytes)) == nil, "\(broken)")
        }
    }
}
