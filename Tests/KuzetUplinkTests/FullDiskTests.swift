import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetProtocol
import KuzetTestKit
import KuzetUplink
import Logging
import Testing

/// The outbox on a real, small tmpfs that fills up.
@Suite struct FullDiskTests {
    @Test func aFullDiskIsLoggedOnceKeepsTheJournalWholeAndQueuingResumesWithoutGaps() async throws {
        let world = try RegistryWorld()
        let disk = try RetentionFixtures.Mount(bytes: 256 << 10)
        defer { disk.unmount() }
        // Leave about 24 KiB: a few dozen heartbeats.
        let filler = disk.path + "/filler"
        try Data(count: (256 - 24) << 10).write(to: URL(fileURLWithPath: filler))
        let port = freeLoopbackPort() // the registry is down: the journal only grows
        var registry = world.registry(url: "https://127.0.0.1:\(port)/api/v1/heartbeats")
        registry.outbox = disk.path + "/outbox"
        let logs = LogRecorder()
        let runner = try ServiceRunner(registry: registry, interval: .milliseconds(30), logs: logs)

        #expect(await waitUntil(timeout: 30) { runner.service.status.queueProblem != nil })
        try await Task.sleep(for: .milliseconds(500)) // more intervals while full
        let problem = try #require(runner.service.status.queueProblem)
        #expect(problem.contains("registry.outbox \(disk.path)/outbox"))
        #expect(problem.contains("No space left on device"))
        #expect(logs.entries(atLeast: .error).filter { $0.message.contains("could not be queued") }.count == 1)
        // Every line on disk is a whole heartbeat: a failed append leaves nothing behind.
        let lines = try String(contentsOfFile: disk.path + "/outbox/journal.jsonl", encoding: .utf8).split(
            separator: "\n")
        let onDisk = try lines.map { try JSONDecoder.kuzetWire.decode(Heartbeat.self, from: Data($0.utf8)).sequence }
        #expect(onDisk == Array(1...UInt64(onDisk.count)))

        try FileManager.default.removeItem(atPath: filler)
        #expect(await waitUntil(timeout: 10) { runner.service.status.queueProblem == nil })
        #expect(logs.entries.contains { $0.message == "Heartbeats are queued again" })

        let server = try world.startServer(port: port)
        #expect(await waitUntil(timeout: 20) { (server.storedSequences().last ?? 0) > UInt64(onDisk.count) + 3 })
        await runner.stop()
        let stored = server.storedSequences()
        #expect(stored == Array(1...UInt64(stored.count)), "no sequence was used up by a failed append")
    }
}
