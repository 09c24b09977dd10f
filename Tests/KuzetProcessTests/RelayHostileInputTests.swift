import Foundation
import KuzetCore
import KuzetSegmentStore
import KuzetTestKit
import KuzetWire
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 20, must show 1: hostile bytes to the relay of the real `kuzet-agent`, each case on its
/// own loopback connection, before and after a successful Digest login, then 2,000 half requests
/// held from one address while another (the ЦОУ) is still served. Every case gets a clear
/// answer or a close; the process stays up, its memory stays within ``rssGrowthBoundKiB`` of
/// what it held before, and the camera recorded meanwhile has no gap.
@Suite(.serialized) struct RelayHostileInputTests {
    /// How much the agent's resident memory may grow over the whole attack (it records one camera
    /// throughout). Measured here: 72 MiB before, 84 MiB peak with 2,000 half requests held before
    /// the per-address cap, 73 MiB since (32 held, the rest refused) (the
    /// relay holds at most 32 KiB unread per connection, ``RTSPMessageParser`` limits, and skips
    /// interleaved payloads); the bound leaves room for a loaded CI box.
    static let rssGrowthBoundKiB = 48 * 1024

    static let username = "viewer"
    static let password = "relay-secret-20"

    /// How a connection ended a case.
    enum Outcome: Equatable, CustomStringConvertible {
        case answer(Int)
        case closed
        case reset
        case silent

        var description: String {
            switch self {
            case .answer(let status): "answered \(status)"
            case .closed: "closed"
            case .reset: "reset"
            case .silent: "no answer"
            }
        }

        /// A clear answer (any status) or a close.
        var isAnswerOrClose: Bool { self != .silent }
    }

    /// A login that did not get its 401 and then 200: how the connection answered instead.
    struct LoginRefused: Error, CustomStringConvertible {
        var outcome: Outcome
        var description: String { "relay login: got \(outcome)" }
    }

    /// One relay connection, logged in or not.
    final class Client {
        let connection: RawTCPConnection
        let uri: String
        var authorization: String?
        private var pending: [UInt8] = []
        private var sequence = 0

        /// - Parameter source: the loopback address to connect from; 127.0.0.2 stands for the ЦОУ.
        init(port: Int, login: Bool, from source: String? = nil) throws {
            connection = try RawTCPConnection(port: port, from: source)
            uri = "rtsp://127.0.0.1:\(port)/cam1"
            guard login else { return }
            let challenge = try request("DESCRIBE")
            guard case .answer(401) = challenge.outcome,
                let digest = DigestChallenge(headers: challenge.headers.values("WWW-Authenticate"))
            else {
                throw LoginRefused(outcome: challenge.outcome)
            }
            authorization = digest.authorization(
                method: "DESCRIBE", uri: uri, username: RelayHostileInputTests.username,
                password: RelayHostileInputTests.password)
            let answer = try request("DESCRIBE")
            guard case .answer(200) = answer.outcome else { throw LoginRefused(outcome: answer.outcome) }
        }

        /// A well-formed request (with the login's `Authorization`) and its answer.
        func request(_ method: String) throws -> (outcome: Outcome, headers: WireHeaders) {
            guard connection.send(Array(head(method, lineEnding: "\r\n").utf8) + Array("\r\n".utf8)) else {
                return (.reset, WireHeaders())
            }
            return read()
        }

        /// A request head without its blank line, in `lineEnding`.
        func head(_ method: String, lineEnding: String = "\r\n") -> String {
            sequence += 1
            var text = "\(method) \(uri) RTSP/1.0\(lineEnding)CSeq: \(sequence)\(lineEnding)"
            if let authorization { text += "Authorization: \(authorization)\(lineEnding)" }
            return text
        }

        /// The next answer, read through KuzetWire; or how the connection ended.
        func read() -> (outcome: Outcome, headers: WireHeaders) {
            while true {
                if let framed = try? WireFraming.response(in: pending) {
                    pending.removeFirst(framed.consumed)
                    return (.answer(framed.message.status), framed.message.headers)
                }
                switch connection.receive() {
                case .bytes(let bytes): pending += bytes
                case .closed: return (.closed, WireHeaders())
                case .reset: return (.reset, WireHeaders())
                case .timedOut: return (.silent, WireHeaders())
                }
            }
        }
    }

    /// One hostile case: what it sends on a fresh connection and how that connection ended.
    struct Case {
        var name: String
        var run: (Client) -> Outcome
    }

