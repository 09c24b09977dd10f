import Foundation
import KuzetProtocol
import KuzetTestKit
import Synchronization

/// Schools reporting to a registry process on loopback, each on a thread of its own at a steady
/// rate over a kept-alive connection, each acknowledgement recorded with the moment it arrived.
final class HeartbeatLoad: Sendable {
    struct School: Sendable {
        var id: String
        var token: String
        var region: String? = nil
    }

    struct Acknowledgement: Sendable, Hashable {
        var school: String
        var sequence: UInt64
    }

    private let acknowledged = Mutex<[(Acknowledgement, Date)]>([])
    private let refused = Atomic<Int>(0)
    private let stopping = Atomic<Bool>(false)
    private let running = Atomic<Int>(0)

    /// Starts one thread per school, `perSecond` heartbeats each, sequences from `firstSequence`.
    func start(_ schools: [School], port: Int, perSecond: Double, interval: Int = 30, firstSequence: UInt64 = 1) {
        for school in schools {
            running.add(1, ordering: .relaxed)
            Thread.detachNewThread { [self] in
                defer { running.subtract(1, ordering: .relaxed) }
                var connection: RawConnection?
                var sequence = firstSequence
                var next = Date()
                while !stopping.load(ordering: .relaxed) {
                    var sample = Sample(schoolID: school.id, region: school.region)
                    sample.interval = interval
                    let body = sample.heartbeat(sequence, at: Date()).json
                    if connection == nil { connection = try? RawConnection(port: port) }
                    let status = connection?.exchange(Self.request(body, token: school.token), seconds: 10)
                    if status == 200 {
                        let acknowledgement = Acknowledgement(school: school.id, sequence: sequence)
                        let now = Date()
                        acknowledged.withLock { $0.append((acknowledgement, now)) }
                        sequence += 1
                    } else {
                        refused.add(1, ordering: .relaxed)
                        connection = nil
                    }
                    next = next.addingTimeInterval(1 / perSecond)
                    Thread.sleep(forTimeInterval: max(0, next.timeIntervalSinceNow))
                }
            }
        }
    }

    /// Stops every thread and waits for them (a request under way is finished first).
    func stop() {
        stopping.store(true, ordering: .relaxed)
        _ = eventually(timeout: 15) { running.load(ordering: .relaxed) == 0 }
    }

    /// The heartbeats acknowledged before `date`.
    func acknowledged(before date: Date) -> Set<Acknowledgement> {
        Set(acknowledged.withLock { $0.filter { $0.1 < date }.map(\.0) })
    }

    /// How many were acknowledged in `start..<end`.
    func count(from start: Date, to end: Date) -> Int {
        acknowledged.withLock { $0.filter { $0.1 >= start && $0.1 < end }.count }
    }

    var refusals: Int { refused.load(ordering: .relaxed) }

    static func request(_ body: Data, token: String) -> Data {
        Data(
            "POST /api/v1/heartbeats HTTP/1.1\r\nHost: registry\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
                .utf8) + body
    }
}
