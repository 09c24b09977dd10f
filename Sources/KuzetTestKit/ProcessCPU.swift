import Foundation
import KuzetCore

/// The CPU time a running process has used (user + system, from `/proc/PID/stat`), and its share
/// of one core over a stretch of monotonic time: a wait computed on the wall clock spins after a
/// backward step, which shows here as a core kept busy.
public enum ProcessCPU {
    /// Seconds of CPU the process has used so far, or nil when it is gone.
    public static func seconds(pid: Int32) -> Double? {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = stat.lastIndex(of: ")")
        else { return nil }
        // After the command name: state is field 3; utime and stime are fields 14 and 15.
        let rest = stat[stat.index(after: close)...].split(separator: " ")
        guard rest.count > 13, let user = Double(rest[11]), let system = Double(rest[12]) else { return nil }
        return (user + system) / Double(sysconf(Int32(_SC_CLK_TCK)))
    }

    /// The process's CPU use over the next `seconds` (1.0 = one core busy all the time), or nil
    /// when it ended meanwhile.
    public static func share(pid: Int32, over seconds: Double) -> Double? {
        guard let before = Self.seconds(pid: pid) else { return nil }
        let start = MonotonicInstant.now()
        Thread.sleep(forTimeInterval: seconds)
        guard let after = Self.seconds(pid: pid) else { return nil }
        return (after - before) / max(start.elapsedSeconds, 0.001)
    }
}
