import Synchronization

/// How long a client may take and how many may be connected (`serve --header-timeout`,
/// `--body-timeout`, `--idle-timeout`, `--max-connections`). A client that sends half a request and
/// waits holds a connection and a file descriptor: these bound how long and how many.
public struct ConnectionLimits: Sendable {
    /// From the first byte of a request (or the connection's opening) to the end of its head.
    public var headerTimeout: Duration
    /// From the end of a request's head to the end of its body.
    public var bodyTimeout: Duration
    /// With no request under way, after the last answer: then the connection is closed. Longer than an
    /// agent's reporting interval (30 s by default), so an agent keeps its connection between heartbeats.
    public var idleTimeout: Duration
    /// Open connections at most; one more is answered 503 and closed (so `accept` never fails for
    /// want of file descriptors: `LimitNOFILE` must be above this).
    public var maximumConnections: Int

    public init(
        headerTimeout: Duration = .seconds(10), bodyTimeout: Duration = .seconds(60),
        idleTimeout: Duration = .seconds(75),
        maximumConnections: Int = 16_384
    ) {
        self.headerTimeout = headerTimeout
        self.bodyTimeout = bodyTimeout
        self.idleTimeout = idleTimeout
        self.maximumConnections = maximumConnections
    }
}

/// The server's open connections, counted as they open and close (any event loop), and those it
/// refused or timed out (`/metrics`).
final class ConnectionCount: Sendable {
    private let open = Atomic<Int>(0)
    private let refusedCount = Atomic<Int>(0)
    private let timedOutCount = Atomic<Int>(0)

    /// Counts a new connection; false (and not counted) when `maximum` are open already.
    func admit(maximum: Int) -> Bool {
        while true {
            let current = open.load(ordering: .relaxed)
            guard current < maximum else {
                refusedCount.add(1, ordering: .relaxed)
                return false
            }
            if open.compareExchange(expected: current, desired: current + 1, ordering: .relaxed).exchanged {
                return true
            }
        }
    }

    func release() { open.subtract(1, ordering: .relaxed) }

    /// A request not complete within its header or body timeout.
    func timedOut() { timedOutCount.add(1, ordering: .relaxed) }

    var current: Int { open.load(ordering: .relaxed) }
    /// Connections answered 503 for being over the cap.
    var refused: Int { refusedCount.load(ordering: .relaxed) }
    var timeouts: Int { timedOutCount.load(ordering: .relaxed) }
}
