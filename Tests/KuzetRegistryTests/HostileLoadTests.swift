import Foundation
import KuzetCore
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Synchronization
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 20, must-show 2, against the real `kuzet-registry serve` (SQLite, default limits) on
/// loopback: with one school's token, bodies nested 1,000,000 deep, 100 heartbeats of 1 MiB of
/// unknown members, and 2,000 half-sent requests held for a minute — meanwhile 100 schools'
/// heartbeats are answered with p99 < 1 s and the dashboard loads; after, the process is up and
/// every school's history is bounded.
@Suite("Registry under hostile load", .serialized, .timeLimit(.minutes(3)))
struct HostileLoadTests {
    static let attacker = "KZ-BAD-0001"
    static let schools = (1...100).map { String(format: "KZ-LOAD-%04d", $0) }
    static let holdSeconds = 60.0

    /// What the clients saw, from their threads.
    final class Record: Sendable {
        struct Figures {
            var latencies: [Double] = []
            var unanswered = 0
            var sentPerSchool: [String: Int] = [:]
            var deepStatuses: [Int?] = []
            var unknownStatuses: [Int?] = []
            var dashboard: [(status: Int, seconds: Double)] = []
            var halfSentReopened = 0
            var halfSentAnswered408 = 0
            var maximumRSSKiB = 0
        }
        let figures = Mutex(Figures())
        let stop = Atomic<Bool>(false)
        var stopped: Bool { stop.load(ordering: .relaxed) }
    }

