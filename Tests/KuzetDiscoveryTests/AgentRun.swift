import Foundation
import KuzetTestKit

/// One run of the built `kuzet-agent` executable: how it ended (an exit status or a signal — a
/// trap shows as SIGILL/SIGTRAP), and what it printed on each stream.
struct AgentRun: CustomStringConvertible {
    var exitStatus: Int32?
    var signal: Int32?
    var stdout: String
    var stderr: String
    var seconds: Double

    /// Runs `kuzet-agent arguments…`, killing it after `timeout` seconds (a hang is then reported
    /// as SIGKILL).
    init(_ arguments: [String], timeout: Double = 60) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try RetentionFixtures.agentExecutable())
        process.arguments = arguments
        let folder = try TemporaryDirectory()
        let outPath = folder.file("stdout")
        let errPath = folder.file("stderr")
        _ = FileManager.default.createFile(atPath: outPath, contents: nil)
        _ = FileManager.default.createFile(atPath: errPath, contents: nil)
        let out = try FileHandle(forWritingTo: URL(fileURLWithPath: outPath))
        let err = try FileHandle(forWritingTo: URL(fileURLWithPath: errPath))
        defer {
            try? out.close()
            try? err.close()
        }
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        let started = Date()
        try process.run()
        let deadline = started.addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        seconds = Date().timeIntervalSince(started)
        switch process.terminationReason {
        case .exit: exitStatus = process.terminationStatus
        case .uncaughtSignal: signal = process.terminationStatus
        @unknown default: signal = -1
        }
        stdout = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        stderr = (try? String(contentsOfFile: errPath, encoding: .utf8)) ?? ""
    }

    /// Ended by itself with status 0 or 1 (found something, or said what is wrong), never by a signal.
    var endedCleanly: Bool { signal == nil && (exitStatus == 0 || exitStatus == 1) }

    /// The lines on standard error that are not empty.
    var problemLines: [String] {
        stderr.split(separator: "\n").map(String.init).filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty }
    }

    var description: String {
        let ending = signal.map { "signal \($0)" } ?? "exit \(exitStatus ?? -1)"
        return
            "\(ending) after \(String(format: "%.1f", seconds)) s\n--- stdout\n\(stdout.suffix(3000))\n--- stderr\n\(stderr.suffix(3000))"
    }
}
