import Foundation

/// A real process's wall clock, stepped while it runs (issues 21 and 26): the process is started
/// with `scripts/testing/wall_clock_shift.c` preloaded, which adds the offset this value writes to
/// `CLOCK_REALTIME`, `gettimeofday()` and `time()` only. The monotonic clock, sleeps and timed
/// waits stay the kernel's, as on a box whose clock NTP or a person steps.
///
/// ```swift
/// let clock = try WallClockShift(in: directory.path)           // offset 0
/// let agent = try ExternalProcess(agent, args, environment: clock.environment)
/// try clock.step(to: -3600)                                    // one hour back, at once
/// ```
public final class WallClockShift: Sendable {
    /// The file the preloaded library reads (seconds, re-read at most every 20 ms).
    public let offsetFile: String

    public init(in directory: String, offset seconds: Double = 0) throws {
        offsetFile = (directory as NSString).appendingPathComponent("wall-clock-offset")
        try step(to: seconds)
    }

    /// The environment that preloads the library into a process started with it.
    public var environment: [String: String] {
        get throws { ["LD_PRELOAD": try Self.library, "KUZET_WALL_CLOCK_OFFSET_FILE": offsetFile] }
    }

    /// Sets the offset of every process started with ``environment`` (seconds, from now on).
    public func step(to seconds: Double) throws {
        // Written whole, then renamed: the library never reads half a number.
        try String(seconds).write(toFile: offsetFile, atomically: true, encoding: .utf8)
        Thread.sleep(forTimeInterval: 0.05) // past the library's 20 ms re-read
    }

    /// The library, built once per test process with the toolchain's C compiler.
    static var library: String {
        get throws { try built.get() }
    }

    private static let built: Result<String, TestKitError> = {
        let source = repositoryRoot().appendingPathComponent("scripts/testing/wall_clock_shift.c").path
        let folder = NSTemporaryDirectory() + "kuzet-wall-clock-shift-\(getpid())"
        try? FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let output = folder + "/libwallclockshift.so"
        for compiler in ["clang", "cc"] {
            guard
                let (status, text) = try? run(
                    compiler, ["-shared", "-fPIC", "-O2", "-o", output, source, "-ldl"], timeout: 60)
            else { continue }
            if status == 0 { return .success(output) }
            return .failure(TestKitError("\(compiler) could not build \(source): \(text)"))
        }
        return .failure(TestKitError("no C compiler (clang or cc) to build \(source)"))
    }()
}