    @Test(
        "deep nesting, 1 MiB of unknown members and 2,000 half-sent requests for a minute: 100 schools answered with p99 < 1 s, dashboard loads, history bounded"
    )
    func hostileLoad() async throws {
        raiseFileLimit()
        let directory = try TemporaryDirectory(prefix: "kuzet-registry-hostile")
        let path = directory.file("registry.sqlite")
        var tokens: [String: String] = [:]
        do {
            let store = try SQLiteRegistryStore(path: path)
            try await store.migrate()
            for school in Self.schools + [Self.attacker] {
                try await store.register(SchoolRegistration(id: school, name: school, region: "Astana"), at: Date())
                let token = AccessToken.generate(role: .school)
                try await store.insert(
                    StoredToken(
                        hash: AccessToken.hash(token), principal: Principal(role: .school, schoolID: school),
                        createdAt: Date()))
                tokens[school] = token
            }
            let viewer = AccessToken.generate(role: .viewer)
            try await store.insert(
                StoredToken(hash: AccessToken.hash(viewer), principal: Principal(role: .viewer), createdAt: Date()))
            tokens["viewer"] = viewer
        }
        let server = try RegistryProcess(["--database", "sqlite:" + path])
        let port = RawConnection.port(of: server.url)
        let record = Record()
        let group = DispatchGroup()
        func thread(_ body: @escaping @Sendable () -> Void) {
            group.enter()
            Thread {
                body()
                group.leave()
            }.start()
        }
        let allTokens = tokens
        let attackerToken = tokens[Self.attacker]!
        let started = Date()

        // 2,000 connections, each half a request; reopened whenever the registry lets one go.
        thread { Self.holdHalfSent(count: 2000, port: port, token: attackerToken, record: record) }
        // The attacker's bodies: every 0.3 s a 1 MiB heartbeat of unknown members, every tenth time one nested 1,000,000 deep.
        thread { Self.attack(port: port, token: attackerToken, record: record) }
        // 100 schools, a heartbeat a second each, on their own connections.
        for (index, school) in Self.schools.enumerated() {
            let token = allTokens[school]!
            thread {
                Self.report(school: school, token: token, offset: Double(index) / 100, port: port, record: record)
            }
        }
        // The dashboard, every 5 s.
        let viewer = allTokens["viewer"]!
        thread {
            while !record.stopped {
                let begun = Date()
                let status = (try? curl(["-H", "Authorization: Bearer \(viewer)", server.url + "/"]))?.status ?? 0
                record.figures.withLock { $0.dashboard.append((status, Date().timeIntervalSince(begun))) }
                Thread.sleep(forTimeInterval: 5)
            }
        }
        while Date().timeIntervalSince(started) < Self.holdSeconds {
            try await Task.sleep(for: .seconds(1))
            let rss = Self.residentKiB(pid: server.process.pid)
            record.figures.withLock { $0.maximumRSSKiB = max($0.maximumRSSKiB, rss) }
        }
        record.stop.store(true, ordering: .relaxed)
        await withCheckedContinuation { continuation in group.notify(queue: .global()) { continuation.resume() } }

        let figures = record.figures.withLock { $0 }
        #expect(server.process.isRunning, "\(server.process.output.suffix(2000))")
        let latencies = figures.latencies.sorted()
        let p99 =
            latencies.isEmpty ? .infinity : latencies[min(latencies.count - 1, Int(Double(latencies.count) * 0.99))]
        let p50 = latencies.isEmpty ? .infinity : latencies[latencies.count / 2]
        print(
            "hostile load: \(latencies.count) school heartbeats answered, \(figures.unanswered) not; p50 \(String(format: "%.3f", p50)) s, p99 \(String(format: "%.3f", p99)) s, max \(String(format: "%.3f", latencies.last ?? 0)) s; "
                + "half-sent connections reopened \(figures.halfSentReopened) times (\(figures.halfSentAnswered408) answered 408); "
                + "deep bodies \(figures.deepStatuses.count), unknown-member bodies \(figures.unknownStatuses.count); dashboard \(figures.dashboard.map { "\($0.status)/\(String(format: "%.2f", $0.seconds))s" }); "
                + "registry VmRSS max \(figures.maximumRSSKiB / 1024) MiB")
        #expect(figures.unanswered == 0)
        #expect(latencies.count >= Self.schools.count * Int(Self.holdSeconds) * 8 / 10)
        #expect(p99 < 1.0, "p99 \(p99) s")
        #expect(
            !figures.dashboard.isEmpty && figures.dashboard.allSatisfy { $0.status == 200 && $0.seconds < 5 },
            "\(figures.dashboard)")
        #expect(
            figures.deepStatuses.count >= 10 && figures.deepStatuses.allSatisfy { $0 == 400 }, "\(figures.deepStatuses)"
        )
        #expect(
            figures.unknownStatuses.count == 100 && figures.unknownStatuses.allSatisfy { $0 == 200 },
            "\(figures.unknownStatuses)")
        // The registry let the half-sent requests go (header timeout, 10 s by default) and took them again.
        #expect(figures.halfSentAnswered408 >= 2000, "\(figures.halfSentAnswered408)")
        #expect(figures.maximumRSSKiB < 1 << 20, "VmRSS \(figures.maximumRSSKiB) KiB")

        // History: the attacker's 100 heartbeats without their padding; each school's exactly as sent.
        let store = try SQLiteRegistryStore(path: path)
        let attacked = try await store.history(schoolID: Self.attacker, limit: 10_000)
        #expect(attacked.count == 100)
        #expect(attacked.allSatisfy { $0.payload.count < 4096 }, "\(attacked.map(\.payload.count).max() ?? 0) bytes")
        for school in Self.schools.prefix(10) {
            let rows = try await store.history(schoolID: school, limit: 10_000).count
            #expect(
                rows == figures.sentPerSchool[school],
                "\(school): \(rows) rows, \(figures.sentPerSchool[school] ?? 0) sent")
        }
    }

    static func request(_ body: Data, token: String) -> Data {
        Data(
            "POST /api/v1/heartbeats HTTP/1.1\r\nHost: registry\r\nAuthorization: Bearer \(token)\r\nContent-Type: application/json\r\nContent-Length: \(body.count)\r\n\r\n"
                .utf8) + body
    }

    static func report(school: String, token: String, offset: Double, port: Int, record: Record) {
        Thread.sleep(forTimeInterval: offset)
        var connection: RawConnection?
        var sequence: UInt64 = 0
        var next = Date()
        while !record.stopped {
            sequence += 1
            let body = Sample(schoolID: school).heartbeat(sequence, at: Date()).json
            let begun = Date()
            if connection == nil { connection = try? RawConnection(port: port) }
            let status = connection?.exchange(request(body, token: token), seconds: 10)
            let seconds = Date().timeIntervalSince(begun)
            record.figures.withLock { figures in
                if status == 200 {
                    figures.latencies.append(seconds)
                    figures.sentPerSchool[school, default: 0] += 1
                } else {
                    figures.unanswered += 1
                }
            }
            if status != 200 { connection = nil }
            next = next.addingTimeInterval(1)
            Thread.sleep(forTimeInterval: max(0, next.timeIntervalSinceNow))
        }
    }

    static func attack(port: Int, token: String, record: Record) {
        let deep = request(Data(repeating: UInt8(ascii: "["), count: 1_000_000), token: token)
        var connection: RawConnection?
        let unknown = Data(",\"unknown\":\"\(String(repeating: "u", count: 1_040_000))\"}".utf8)
        for index in 0..<100 where !record.stopped {
            // The agent's heartbeat with a member of about 1 MiB that no version knows.
            let body = Sample(schoolID: attacker).heartbeat(UInt64(index + 1), at: Date()).json.dropLast() + unknown
            if connection == nil { connection = try? RawConnection(port: port) }
            let status = connection?.exchange(request(body, token: token), seconds: 20)
            record.figures.withLock { $0.unknownStatuses.append(status) }
            if status != 200 { connection = nil }
            if index % 10 == 0 {
                // The registry closes the connection after a refusal it has not read the end of: one each.
                let deepStatus = (try? RawConnection(port: port))?.exchange(deep, seconds: 20)
                record.figures.withLock { $0.deepStatuses.append(deepStatus) }
            }
            Thread.sleep(forTimeInterval: 0.3)
        }
    }

    static func holdHalfSent(count: Int, port: Int, token: String, record: Record) {
        let half = "POST /api/v1/heartbeats HTTP/1.1\r\nHost: registry\r\nAuthorization: Bearer \(token)\r\nContent-Ty"
        func open() -> RawConnection? {
            guard let connection = try? RawConnection(port: port) else { return nil }
            connection.send(half)
            return connection
        }
        var connections = (0..<count).map { _ in open() }
        var buffer = [UInt8](repeating: 0, count: 4096)
        while !record.stopped {
            var polls = connections.map { pollfd(fd: $0?.fd ?? -1, events: Int16(POLLIN), revents: 0) }
            guard Glibc.poll(&polls, nfds_t(polls.count), 200) > 0 else { continue }
            for (index, poll) in polls.enumerated() where poll.revents != 0 {
                guard let connection = connections[index] else { continue }
                let read = buffer.withUnsafeMutableBytes {
                    recv(connection.fd, $0.baseAddress, $0.count, Int32(MSG_DONTWAIT))
                }
                if read > 0, String(decoding: buffer[0..<min(read, 12)], as: UTF8.self) == "HTTP/1.1 408" {
                    record.figures.withLock { $0.halfSentAnswered408 += 1 }
                }
                if read <= 0 {
                    connection.close()
                    connections[index] = open()
                    record.figures.withLock { $0.halfSentReopened += 1 }
                }
            }
        }
    }

    static func residentKiB(pid: Int32) -> Int {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("VmRSS:") })
        else { return 0 }
        return Int(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "") ?? 0
    }

    /// Up to the hard limit: 2,000 held connections and 100 schools' need more than a default 1,024.
    func raiseFileLimit() {
        var limit = rlimit()
        getrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
        limit.rlim_cur = limit.rlim_max
        setrlimit(Int32(RLIMIT_NOFILE.rawValue), &limit)
    }
}