    /// The value of the `/metrics` counter line containing `label`; 0 when there is none.
    static func counter(_ lines: [Substring], _ label: String) -> Double {
        lines.first { $0.contains(label) }.flatMap { $0.split(separator: " ").last.flatMap { Double($0) } } ?? 0
    }

    static func cases(port: Int) -> [Case] {
        [
            Case(name: "Content-Length 2^63-1") { client in
                client.connection.send(
                    Array((client.head("DESCRIBE") + "Content-Length: 9223372036854775807\r\n\r\n").utf8))
                return client.read().outcome
            },
            Case(name: "Content-Length -1") { client in
                client.connection.send(Array((client.head("DESCRIBE") + "Content-Length: -1\r\n\r\n").utf8))
                return client.read().outcome
            },
            Case(name: "Content-Length 4 GB, then a stream of bytes") { client in
                client.connection.send(Array((client.head("ANNOUNCE") + "Content-Length: 4294967296\r\n\r\n").utf8))
                let block = [UInt8](repeating: 0x41, count: 1 << 20)
                // up to 256 MiB, until the relay stops taking it
                for _ in 0..<256 where client.connection.send(block) {}
                return client.read().outcome
            },
            Case(name: "10,000 headers") { client in
                let headers = (0..<10_000).map { "X-Header-\($0): value\r\n" }.joined()
                client.connection.send(Array((client.head("DESCRIBE") + headers + "\r\n").utf8))
                return client.read().outcome
            },
            Case(name: "a 1 MB header line") { client in
                client.connection.send(
                    Array(
                        (client.head("DESCRIBE") + "X-Long: " + String(repeating: "a", count: 1 << 20) + "\r\n\r\n")
                            .utf8))
                return client.read().outcome
            },
            Case(name: "bare-LF lines") { client in
                client.connection.send(Array((client.head("DESCRIBE", lineEnding: "\n") + "\n").utf8))
                return client.read().outcome
            },
            Case(name: "an interleaved frame claiming 65,535 bytes, then stalling") { client in
                client.connection.send([UInt8(ascii: "$"), 1, 0xFF, 0xFF] + [UInt8](repeating: 0x80, count: 1000))
                // Stalled: the relay holds nothing for it and still serves others meanwhile.
                Thread.sleep(forTimeInterval: 2)
                guard let other = try? Client(port: port, login: false),
                    case .answer(200) = (try? other.request("OPTIONS"))?.outcome
                else { return .silent }
                // The rest of the frame, then a request: answered on the same connection.
                client.connection.send([UInt8](repeating: 0x80, count: 65_535 - 1000))
                return (try? client.request("OPTIONS"))?.outcome ?? .reset
            },
        ]
    }

    @Test(.timeLimit(.minutes(6)))
    func hostileBytesToTheRelayGetAnAnswerOrACloseAndRecordingGoesOn() throws {
        let fileLimit = RawTCPConnection.raiseOpenFileLimit(to: 8192) // the agent started below inherits it
        #expect(fileLimit >= 4200, "2,000 connections need the fd limit raised; it is \(fileLimit)")
        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1")])
        let directory = try TemporaryDirectory()
        let root = directory.file("rec")
        let port = freeLoopbackPort()
        let statusPort = freeLoopbackPort()
        let yaml = """
            school: { id: KZ-TEST-20 }
            storage: { root: \(root), segment_seconds: 2 }
            relay: { listen: "127.0.0.1:\(port)", username: \(Self.username), password: \(Self.password) }
            status: { listen: "127.0.0.1:\(statusPort)" }
            cameras:
              - id: cam1
                url: \(cameras.url(for: "/cam1"))
            """
        let path = directory.file("agent.yaml")
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
        let agent = try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", path], name: "agent", logDirectory: directory.path)
        #expect(
            eventually(timeout: 30) {
                RecordingChecks.fileNames(root: root, camera: "cam1").count >= 2
                    && (try? Client(port: port, login: true)) != nil
            })
        let baseline = try #require(residentKiB(pid: agent.pid))
        var peak = baseline
        let attackStart = Date()

        for login in [false, true] {
            for hostile in Self.cases(port: port) {
                let started = Date()
                let client = try Client(port: port, login: login)
                let outcome = hostile.run(client)
                let memory = residentKiB(pid: agent.pid) ?? .max
                peak = max(peak, memory)
                print(
                    "relay hostile case [\(login ? "after login" : "before login")] \(hostile.name): \(outcome) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s, agent RSS \(memory / 1024) MiB"
                )
                #expect(outcome.isAnswerOrClose, "\(hostile.name) (login: \(login)): \(outcome)")
                #expect(agent.isRunning, "the agent died on \(hostile.name): \(agent.output.suffix(2000))")
            }
        }

