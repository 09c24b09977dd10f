import Foundation
import KuzetCore
import KuzetMedia
import KuzetTestKit
import Testing

@testable import KuzetRelay

#if canImport(Glibc)
    import Glibc
#endif

/// The relay's limits against its own clients: caps, the announced session timeout, slow readers,
/// password guessing — each against a real relay on loopback and real sockets.
@Suite(.serialized, .timeLimit(.minutes(4)))
struct RelayLimitTests {
    /// Reads (and throws away) until the relay closes the connection; the seconds that took, or
    /// nil if it stayed open for `timeout` seconds.
    static func secondsUntilClosed(_ fd: Int32, timeout: Double) -> Double? {
        let started = Date()
        var chunk = [UInt8](repeating: 0, count: 65536)
        while Date().timeIntervalSince(started) < timeout {
            let received = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if received == 0 || (received < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
                return Date().timeIntervalSince(started)
            }
        }
        return nil
    }

    @Test func aSessionThatSendsNothingForItsAnnouncedTimeoutIsClosed() async throws {
        let relay = try await RelayHarness(username: nil, password: nil) { $0.sessionTimeout = 3 }
        defer { relay.stop() }
        let silent = try await offPool { try RTSPStalledPlayer(port: relay.port, path: "/entrance") }
        #expect(silent.announcedTimeout == 3, "the Session header announces the timeout it enforces")
        // Another client keeps its session alive with GET_PARAMETER every second, as players do.
        let alive = try RawRTSPClient(port: relay.port)
        let url = relay.url(credentials: nil)
        let setup = try await offPool {
            try alive.request(
                "SETUP", url + "/streamid=0", headers: ["Transport": "RTP/AVP/TCP;unicast;interleaved=0-1"])
        }
        let session = try #require(setup.headers["session"]?.split(separator: ";").first.map(String.init))
        #expect(try await offPool { try alive.request("PLAY", url + "/", headers: ["Session": session]) }.status == 200)
        // A third keeps it alive with RTCP receiver reports on its TCP connection, as live555 does.
        let reporting = try await offPool { try RTSPStalledPlayer(port: relay.port, path: "/entrance") }
        #expect(await waitUntil(timeout: 10) { relay.server.statistics.camera("entrance").clients == 3 })

        // Seven seconds (more than twice the timeout) of keep-alives from the two others.
        for _ in 0..<7 {
            #expect(
                try await offPool { try alive.request("GET_PARAMETER", url + "/", headers: ["Session": session]) }
                    .status == 200)
            try reporting.sendReceiverReport()
            try await Task.sleep(for: .seconds(1))
        }
        // Reading only now, to see the close: the relay measures what it hears, not what is read.
        #expect(
            try await offPool { Self.secondsUntilClosed(silent.fd, timeout: 5) } != nil, "the silent session was closed"
        )
        #expect(relay.server.statistics.count(.sessionTimeout) == 1)
        #expect(
            relay.server.statistics.camera("entrance").clients == 2,
            "the clients that kept their sessions alive still play")
        #expect(relay.logs.text.contains("relay closed a session that sent nothing for its timeout"))
    }

    @Test func aPlayOverMaxClientsIsRefusedWith503AndTheLogSaysItOnce() async throws {
        let relay = try await RelayHarness(username: nil, password: nil) { $0.maxClients = 2 }
        defer { relay.stop() }
        let first = try await offPool { try RTSPStalledPlayer(port: relay.port, path: "/entrance") }
        let second = try await offPool { try RTSPStalledPlayer(port: relay.port, path: "/entrance") }
        defer { withExtendedLifetime(second) {} }
        for _ in 0..<2 {
            #expect {
                try RTSPStalledPlayer(port: relay.port, path: "/entrance")
            } throws: { ($0 as? RTSPStalledPlayer.Refused)?.status == 503 }
        }
        #expect(relay.server.statistics.camera("entrance").clients == 2)
        #expect(relay.server.playingClients == 2)
        #expect(relay.server.statistics.count(.maxClients) == 2)
        #expect(
            relay.logs.text.components(separatedBy: "relay.max_clients: 2 clients are playing").count - 1 == 1,
            "\(relay.logs.text)")
        // A place given back is taken by the next client.
        first.disconnect()
        #expect(
            await waitUntil(timeout: 10) { relay.server.playingClients == 1 },
            "\(relay.server.playingClients) places taken")
        let third = try await offPool { try RTSPStalledPlayer(port: relay.port, path: "/entrance") }
        #expect(await waitUntil(timeout: 10) { relay.server.statistics.camera("entrance").clients == 2 })
        #expect(relay.server.playingClients == 2)
        withExtendedLifetime((first, third)) {}
    }

    @Test func aPlayOverMaxClientsPerCameraIsRefusedWith453() async throws {
        let relay = try await RelayHarness(username: nil, password: nil) { $0.maxClientsPerCamera = 1 }
        defer { relay.stop() }
        let first = try await offPool { try RTSPStalledPlayer(port: relay.port, path: "/entrance") }
        defer { withExtendedLifetime(first) {} }
        #expect {
            try RTSPStalledPlayer(port: relay.port, path: "/entrance")
        } throws: { ($0 as? RTSPStalledPlayer.Refused)?.status == 453 }
        #expect(relay.server.statistics.count(.maxClientsPerCamera) == 1)
        #expect(relay.logs.text.contains("relay.max_clients_per_camera: 1 clients are playing camera entrance"))
    }

    @Test func aConnectionOverMaxConnectionsIsAnswered503AndClosed() async throws {
        let relay = try await RelayHarness(username: nil, password: nil) { $0.maxConnections = 3 }
        defer { relay.stop() }
        // Three connections that never send a byte hold every place.
        let idle = try (0..<3).map { _ in try connectLoopback(port: relay.port) }
        defer { for socket in idle { close(socket) } }
        #expect(await waitUntil(timeout: 10) { relay.server.openConnections == 3 })
        let extra = try RawRTSPClient(port: relay.port)
        let answer = try await offPool { () -> String in
            var bytes: [UInt8] = []
            var chunk = [UInt8](repeating: 0, count: 512)
            while true {
                let received = chunk.withUnsafeMutableBytes { recv(extra.fd, $0.baseAddress, $0.count, 0) }
                if received <= 0 { break }
                bytes += chunk[..<received]
            }
            return String(decoding: bytes, as: UTF8.self)
        }
        #expect(answer.hasPrefix("RTSP/1.0 503 Service Unavailable\r\n"), "\(answer)")
        #expect(relay.server.statistics.count(.maxConnections) == 1)
        // A place given back lets the next connection in.
        close(idle[0])
        #expect(await waitUntil(timeout: 10) { relay.server.openConnections == 2 })
        let next = try RawRTSPClient(port: relay.port)
        #expect(try await offPool { try next.request("OPTIONS", relay.url(credentials: nil)) }.status == 200)
    }

    @Test func aHalfSentRequestIsAnswered408AndClosedAfterTheRequestTimeout() async throws {
        let relay = try await RelayHarness(username: nil, password: nil) { $0.requestTimeout = 2 }
        defer { relay.stop() }
        let client = try RawRTSPClient(port: relay.port)
        try client.sendRaw("OPTIONS \(relay.url(credentials: nil)) RTSP/1.0\r\nCSeq: 1\r\nX-Half: ")
        let (answer, seconds) = try await offPool { client.readUntilClosed(timeout: 8) }
        let closedAfter = try #require(seconds, "the half request was still open after 8 s")
        #expect(answer.hasPrefix("RTSP/1.0 408 Request Timeout\r\n"), "\(answer)")
        #expect(closedAfter >= 1.5 && closedAfter < 5, "closed after \(closedAfter) s, timeout 2 s")
        #expect(relay.server.statistics.count(.requestTimeout) == 1)
        #expect(await waitUntil(timeout: 5) { relay.server.openConnections == 0 }, "its place is given back")
    }

    @Test func aConnectionThatSendsNothingIsClosedWithoutAnswerAfterTheRequestTimeout() async throws {
        let relay = try await RelayHarness(username: nil, password: nil) { $0.requestTimeout = 2 }
        defer { relay.stop() }
        let client = try RawRTSPClient(port: relay.port)
        let (answer, seconds) = try await offPool { client.readUntilClosed(timeout: 8) }
        let closedAfter = try #require(seconds, "the silent connection was still open after 8 s")
        #expect(answer.isEmpty, "nothing was half-read, so nothing is answered: \(answer)")
        #expect(closedAfter >= 1.5 && closedAfter < 5, "closed after \(closedAfter) s, timeout 2 s")
        #expect(relay.server.statistics.count(.requestTimeout) == 1)
    }

    @Test func aRequestCompletedWithinTheTimeoutIsAnsweredAndTheConnectionMayThenWait() async throws {
        let relay = try await RelayHarness(username: nil, password: nil) { $0.requestTimeout = 3 }
        defer { relay.stop() }
        let client = try RawRTSPClient(port: relay.port)
        let url = relay.url(credentials: nil)
        // Half now, the rest two seconds later: within the three.
        try client.sendRaw("OPTIONS \(url) RTSP/1.0\r\nCSeq: 1\r\n")
        try await Task.sleep(for: .seconds(2))
        try client.sendRaw("\r\n")
        #expect(try await offPool { try client.readResponse() }.status == 200)
        // Between requests nothing is due: five quiet seconds (over the timeout) do not close it.
        try await Task.sleep(for: .seconds(5))
        #expect(try await offPool { try client.request("OPTIONS", url) }.status == 200)
        #expect(relay.server.statistics.count(.requestTimeout) == 0)
    }

    @Test func aSecondAddressIsServedWhileTheFirstIsAtItsConnectionCap() async throws {
        let relay = try await RelayHarness(username: nil, password: nil) {
            $0.maxConnectionsPerAddress = 3
            $0.requestTimeout = 600
        }
        defer { relay.stop() }
        // 127.0.0.1 holds three connections that never send a byte.
        let idle = try (0..<3).map { _ in try RawRTSPClient(port: relay.port, from: "127.0.0.1") }
        #expect(await waitUntil(timeout: 10) { relay.server.openConnections(from: "127.0.0.1") == 3 })
        // Two more from it: each answered 503 and closed, the refusal logged once.
        for _ in 0..<2 {
            let extra = try RawRTSPClient(port: relay.port, from: "127.0.0.1")
            let (answer, seconds) = try await offPool { extra.readUntilClosed(timeout: 5) }
            #expect(seconds != nil, "the connection over the cap was closed")
            #expect(answer.hasPrefix("RTSP/1.0 503 Service Unavailable\r\n"), "\(answer)")
        }
        #expect(relay.server.statistics.count(.maxConnectionsPerAddress) == 2)
        #expect(
            relay.logs.text.components(separatedBy: "relay.max_connections_per_address: 127.0.0.1 has 3").count - 1
                == 1, "\(relay.logs.text)")
        // Meanwhile another machine (127.0.0.2) is served.
        let other = try RawRTSPClient(port: relay.port, from: "127.0.0.2")
        #expect(try await offPool { try other.request("OPTIONS", relay.url(credentials: nil)) }.status == 200)
        #expect(try await offPool { try other.request("DESCRIBE", relay.url(credentials: nil)) }.status == 200)
        #expect(relay.server.openConnections(from: "127.0.0.2") == 1)
        // A place given back at 127.0.0.1 lets its next connection in.
        shutdown(idle[0].fd, Int32(SHUT_RDWR))
        #expect(await waitUntil(timeout: 10) { relay.server.openConnections(from: "127.0.0.1") == 2 })
        let next = try RawRTSPClient(port: relay.port, from: "127.0.0.1")
        #expect(try await offPool { try next.request("OPTIONS", relay.url(credentials: nil)) }.status == 200)
        withExtendedLifetime(idle) {}
    }

    @Test func theSixthWrongPasswordOnOneConnectionClosesIt() async throws {
        let relay = try await RelayHarness()
        defer { relay.stop() }
        let client = try RawRTSPClient(port: relay.port)
        let url = relay.url(credentials: nil)
        let challenge = try await offPool { try client.request("DESCRIBE", url) }
        #expect(challenge.status == 401, "a request without Authorization is the first step, not a guess")
        let nonce = try #require(
            challenge.headers["www-authenticate"]?.components(separatedBy: "nonce=\"").last?.prefix { $0 != "\"" })
        var statuses: [Int] = []
        for guess in 1...6 {
            let response = RTSPDigestAuthenticator.md5("guess-\(guess)")
            let header =
                #"Digest username="cou", realm="kuzet", nonce="\#(nonce)", uri="\#(url)", response="\#(response)""#
            statuses.append(
                try await offPool { try client.request("DESCRIBE", url, headers: ["Authorization": header]) }.status)
        }
        #expect(statuses == [401, 401, 401, 401, 401, 403])
        #expect(
            try await offPool { Self.secondsUntilClosed(client.fd, timeout: 5) } != nil,
            "the connection is closed after the sixth guess")
        #expect(relay.server.statistics.count(.failedLogins) == 1)
        #expect(!relay.logs.text.contains("relay-pw"))
        // The right password on a new connection still works.
        #expect(
            try await offPool {
                try RTSPStalledPlayer(port: relay.port, path: "/entrance", username: "cou", password: "relay-pw")
            }.session.isEmpty == false)
    }

    @Test func aClientThatStopsReadingIsClosedAfterTheSlowClientTimeout() async throws {
        let relay = try await RelayHarness(username: nil, password: nil, bitrate: "6M") {
            $0.slowClientTimeout = 2
            $0.clientBufferBytes = 64 * 1024
            $0.sessionTimeout = 600
        }
        defer { relay.stop() }
        let stalled = try await offPool { try RTSPStalledPlayer(port: relay.port, path: "/entrance") }
        #expect(
            await waitUntil(timeout: 120) { relay.server.statistics.count(.slowClient) == 1 },
            "the stalled client was closed")
        #expect(await waitUntil(timeout: 5) { relay.server.statistics.camera("entrance").clients == 0 })
        #expect(
            relay.server.statistics.camera("entrance").droppedPackets > 0,
            "its frames were dropped before it was closed")
        #expect(relay.logs.text.contains("relay closed a client that stopped reading"))
        #expect(
            await waitUntil(timeout: 5) { relay.server.pumpThreads == 0 }, "the stream's pump ends with its last client"
        )
        withExtendedLifetime(stalled) {}
    }

    @Test func twoHundredPlayingClientsAreFedByOneThread() async throws {
        let relay = try await RelayHarness(username: nil, password: nil) {
            $0.maxClients = 300
            $0.maxClientsPerCamera = 300
            $0.maxConnectionsPerAddress = 300 // all 200 come from 127.0.0.1
        }
        defer { relay.stop() }
        // the pump's own thread starts here
        let first = try await offPool { try RTSPStalledPlayer(port: relay.port, path: "/entrance") }
        let threadsBefore = Self.threads()
        let players = try await offPool {
            try (0..<199).map { _ in try RTSPStalledPlayer(port: relay.port, path: "/entrance") }
        }
        #expect(await waitUntil(timeout: 10) { relay.server.statistics.camera("entrance").clients == 200 })
        let threadsAfter = Self.threads()
        print(
            "relay: 200 playing clients, \(relay.server.pumpThreads) pump thread(s); process threads \(threadsBefore) before the last 199, \(threadsAfter) after"
        )
        #expect(relay.server.pumpThreads == 1)
        #expect(threadsAfter - threadsBefore < 10, "threads grew from \(threadsBefore) to \(threadsAfter)")
        #expect(relay.fanout.subscriberCount == 1, "one queue on the camera's fan-out for all relay clients")
        withExtendedLifetime((first, players)) {}
    }

    static func threads() -> Int {
        let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
        return status.split(separator: "\n").first { $0.hasPrefix("Threads:") }.flatMap {
            Int($0.dropFirst(8).trimmingCharacters(in: .whitespaces))
        } ?? 0
    }
}
