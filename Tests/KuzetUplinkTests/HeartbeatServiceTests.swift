import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetCurl
import KuzetProtocol
import KuzetTestKit
import KuzetUplink
import Logging
import Testing

/// The uplink end to end against a real HTTPS server (Python `ssl`, certificates made by the
/// test) that records what it stores.
@Suite struct HeartbeatServiceTests {
    let world: RegistryWorld
    init() throws { world = try RegistryWorld() }

    @Test func heartbeatsArriveInOrderOverMutualTLSWithTheBearerToken() async throws {
        let server = try world.startServer(mutualTLS: true)
        let logs = LogRecorder()
        let runner = try ServiceRunner(
            registry: world.registry(url: server.baseURL + "/api/v1/heartbeats", mutualTLS: true),
            interval: .milliseconds(300), logs: logs)
        #expect(await waitUntil(timeout: 20) { server.storedSequences().count >= 5 })
        await runner.stop()
        let sequences = server.storedSequences()
        #expect(sequences == Array(1...UInt64(sequences.count)))
        let first = try #require(server.storedBatches().first?.first)
        #expect(first.schoolID == Fixtures.school)
        #expect(first.events.first?.kind == .agentStarted)
        #expect(first.cameras == Fixtures.snapshot.cameras)
        let request = try #require(server.requests().first)
        #expect(request.header("Authorization") == "Bearer \(world.token)")
        #expect(request.clientCommonName == Fixtures.school)
        #expect(server.duplicateCount() == 0)
        #expect(!logs.entries.contains { $0.line.contains(world.token) })
    }

    @Test func aStateChangeIsReportedWithinTheDelayNotAtTheNextInterval() async throws {
        let server = try world.startServer()
        let runner = try ServiceRunner(
            registry: world.registry(url: server.baseURL + "/api/v1/heartbeats"), interval: .seconds(600),
            logs: LogRecorder(),
            stateChangeDelay: .seconds(1))
        #expect(await waitUntil(timeout: 10) { server.storedSequences() == [1] })
        let changed = ContinuousClock.now
        runner.service.stateChanged()
        #expect(await waitUntil(timeout: 5) { server.storedSequences() == [1, 2] })
        #expect(ContinuousClock.now - changed < .seconds(5))
        await runner.stop()
    }

    @Test func recordedEventsAreOnDiskBeforeRecordReturns() async throws {
        let closed = freeLoopbackPort()
        let logs = LogRecorder()
        let runner = try ServiceRunner(
            registry: world.registry(url: "https://127.0.0.1:\(closed)/api/v1/heartbeats"), interval: .seconds(600),
            logs: logs)
        try await runner.service.record([Fixtures.event("camera entrance stopped sending frames")])
        let journal = try String(contentsOfFile: world.folder.file("outbox/journal.jsonl"), encoding: .utf8)
        #expect(journal.contains("camera entrance stopped sending frames"))
        await runner.stop()
    }

