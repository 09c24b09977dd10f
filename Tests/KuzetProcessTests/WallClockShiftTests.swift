import Foundation
import KuzetTestKit
import Testing

/// The test tool that steps a running process's wall clock (``WallClockShift``) moves the wall
/// clock only: the process's monotonic clock and its sleeps stay the kernel's.
@Suite(.serialized)
struct WallClockShiftTests {
    @Test(.timeLimit(.minutes(1)))
    func aStepMovesTheWallClockOfARunningProcessAndLeavesItsMonotonicClockAndSleepsAlone() throws {
        let directory = try TemporaryDirectory()
        let clock = try WallClockShift(in: directory.path, offset: -3600)
        let script = directory.file("clock.py")
        // Prints wall and monotonic time, waits for the step, sleeps 0.5 s and prints them again.
        try """
        import os, sys, time
        print("before", time.time(), time.monotonic(), flush=True)
        while not os.path.exists(sys.argv[1]): time.sleep(0.01)
        time.sleep(0.5)
        print("after", time.time(), time.monotonic(), flush=True)
        """.write(toFile: script, atomically: true, encoding: .utf8)
        let stepped = directory.file("stepped")
        let process = try ExternalProcess(
            "/usr/bin/python3", [script, stepped], environment: try clock.environment, logDirectory: directory.path)
        defer { process.stop(signal: SIGKILL) }
        #expect(eventually(timeout: 10) { process.output.contains("before") }, "\(process.output)")
        let realBefore = Date().timeIntervalSince1970
        try clock.step(to: 86_400)
        _ = FileManager.default.createFile(atPath: stepped, contents: nil)
        #expect(process.waitForExit(timeout: 10) == 0, "\(process.output)")
        let lines = process.output.split(separator: "\n").map { $0.split(separator: " ") }
        let before = try #require(lines.first { $0.first == "before" }).dropFirst().compactMap { Double($0) }
        let after = try #require(lines.first { $0.first == "after" }).dropFirst().compactMap { Double($0) }
        try #require(before.count == 2 && after.count == 2, "\(process.output)")
        #expect(abs(before[0] - (realBefore - 3600)) < 5, "wall clock one hour back: \(before[0]) vs \(realBefore)")
        #expect(abs(after[0] - (realBefore + 86_400)) < 5, "wall clock one day ahead: \(after[0]) vs \(realBefore)")
        let monotonic = after[1] - before[1]
        #expect(monotonic >= 0.5 && monotonic < 5, "monotonic clock moved \(monotonic) s, not by the step")
    }
}
