import Foundation
import KuzetCommitment
import KuzetSegmentStore
import KuzetTestKit
import Testing

/// Session 16, task P, with the real `kuzet-agent` and `kuzet-registry`: footage 40 days old is
/// committed and its day signed and sent, retention deletes it once the registry has confirmed the
/// clock, and then the day's journal and root go; yesterday's, with its footage, stay.
@Suite(.serialized) struct CommitmentPruningProcessTests {
    @Test(.timeLimit(.minutes(4)))
    func theRunningAgentRemovesAJournalOnceRetentionHasEmptiedItsDay() throws {
        let directory = try TemporaryDirectory()
        let root = directory.file("rec")
        let registry = try RegistryProcess(folder: directory.file("registry"), school: "KZ-TEST-21")
        let pieces = try RetentionFixtures.makeConsecutiveSegments(
            in: directory.path, count: 3, seconds: 60, size: "160x120", rate: 10)
        let today = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
        let old = today.addingTimeInterval(-40 * 86_400 + 10 * 3600)
        let yesterday = today.addingTimeInterval(-86_400 + 10 * 3600)
        var oldFiles: [String] = []
        for (index, piece) in pieces.enumerated() {
            oldFiles.append(
                try RetentionFixtures.place(
                    piece, root: root, camera: "cam1", start: old.addingTimeInterval(Double(index) * 60), seconds: 60))
            _ = try RetentionFixtures.place(
                piece, root: root, camera: "cam1", start: yesterday.addingTimeInterval(Double(index) * 60), seconds: 60)
        }
        let closed = "rtsp://127.0.0.1:\(freeLoopbackPort())/none"
        let config = directory.file("agent.yaml")
        try """
        school: { id: KZ-TEST-21, region: Astana }
        storage: { root: \(root), segment_seconds: 60 }
        retention: { days: 30 }
        registry: { url: "\(registry.heartbeatsURL)", token_file: \(registry.schoolTokenFile), outbox: \(directory.file("state/outbox")), interval_seconds: 1 }
        cameras:
          - { id: cam1, url: "\(closed)" }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let folder = "\(root)/.commitments/cam1"
        let oldDay = CommitmentTime.day(old)
        let yesterdayDay = CommitmentTime.day(yesterday)
        func exists(_ name: String) -> Bool { FileManager.default.fileExists(atPath: "\(folder)/\(name)") }
        func sent(_ day: String) -> Bool {
            (try? String(contentsOfFile: "\(folder)/\(day).root", encoding: .utf8))?.contains(#""sent":true"#) == true
        }

        let first = try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", config], name: "agent", logDirectory: directory.path)
        // The old day is committed, signed and sent (or already gone), and retention deletes its footage.
        let retained = eventually(timeout: 90) {
            oldFiles.allSatisfy { !FileManager.default.fileExists(atPath: $0) }
                && (sent(oldDay) || !exists("\(oldDay).journal"))
        }
        #expect(retained, "\(first.output.suffix(3000))")
        var removedBy = "the first run"
        var log = ""
        if exists("\(oldDay).journal") {
            // Retention deleted the footage after this run's first sweep: the next start sweeps again.
            first.stop()
            removedBy = "the restart"
            let second = try ExternalProcess(
                BuiltExecutable.agent, ["run", "--config", config], name: "agent", logDirectory: directory.path)
            defer { second.stop() }
            #expect(eventually(timeout: 60) { !exists("\(oldDay).journal") }, "\(second.output.suffix(3000))")
            log = second.output
        } else {
            first.stop()
            log = first.output
        }
        print("journal pruning: the 40-day-old journal was removed by \(removedBy)")
        #expect(!exists("\(oldDay).journal") && !exists("\(oldDay).root"))
        #expect(exists("\(yesterdayDay).journal"), "yesterday's journal went with its footage on disk")
        #expect(SegmentStore(root: root).segments(camera: "cam1").count == 3)
        #expect(log.contains("commitments: removed the journals"), "\(log.suffix(2000))")
    }
}