    @Test func aWrongCAIsRefusedWithAClearLogAndNothingIsLost() async throws {
        let server = try world.startServer()
        let stranger = try TestCertificateAuthority(name: "stranger-ca", in: world.folder.path)
        let logs = LogRecorder()
        let runner = try ServiceRunner(
            registry: world.registry(url: server.baseURL + "/api/v1/heartbeats", caFile: stranger.certificate),
            interval: .milliseconds(200), logs: logs)
        #expect(
            await waitUntil(timeout: 10) {
                logs.entries(atLeast: .warning).contains { $0.message.contains("not trusted") }
            })
        #expect(await waitUntil(timeout: 10) { runner.outbox.count >= 3 })
        await runner.stop()
        let warning = try #require(logs.entries(atLeast: .warning).first { $0.message.contains("not trusted") })
        #expect(warning.message.contains(stranger.certificate))
        #expect(warning.message.contains("registry.ca_file"))
        #expect(server.requests().isEmpty)
        #expect(Fixtures.sequences(runner.outbox.pending(limit: 100)).first == 1)
    }

    @Test func mutualTLSIsEnforcedWhenTheAgentHasNoClientCertificate() async throws {
        let server = try world.startServer(mutualTLS: true)
        let logs = LogRecorder()
        let runner = try ServiceRunner(
            registry: world.registry(url: server.baseURL + "/api/v1/heartbeats", mutualTLS: false),
            interval: .milliseconds(200), logs: logs)
        #expect(
            await waitUntil(timeout: 10) {
                logs.entries(atLeast: .warning).contains { $0.message.contains("client certificate") }
            })
        await runner.stop()
        #expect(server.requests().isEmpty)
        #expect(runner.outbox.count >= 1)
        #expect(logs.entries(atLeast: .warning).contains { $0.message.contains("registry.client_cert") })
    }

    @Test func errors500And429AreRetriedHonouringRetryAfterAndNothingIsLostOrDoubled() async throws {
        let server = try world.startServer()
        try server.enqueue(status: 500, body: "database is down")
        try server.enqueue(status: 500, body: "database is down")
        try server.enqueue(status: 429, headers: ["Retry-After": "2"], body: "slow down")
        let logs = LogRecorder()
        let runner = try ServiceRunner(
            registry: world.registry(url: server.baseURL + "/api/v1/heartbeats"), interval: .milliseconds(400),
            logs: logs)
        #expect(
            await waitUntil(timeout: 30) {
                server.storedSequences().count >= 6 && logs.entries.contains { $0.message.contains("reachable again") }
            })
        await runner.stop()
        let requests = server.requests()
        #expect(requests.prefix(3).map(\.queuedStatus) == [500, 500, 429])
        // The request after the 429 waited for its Retry-After (2 s).
        #expect(retryGap(server) >= 1.9)
        let sequences = server.storedSequences()
        #expect(sequences == Array(1...UInt64(sequences.count)))
        #expect(server.duplicateCount() == 0)
        // State changes are logged, not every retry: one warning per distinct reason.
        let warnings = logs.entries(atLeast: .warning).map(\.message)
        #expect(warnings.count == 2)
        #expect(warnings.first?.contains("HTTP 500 database is down") == true)
        #expect(warnings.last?.contains("HTTP 429") == true)
        #expect(logs.entries.contains { $0.message.contains("reachable again") })
    }

    /// Seconds between the 429 answer and the next request (from the server's own timestamps).
    func retryGap(_ server: RecordingHTTPServer) -> Double {
        let lines = (try? String(contentsOfFile: server.directory.file("requests.jsonl"), encoding: .utf8)) ?? ""
        let times = lines.split(separator: "\n").compactMap { line -> Double? in
            (try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])?["at"] as? Double
        }
        guard times.count >= 4 else { return 0 }
        return times[3] - times[2]
    }

    @Test func aHangingRegistryTimesOutAndDeliveryContinues() async throws {
        let server = try world.startServer()
        try server.enqueueHang(seconds: 60)
        let logs = LogRecorder()
        let runner = try ServiceRunner(
            registry: world.registry(url: server.baseURL + "/api/v1/heartbeats"), interval: .milliseconds(300),
            logs: logs)
        #expect(await waitUntil(timeout: 20) { server.storedSequences().count >= 4 })
        await runner.stop()
        #expect(logs.entries(atLeast: .warning).contains { $0.message.contains("timed out") })
        let sequences = server.storedSequences()
        #expect(sequences == Array(1...UInt64(sequences.count)))
        #expect(server.duplicateCount() == 0)
    }

    @Test func aMissingTokenFileIsLoggedClearlyAndHeartbeatsWaitForIt() async throws {
        let server = try world.startServer()
        let tokenFile = world.folder.file("not-yet-token")
        let logs = LogRecorder()
        let runner = try ServiceRunner(
            registry: world.registry(url: server.baseURL + "/api/v1/heartbeats", tokenFile: tokenFile),
            interval: .milliseconds(200), logs: logs)
        #expect(await waitUntil(timeout: 10) { runner.outbox.count >= 4 })
        let warnings = logs.entries(atLeast: .warning).map(\.message)
        #expect(warnings.count == 1)
        #expect(warnings.first?.contains("registry.token_file \(tokenFile): does not exist") == true)
        #expect(server.requests().isEmpty)
        try world.token.write(toFile: tokenFile, atomically: true, encoding: .utf8)
        #expect(await waitUntil(timeout: 10) { server.storedSequences().count >= 6 })
        await runner.stop()
        let sequences = server.storedSequences()
        #expect(sequences == Array(1...UInt64(sequences.count)))
    }

    @Test func anUnreadableTokenFileIsLoggedClearly() async throws {
        let server = try world.startServer()
        let tokenFile = world.folder.file("token-is-a-folder")
        try FileManager.default.createDirectory(atPath: tokenFile, withIntermediateDirectories: true)
        let logs = LogRecorder()
        let runner = try ServiceRunner(
            registry: world.registry(url: server.baseURL + "/api/v1/heartbeats", tokenFile: tokenFile),
            interval: .milliseconds(200), logs: logs)
        #expect(await waitUntil(timeout: 10) { !logs.entries(atLeast: .warning).isEmpty })
        await runner.stop()
        #expect(
            logs.entries(atLeast: .warning).first?.message.contains("registry.token_file \(tokenFile): cannot be read")
                == true)
        #expect(server.requests().isEmpty)
        #expect(runner.outbox.count >= 1)
    }

    @Test func aTokenTheRegistryRejectsKeepsHeartbeatsQueued() async throws {
        let server = try world.startServer()
        let wrong = world.folder.file("wrong-token")
        try "kzt_not_the_token".write(toFile: wrong, atomically: true, encoding: .utf8)
        let logs = LogRecorder()
        let runner = try ServiceRunner(
            registry: world.registry(url: server.baseURL + "/api/v1/heartbeats", tokenFile: wrong),
            interval: .milliseconds(200), logs: logs)
        #expect(
            await waitUntil(timeout: 10) {
                logs.entries(atLeast: .warning).contains { $0.message.contains("HTTP 401") }
            })
        await runner.stop()
        #expect(server.storedSequences().isEmpty)
        #expect(Fixtures.sequences(runner.outbox.pending(limit: 100)).first == 1)
        #expect(!logs.entries.contains { $0.line.contains("kzt_not_the_token") })
    }

    @Test func aRefusedHeartbeatIsParkedAndTheRestArriveInOrder() async throws {
        let server = try world.startServer()
        let logs = LogRecorder()
        let registry = world.registry(url: server.baseURL + "/api/v1/heartbeats")
        let outbox = try Outbox(configuration: .init(directory: registry.outbox))
        try outbox.appendFixtures(3)
        try server.enqueue(status: 400, body: "heartbeat 1: unknown camera")
        try server.enqueue(status: 400, body: "heartbeat 1: unknown camera")
        let runner = try ServiceRunner(registry: registry, interval: .seconds(600), logs: logs, outbox: outbox)
        #expect(await waitUntil(timeout: 15) { server.storedSequences() == [2, 3, 4] })
        await runner.stop()
        let parked = try String(
            contentsOfFile: world.folder.file("outbox/parked/heartbeats-1-1.jsonl"), encoding: .utf8)
        #expect(parked.contains("HTTP 400"))
        #expect(
            logs.entries(atLeast: .error).contains {
                $0.message.contains("parked") && $0.message.contains("unknown camera")
            })
        #expect(runner.service.status.parked == 1)
    }

    @Test func aRegistryRefusingEveryHeartbeatParksNoneAndLosesNone() async throws {
        let server = try world.startServer()
        let logs = LogRecorder()
        let registry = world.registry(url: server.baseURL + "/api/v1/heartbeats")
        let outbox = try Outbox(configuration: .init(directory: registry.outbox))
        try outbox.appendFixtures(3)
        for _ in 0..<7 {
            try server.enqueue(
                status: 400,
                body:
                    #"{"error":"unsupported_version","message":"version: 1 is not a wire version this registry knows"}"#
            )
        }
        let runner = try ServiceRunner(registry: registry, interval: .seconds(600), logs: logs, outbox: outbox)
        #expect(await waitUntil(timeout: 20) { server.storedSequences() == [1, 2, 3, 4] })
        await runner.stop()
        #expect(!FileManager.default.fileExists(atPath: world.folder.file("outbox/parked")))
        #expect(runner.service.status.parked == 0)
        let errors = logs.entries(atLeast: .error).map(\.message)
        #expect(errors.contains { $0.contains("refuses every heartbeat") && $0.contains("unsupported_version") })
    }
}

