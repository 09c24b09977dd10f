import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import NIOCore
import Testing

/// 500 schools in 5 regions with known states, sent through the real HTTP API.
///
/// Per region (sizes 80…120): the first `offline` schools last reported 200 s before the report
/// (more than 3 × 30 s ago); then `notDelivering` with a failing push; then `shortRetention` at 12
/// days; then `recordingNothing`; the rest healthy.
enum Simulation {
    struct Region {
        var name: String
        var size: Int
        var offline: Int
        var notDelivering: Int
        var shortRetention: Int
        var recordingNothing: Int
    }

    static let regions = [
        Region(name: "Astana", size: 100, offline: 3, notDelivering: 4, shortRetention: 2, recordingNothing: 1),
        Region(name: "Almaty", size: 120, offline: 5, notDelivering: 5, shortRetention: 5, recordingNothing: 2),
        Region(name: "Shymkent", size: 90, offline: 7, notDelivering: 6, shortRetention: 8, recordingNothing: 3),
        Region(name: "Karaganda", size: 110, offline: 9, notDelivering: 7, shortRetention: 11, recordingNothing: 4),
        Region(name: "Aktobe", size: 80, offline: 11, notDelivering: 8, shortRetention: 14, recordingNothing: 5),
    ]

    /// Registers every school, sends its heartbeat (offline ones 200 s earlier), replays a few
    /// batches, and leaves the clock 10 s after the last heartbeat.
    static func run(on registry: TestRegistry) async throws {
        let start = registry.clock.date
        var offline: [(Heartbeat, String)] = []
        var live: [(Heartbeat, String)] = []
        for region in regions {
            for index in 0..<region.size {
                let id = "KZ-\(region.name.prefix(3).uppercased())-\(String(format: "%04d", index))"
                let token = try await registry.schoolToken(
                    id, name: "Мектеп №\(index) \(region.name)", region: region.name)
                var sample = Sample(schoolID: id)
                var bucket = index
                if bucket < region.offline {
                    offline.append((sample.heartbeat(1, at: start), token))
                    continue
                }
                bucket -= region.offline
                if bucket < region.notDelivering {
                    sample.push = .failing
                } else if bucket - region.notDelivering < region.shortRetention {
                    sample.retentionDays = 12
                } else if bucket - region.notDelivering - region.shortRetention < region.recordingNothing {
                    sample.recording = .notRecording
                }
                live.append((sample.heartbeat(1, at: start.addingTimeInterval(200)), token))
            }
        }
        for (heartbeat, token) in offline { try await send(heartbeat, token, registry) }
        registry.clock.advance(by: 200)
        for (heartbeat, token) in live { try await send(heartbeat, token, registry) }
        // Outbox replays must not change anything.
        for (heartbeat, token) in live.prefix(20) { try await send(heartbeat, token, registry, expectDuplicate: true) }
        registry.clock.advance(by: 10)
    }

    static func send(_ heartbeat: Heartbeat, _ token: String, _ registry: TestRegistry, expectDuplicate: Bool = false)
        async throws
    {
        let response = try await registry.post(heartbeat.json, token: token)
        let expected = expectDuplicate ? "duplicates" : "accepted"
        guard response.status == .ok, response.json[expected] as? Int == 1 else {
            throw SimulationError("heartbeat of \(heartbeat.schoolID): \(response.status) \(response.text)")
        }
    }

    struct SimulationError: Error, CustomStringConvertible {
        var description: String
        init(_ description: String) { self.description = description }
    }
}
