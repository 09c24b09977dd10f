import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// The fleet's client: many keep-alive connections driven from ONE thread with `poll`, in an open
/// loop (as `wrk2`). Request `i` is due at `i / rate` and goes out on connection `i % connections`
/// — at once if that connection is idle, else as soon as its earlier answer is in — and its latency
/// counts from when it was due, so a server that falls behind shows it.
///
/// It replaced one OS thread per connection: 1,000 threads on 2 cores started and connected so
/// slowly that requests due in the first 0.4 s went out up to 1 s late, and the run's first second
/// measured the client. Here every connection is open, and has sent its untimed warm-up requests,
/// before the clock starts. Only connections waiting for an answer are polled. The thread sleeps in
/// `poll` for whole milliseconds, so a request may go out up to 1 ms after it was due; that counts
/// against the server.
struct OpenLoopClient {
    var connections: Int
    /// Untimed requests sent before the clock starts, in rounds of one per connection (request `i`
    /// on connection `i % connections`), each round answered before the next goes out.
    var warmUp: [[UInt8]]
    /// The timed requests, request `i` on connection `i % connections`.
    var requests: [[UInt8]]
    var rate: Double
    var port: Int

    /// One connection's state.
    private struct Connection {
        var socket: Int32
        /// The index of the next request this connection sends (it sends its own in order).
        var next: Int
        /// When the request in flight was due (nil: none in flight).
        var dueAt: Double?
        var buffer: [UInt8]
        var filled = 0

        /// Reads what has arrived; true once the whole answer is in (then the buffer is emptied).
        mutating func receive() throws -> Bool {
            guard try LoadGenerator.receivePart(on: socket, into: &buffer, filled: &filled) else { return false }
            filled = 0
            return true
        }
    }

    /// Runs the fleet on a thread of its own; returns what it measured.
    func run() async throws -> LoadGenerator.Schedule {
        try await withCheckedThrowingContinuation { continuation in
            let thread = Thread { continuation.resume(with: Result { try self.drive() }) }
            thread.start()
        }
    }

    private func drive() throws -> LoadGenerator.Schedule {
        let count = self.connections
        precondition(count > 0 && warmUp.count % count == 0, "a fleet needs connections, and whole warm-up rounds")
        var connections: [Connection] = []
        defer { for connection in connections { close(connection.socket) } }
        for index in 0..<count {
            connections.append(
                Connection(
                    socket: try LoadGenerator.connect(port: port), next: index,
                    buffer: [UInt8](repeating: 0, count: 16 << 10)))
        }
        for round in stride(from: 0, to: warmUp.count, by: count) {
            for connection in connections.indices {
                try LoadGenerator.send(warmUp[round + connection], on: connections[connection].socket)
            }
            for connection in connections.indices {
                try LoadGenerator.receiveResponse(
                    on: connections[connection].socket, into: &connections[connection].buffer)
            }
        }

        let start = LoadGenerator.monotonicSeconds() + 0.5 // the server settles after the warm-up
        let due = { (index: Int) in start + Double(index) / rate }
        var released = 0 // requests 0..<released are due
        var answeredCount = 0
        var lastAnswer = start
        var timed: [(due: Double, latency: Double)] = []
        timed.reserveCapacity(requests.count)
        // The connections waiting for an answer: only these are polled (a few dozen, not all 1,000).
        var waiting: [Int] = []
        var polled: [pollfd] = []
        var lastProgress = LoadGenerator.monotonicSeconds()

        func sendNext(_ index: Int) throws {
            let request = connections[index].next
            connections[index].dueAt = due(request)
            try LoadGenerator.send(requests[request], on: connections[index].socket)
            waiting.append(index)
        }

        while answeredCount < requests.count {
            let now = LoadGenerator.monotonicSeconds()
            while released < requests.count, due(released) <= now {
                let index = released % count
                if connections[index].dueAt == nil, connections[index].next == released { try sendNext(index) }
                released += 1
            }
            let timeout = released < requests.count ? Int32(((due(released) - now) * 1000).rounded(.up)) : 100
            polled.removeAll(keepingCapacity: true)
            for index in waiting {
                polled.append(pollfd(fd: connections[index].socket, events: Int16(POLLIN), revents: 0))
            }
            let ready = poll(&polled, nfds_t(polled.count), max(timeout, 0))
            if ready < 0 {
                if errno == EINTR { continue }
                throw BenchError("fleet client: poll failed, errno \(errno)")
            }
            var stillWaiting: [Int] = []
            for (slot, index) in waiting.enumerated() {
                guard polled[slot].revents != 0, try connections[index].receive() else {
                    stillWaiting.append(index)
                    continue
                }
                let answered = LoadGenerator.monotonicSeconds()
                timed.append((connections[index].dueAt! - start, answered - connections[index].dueAt!))
                answeredCount += 1
                lastAnswer = answered
                lastProgress = answered
                connections[index].dueAt = nil
                connections[index].next += count
            }
            waiting = stillWaiting
            // Late already: their turn came while they waited for an answer.
            for index in connections.indices where connections[index].dueAt == nil && connections[index].next < released
            {
                try sendNext(index)
            }
            if LoadGenerator.monotonicSeconds() - lastProgress > 30 {
                throw BenchError("fleet client: no answer for 30 s (\(answeredCount) of \(requests.count) answered)")
            }
        }
        return LoadGenerator.Schedule(
            offeredRate: rate, achievedRate: Double(requests.count) / (lastAnswer - start),
            latencies: timed.map(\.latency).sorted(),
            timed: timed)
    }
}
