import Foundation
import KuzetProtocol
import KuzetTestKit
import Testing

/// `kill -9` of a real process running the uplink, with heartbeats queued.
@Suite struct UplinkCrashTests {
    func journalSequences(_ path: String) -> [UInt64] {
        let text = (try? String(contentsOfFile: path, encoding: .utf8)) ?? ""
        return text.split(separator: "\n").compactMap {
            try? JSONDecoder.kuzetWire.decode(Heartbeat.self, from: Data($0.utf8)).sequence
        }
    }

    @Test func killMinus9WithHeartbeatsQueuedLosesNothingAndDeliversNothingTwice() async throws {
        let world = try RegistryWorld()
        let port = freeLoopbackPort() // nothing listens yet: the registry is down
        let outbox = world.folder.file("outbox")
        let config = world.folder.file("agent.yaml")
        try Harness.writeConfig(
            to: config, registryURL: "https://127.0.0.1:\(port)/api/v1/heartbeats", tokenFile: world.tokenFile,
            caFile: world.authority.certificate,
            outbox: outbox)
        let journal = outbox + "/journal.jsonl"

        let first = try Harness.start(
            config: config, intervalMilliseconds: 100, backoffCapMilliseconds: 300, logDirectory: world.folder.path)
        #expect(
            await waitUntil(timeout: 30) { journalSequences(journal).count >= 15 }, "harness output: \(first.output)")
        kill(first.pid, SIGKILL)
        _ = first.waitForExit(timeout: 5)
        let queued = journalSequences(journal)
        #expect(queued == Array(1...UInt64(queued.count)))

        let server = try world.startServer(port: port)
        let second = try Harness.start(
            config: config, intervalMilliseconds: 1000, backoffCapMilliseconds: 300, logDirectory: world.folder.path)
        #expect(
            await waitUntil(timeout: 30) { (server.storedSequences().last ?? 0) > UInt64(queued.count) },
            "harness output: \(second.output)")
        second.stop()
        #expect(second.output.contains("READY next_sequence=\(queued.count + 1) queued=\(queued.count)"))
        let stored = server.storedSequences()
        #expect(stored == Array(1...UInt64(stored.count)), "every queued heartbeat once, in order, then the new ones")
        #expect(server.duplicateCount() == 0)
        print(
            "figure: kill -9 with \(queued.count) queued; after restart \(stored.count) stored, \(server.duplicateCount()) duplicates"
        )
    }

    @Test func killMinus9DuringDeliveryNeverLosesAHeartbeat() async throws {
        let world = try RegistryWorld()
        let server = try world.startServer()
        let outbox = world.folder.file("outbox")
        let config = world.folder.file("agent.yaml")
        try Harness.writeConfig(
            to: config, registryURL: server.baseURL + "/api/v1/heartbeats", tokenFile: world.tokenFile,
            caFile: world.authority.certificate, outbox: outbox)
        // Kill the uplink five times at arbitrary moments while it produces and delivers.
        for round in 0..<5 {
            let process = try Harness.start(
                config: config, intervalMilliseconds: 50, backoffCapMilliseconds: 300, logDirectory: world.folder.path)
            let target = (round + 1) * 8
            #expect(
                await waitUntil(timeout: 20) { server.storedSequences().count >= target },
                "harness output: \(process.output)")
            kill(process.pid, SIGKILL)
            _ = process.waitForExit(timeout: 5)
        }
        let last = try Harness.start(
            config: config, intervalMilliseconds: 60_000, backoffCapMilliseconds: 300, logDirectory: world.folder.path)
        #expect(
            await waitUntil(timeout: 20) {
                journalSequences(journal: outbox + "/journal.jsonl").isEmpty && server.storedSequences().count >= 41
            })
        last.stop()
        let stored = server.storedSequences()
        // Nothing lost: every sequence up to the last one produced arrived.
        #expect(Set(stored) == Set(1...(stored.max() ?? 0)))
        // A duplicate is only possible for a batch in flight at the instant of a kill (the
        // registry then drops it by (school, sequence)); at most one batch per kill.
        #expect(server.duplicateCount() <= 5 * 100)
        #expect(stored.count - Set(stored).count == server.duplicateCount())
        print(
            "figure: 5 kills during delivery; \(Set(stored).count) distinct heartbeats stored, none missing, \(server.duplicateCount()) duplicates dropped by the stand-in"
        )
    }

    func journalSequences(journal: String) -> [UInt64] { journalSequences(journal) }
}
