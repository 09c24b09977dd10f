import Glibc

/// CPU time the calling thread has used (`CLOCK_THREAD_CPUTIME_ID`), in seconds: what a piece
/// of work really cost, whatever else the machine was doing (e.g. hashing a closed segment, for
/// the `/metrics` figure that says what provable retention costs a box).
public enum ThreadCPUTime {
    public static func seconds() -> Double {
        var time = Glibc.timespec()
        guard clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time) == 0 else { return 0 }
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }
}
