import Foundation
import KuzetCore
import KuzetSegmentStore
import KuzetTestKit
import Testing

/// Issue 26 on the real `kuzet-agent run` process, its wall clock moved by libfaketime.
@Suite(.serialized, .enabled(if: LibFakeTime.path != nil, "libfaketime is not installed (Debian package faketime)"))
struct FakeClockProcessTests {
    /// The agent's wall clock offset by libfaketime (`FAKETIME`, e.g. "+40d"; the monotonic clock
    /// moves with it, which a fixed offset does not disturb).
    ///
    /// Not shown here: a step while running. With Debian 12's libfaketime 0.9.10 the monotonic
    /// clock is left alone only by `FAKETIME_DONT_FAKE_MONOTONIC=1`, and then its sleeps fail
    /// (EINVAL, seen with Python's `time.sleep`), so an agent under it cannot run normally; steps
    /// on the real agent are in `SteppedClockProcessTests` (``WallClockShift``), and with an
    /// injected clock in `ClockTrustMonitorTests` and `UntrustedClockRetentionTests`.
    struct FakeTime {
        let offset: String
        /// Starts the built agent under libfaketime. Through `sh -c 'exec …'`: started straight from
        /// Foundation's `Process` (or Python's `subprocess`) with libfaketime preloaded, the Swift
        /// program saw no arguments (it printed its usage); exec'd by a shell it sees them.
        func launch(agentWith arguments: [String], logDirectory: String) throws -> ExternalProcess {
            try ExternalProcess(
                "/bin/sh", ["-c", "exec \"$0\" \"$@\"", try BuiltExecutable.agent] + arguments, name: "agent",
                environment: ["LD_PRELOAD": LibFakeTime.path ?? "", "FAKETIME": offset], logDirectory: logDirectory)
        }
    }

    @Test(
        .timeLimit(.minutes(2)),
        .enabled(
            if: KernelClockState.read()?.synchronised == false,
            "needs this machine's clock unsynchronised (libfaketime cannot fake the kernel's NTP state)"))
    func anAgentStartingFortyDaysAheadWithoutNTPOrRegistryDeletesNoFootageByAge() throws {
        let directory = try TemporaryDirectory()
        let root = directory.file("rec")
        let fixture = try RetentionFixtures.makeSegment(in: directory.path, seconds: 2)
        // Footage 1–10 days old: on a clock 40 days ahead it looks 41–50 days old.
        let planted = try [10.0, 5, 1].map { days in
            try RetentionFixtures.place(
                fixture, root: root, camera: "cam1", start: Date().addingTimeInterval(-days * 86_400), seconds: 60)
        }
        let fake = FakeTime(offset: "+40d")
        let config = directory.file("agent.yaml")
        // No camera answers (port 9 on loopback): the agent runs its retention all the same.
        try """
        school: { id: KZ-TEST-9 }
        storage: { root: \(root), segment_seconds: 3 }
        cameras:
          - { id: cam1, url: "rtsp://127.0.0.1:9/none" }
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let agent = try fake.launch(agentWith: ["run", "--config", config], logDirectory: directory.path)
        defer { agent.stop(signal: SIGKILL) }
        #expect(eventually(timeout: 20) { agent.output.contains("storage scanned") }, "\(agent.output.prefix(1500))")
        #expect(eventually(timeout: 10) { agent.output.contains("clock not trusted") }, "\(agent.output.suffix(2000))")
        Thread.sleep(forTimeInterval: 3) // a sweep runs at start and every 10 s
        for path in planted { #expect(FileManager.default.fileExists(atPath: path), "\(path) deleted by age") }
        let term = MonotonicInstant.now()
        kill(agent.pid, SIGTERM)
        #expect(agent.waitForExit(timeout: 5) == 0, "\(term.elapsedSeconds) s after SIGTERM")
    }
}

enum LibFakeTime {
    /// `libfaketimeMT.so.1` of the machine's architecture (Debian package `faketime`).
    static let path: String? = {
        let folders = (try? FileManager.default.contentsOfDirectory(atPath: "/usr/lib")) ?? []
        return folders.map { "/usr/lib/\($0)/faketime/libfaketimeMT.so.1" }
            .first { FileManager.default.fileExists(atPath: $0) }
    }()
}