/// A registry address where TCP connects and then nothing answers, not even TLS.
@Suite struct SilentRegistryTests {
    @Test func aSilentTCPPeerIsRetriedWithBoundedWaitsAndHeartbeatsStayQueued() async throws {
        let world = try RegistryWorld()
        let listener = try SilentTCPListener()
        let logs = LogRecorder()
        let runner = try ServiceRunner(
            registry: world.registry(url: "https://127.0.0.1:\(listener.port)/api/v1/heartbeats"),
            interval: .milliseconds(300), logs: logs,
            backoffCap: .seconds(1),
            timeouts: HTTPTimeouts(
                connect: .seconds(1), total: .seconds(2), lowSpeedBytesPerSecond: 1, lowSpeedTime: .seconds(2)))
        #expect(await waitUntil(timeout: 20) { runner.service.status.consecutiveFailures >= 3 })
        await runner.stop()
        let warnings = logs.entries(atLeast: .warning)
        #expect(warnings.count == 1, "logged once, not at every retry: \(warnings.map(\.message))")
        #expect(warnings.first?.message.contains("timed out") == true)
        #expect(Fixtures.sequences(runner.outbox.pending(limit: 100)) == Array(1...UInt64(runner.outbox.count)))
        #expect(runner.outbox.count >= 3)
    }
}
