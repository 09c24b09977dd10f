import Foundation

/// A real program a test starts (an RTSP server, ffmpeg, nginx, the agent itself), stopped
/// when the test is done or when the value goes away. Output goes to a log file for the failure message.
public final class ExternalProcess: @unchecked Sendable {
    // @unchecked: `process` is only mutated in init; Foundation.Process is thread-safe for these calls.
    public let process: Process
    public let logPath: String
    public let name: String

    /// Starts `executable` with `arguments`; `executable` is looked up in PATH when not absolute.
    public init(
        _ executable: String, _ arguments: [String], name: String? = nil, environment: [String: String]? = nil,
        logDirectory: String = NSTemporaryDirectory()
    ) throws {
        let process = Process()
        process.executableURL = URL(
            fileURLWithPath: executable.hasPrefix("/") ? executable : try Self.which(executable))
        process.arguments = arguments
        if let environment { process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 } }
        self.name = name ?? (executable as NSString).lastPathComponent
        self.logPath = (logDirectory as NSString).appendingPathComponent(
            "\(self.name)-\(UUID().uuidString.prefix(6)).log")
        FileManager.default.createFile(atPath: logPath, contents: nil)
        let log = FileHandle(forWritingAtPath: logPath)
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        self.process = process
    }

    public var pid: Int32 { process.processIdentifier }
    public var isRunning: Bool { process.isRunning }

    /// What the program printed so far.
    public var output: String { (try? String(contentsOfFile: logPath, encoding: .utf8)) ?? "" }

    /// Sends a signal (SIGTERM by default) and waits up to `timeout` seconds, then SIGKILL.
    public func stop(signal: Int32 = SIGTERM, timeout: Double = 5) {
        guard process.isRunning else { return }
        kill(process.processIdentifier, signal)
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
    }

    /// Waits for the program to end by itself; returns its exit status, or nil on timeout.
    public func waitForExit(timeout: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(timeout)
        while process.isRunning && Date() < deadline { usleep(20_000) }
        if process.isRunning { return nil }
        return process.terminationStatus
    }

    deinit { stop(signal: SIGKILL, timeout: 1) }

    static func which(_ name: String) throws -> String {
        for folder in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin").split(separator: ":") {
            let candidate = "\(folder)/\(name)"
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
        }
        throw TestKitError("\(name) is not installed (run scripts/install-deps.sh)")
    }
}

/// Runs a program to completion and returns its exit status and standard output.
@discardableResult
public func run(_ executable: String, _ arguments: [String], timeout: Double = 60) throws -> (
    status: Int32, output: String
) {
    let directory = NSTemporaryDirectory()
    let process = try ExternalProcess(executable, arguments, logDirectory: directory)
    guard let status = process.waitForExit(timeout: timeout) else {
        process.stop(signal: SIGKILL)
        throw TestKitError("\(executable) \(arguments.joined(separator: " ")) did not finish within \(timeout) s")
    }
    let output = process.output
    try? FileManager.default.removeItem(atPath: process.logPath)
    return (status, output)
}

/// Polls `condition` every 50 ms until it holds or `timeout` seconds pass.
public func eventually(timeout: Double, _ condition: () throws -> Bool) rethrows -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    repeat {
        if try condition() { return true }
        usleep(50_000)
    } while Date() < deadline
    return try condition()
}

public struct TestKitError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}