        // One machine (127.0.0.1) opens 2,000 connections sending half a request (half of them
        // logged in first) and holds them: relay.max_connections_per_address (32) lets a few in,
        // the rest get 503 and a close; relay.request_timeout_seconds (10) ends the ones let in.
        var half: [Client] = []
        var refusedAtLogin: [String: Int] = [:]
        for index in 0..<2000 {
            let client: Client
            do {
                client = try Client(port: port, login: index % 2 == 1, from: "127.0.0.1")
            } catch let refused as LoginRefused {
                refusedAtLogin["\(refused.outcome)", default: 0] += 1
                #expect(refused.outcome.isAnswerOrClose, "connection \(index): \(refused.outcome)")
                continue
            }
            if client.connection.send(Array(client.head("DESCRIBE").utf8) + Array("X-Half: ".utf8)) {
                half.append(client)
            } else {
                refusedAtLogin["closed while sending", default: 0] += 1
            }
        }
        Thread.sleep(forTimeInterval: 3)
        let heldMemory = residentKiB(pid: agent.pid) ?? .max
        peak = max(peak, heldMemory)
        #expect(agent.isRunning)
        // Meanwhile the ЦОУ (another machine: 127.0.0.2) is still served: login, OPTIONS, DESCRIBE.
        let centre = try Client(port: port, login: true, from: "127.0.0.2")
        #expect(try centre.request("OPTIONS").outcome == .answer(200))
        #expect(try centre.request("DESCRIBE").outcome == .answer(200))
        // Past the request timeout, completing each half request gets 503 (refused on arrival),
        // 408 (timed out) or finds it closed: none is still held.
        Thread.sleep(forTimeInterval: 12)
        var outcomes: [String: Int] = [:]
        for client in half {
            client.connection.send(Array("1\r\n\r\n".utf8))
            let outcome = client.read().outcome
            outcomes["\(outcome)", default: 0] += 1
            #expect(outcome.isAnswerOrClose)
            #expect(
                outcome != .answer(200) && outcome != .answer(401),
                "a half request was still held past the request timeout")
        }
        let metrics = (try? curlGet(port: statusPort, path: "/metrics").body) ?? ""
        let relayCounters = metrics.split(separator: "\n").filter {
            $0.hasPrefix("kuzet_relay_refused_total") || $0.hasPrefix("kuzet_relay_closed_total")
        }
        print(
            "relay hostile case 2,000 half requests from 127.0.0.1: \(half.count) sent their half, \(refusedAtLogin) at login; after the timeout \(outcomes); agent RSS \(heldMemory / 1024) MiB while held"
        )
        print("relay hostile case 2,000 half requests: \(relayCounters.joined(separator: ", "))")
        #expect(Self.counter(relayCounters, "limit=\"max_connections_per_address\"") > 0, "\(relayCounters)")
        #expect(Self.counter(relayCounters, "reason=\"request_timeout\"") > 0, "\(relayCounters)")
        half.removeAll()

        let attackEnd = Date()
        Thread.sleep(forTimeInterval: 3)
        print(
            "relay hostile cases: agent RSS \(baseline / 1024) MiB before, peak \(peak / 1024) MiB, bound +\(Self.rssGrowthBoundKiB / 1024) MiB"
        )
        #expect(peak - baseline <= Self.rssGrowthBoundKiB, "RSS grew from \(baseline) KiB to \(peak) KiB")
        #expect(agent.isRunning)
        kill(agent.pid, SIGTERM)
        #expect(agent.waitForExit(timeout: 15) == 0, "\(agent.output.suffix(2000))")

        // The camera was recorded throughout the attack, without a gap.
        let segments = try RecordingChecks.segments(root: root, camera: "cam1")
        let during = segments.filter { $0.end > attackStart && $0.name.start < attackEnd }
        #expect(RecordingChecks.largestGap(segments) <= 1, "gap of \(RecordingChecks.largestGap(segments)) s")
        #expect((during.first?.name.start ?? .distantFuture) <= attackStart.addingTimeInterval(2))
        #expect((during.last?.end ?? .distantPast) >= attackEnd.addingTimeInterval(-2))
        print(
            "relay hostile cases: \(segments.count) segments, \(during.count) during the \(Int(attackEnd.timeIntervalSince(attackStart))) s attack, largest gap \(RecordingChecks.largestGap(segments)) s"
        )
    }
}
