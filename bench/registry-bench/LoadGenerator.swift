import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A minimal HTTP/1.1 load generator in the manner of `wrk`: every request is serialised before the
/// clock starts, and each connection is one OS thread with a blocking keep-alive socket (one write,
/// then reads until the whole response is in). It spends little CPU per request, so on a 2-core
/// machine the figure is the server's, not the client's. Each response must be `200`; any other
/// status, a closed connection or a malformed response ends the run with an error.
enum LoadGenerator {
    /// Sends `requests` (whole HTTP requests) over `connections` connections to 127.0.0.1:`port`,
    /// connection `k` taking requests k, k + connections, …; returns once every response is in.
    static func run(_ requests: [[UInt8]], connections: Int, port: Int) async throws {
        try await onThreads(connections) { try Self.drive(requests, from: $0, step: connections, port: port) }
    }

    /// Runs `work(k)` for k in 0..<count, each on an OS thread of its own; returns once all have
    /// finished, throwing the first failure.
    private static func onThreads(_ count: Int, _ work: @escaping @Sendable (Int) throws -> Void) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let outcome = Outcome(connections: count)
            for index in 0..<count {
                let thread = Thread {
                    var failure: (any Error)?
                    do {
                        try work(index)
                    } catch {
                        failure = error
                    }
                    guard let result = outcome.finished(failure) else { return }
                    continuation.resume(with: result)
                }
                thread.stackSize = 256 << 10
                thread.start()
            }
        }
    }

    /// The connections still running and the first failure; the last one to finish answers.
    private final class Outcome: @unchecked Sendable {
        private let lock = NSLock()
        private var running: Int
        private var failure: (any Error)?

        init(connections: Int) { running = connections }

        /// Nil until the last connection finishes; then the run's result.
        func finished(_ error: (any Error)?) -> Result<Void, any Error>? {
            lock.withLock {
                failure = failure ?? error
                running -= 1
                guard running == 0 else { return nil }
                return failure.map { .failure($0) } ?? .success(())
            }
        }
    }

    /// What an open-loop run measured: when each response came, counted from when its request was due.
    struct Schedule: Sendable {
        var offeredRate: Double
        /// Responses per second from the first request's due time to the last response.
        var achievedRate: Double
        /// Seconds from each request's due time to its whole response, sorted.
        var latencies: [Double]
        /// Each request's due time (seconds from the start) and latency, in the order answered.
        var timed: [(due: Double, latency: Double)] = []

        func latency(percentile: Double) -> Double {
            Self.percentile(percentile, ofSorted: latencies)
        }

        static func percentile(_ percentile: Double, ofSorted latencies: [Double]) -> Double {
            guard !latencies.isEmpty else { return .infinity }
            return latencies[
                min(latencies.count - 1, Int((Double(latencies.count) * percentile / 100).rounded(.up)) - 1)]
        }

        /// p99 and max latency per `bucket` seconds of due time: where in the run the slow answers were.
        func timeline(bucket: Double) -> String {
            let buckets = Dictionary(grouping: timed) { Int($0.due / bucket) }
            return buckets.keys.sorted().map { key in
                let sorted = buckets[key]!.map(\.latency).sorted()
                return String(
                    format: "%.1fs p99 %.0f max %.0f", Double(key) * bucket,
                    Self.percentile(99, ofSorted: sorted) * 1000, sorted.last! * 1000)
            }.joined(separator: " | ")
        }
    }

    /// One connection's share of the requests, in order, each sent as soon as the one before is answered.
    private static func drive(_ requests: [[UInt8]], from first: Int, step: Int, port: Int) throws {
        guard first < requests.count else { return }
        let socket = try connect(port: port)
        defer { close(socket) }
        var buffer = [UInt8](repeating: 0, count: 64 << 10)
        for index in stride(from: first, to: requests.count, by: step) {
            try send(requests[index], on: socket)
            try receiveResponse(on: socket, into: &buffer)
        }
    }

    private static let origin = ContinuousClock.now

    /// Seconds on a monotonic clock (since this process first asked).
    static func monotonicSeconds() -> Double {
        let elapsed = ContinuousClock.now - origin
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) * 1e-18
    }

    static func connect(port: Int) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw BenchError("load generator: socket() failed, errno \(errno)") }
        var one: Int32 = 1
        setsockopt(socket, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(socket)
            throw BenchError("load generator: connect to 127.0.0.1:\(port) failed, errno \(errno)")
        }
        return socket
    }

    static func send(_ request: [UInt8], on socket: Int32) throws {
        var sent = 0
        while sent < request.count {
            let count = request.withUnsafeBytes {
                Glibc.send(socket, $0.baseAddress! + sent, request.count - sent, Int32(MSG_NOSIGNAL))
            }
            guard count > 0 else { throw BenchError("load generator: send failed, errno \(errno)") }
            sent += count
        }
    }

    /// Reads one response: headers, then `Content-Length` bytes of body. Throws unless the status is 200.
    static func receiveResponse(on socket: Int32, into buffer: inout [UInt8]) throws {
        var filled = 0
        while try !receivePart(on: socket, into: &buffer, filled: &filled, waiting: true) {}
    }

    /// Reads what has arrived of a response into `buffer[filled...]` (without `waiting`, returns at
    /// once if nothing has) and says whether the whole response is in. Throws unless the status is
    /// 200, and on a closed connection or bytes past the response.
    static func receivePart(on socket: Int32, into buffer: inout [UInt8], filled: inout Int, waiting: Bool = false)
        throws -> Bool
    {
        if filled == buffer.count { throw BenchError("load generator: response larger than \(buffer.count) bytes") }
        let start = filled
        let count = buffer.withUnsafeMutableBytes {
            recv(socket, $0.baseAddress! + start, $0.count - start, waiting ? 0 : Int32(MSG_DONTWAIT))
        }
        if count < 0, !waiting, errno == EAGAIN || errno == EWOULDBLOCK { return false }
        guard count > 0 else { throw BenchError("load generator: the server closed the connection (errno \(errno))") }
        filled += count
        guard let end = Self.headerEnd(buffer, filled) else { return false }
        guard buffer.starts(with: Self.okStatus) else {
            throw BenchError("load generator: \(String(decoding: buffer[0..<filled], as: UTF8.self).prefix(400))")
        }
        guard let length = Self.contentLength(buffer[0..<end]) else {
            throw BenchError("load generator: a response without Content-Length")
        }
        guard filled >= end + length else { return false }
        guard filled == end + length else {
            throw BenchError("load generator: \(filled - end - length) bytes past the response (none were asked for)")
        }
        return true
    }

    private static let okStatus = Array("HTTP/1.1 200 ".utf8)
    private static let contentLengthName = Array("\r\ncontent-length:".utf8)

    /// The index just past "\r\n\r\n", if the headers are complete.
    private static func headerEnd(_ buffer: [UInt8], _ filled: Int) -> Int? {
        guard filled >= 4 else { return nil }
        for index in 3..<filled
        where buffer[index] == 10 && buffer[index - 1] == 13 && buffer[index - 2] == 10 && buffer[index - 3] == 13 {
            return index + 1
        }
        return nil
    }

    /// The `Content-Length` of a response's head (matched without regard to case, bytes only: the
    /// client should cost as little CPU as it can).
    private static func contentLength(_ head: ArraySlice<UInt8>) -> Int? {
        let name = contentLengthName
        var index = head.startIndex
        while index + name.count <= head.endIndex {
            var matches = true
            for offset in 0..<name.count where head[index + offset] | (name[offset] >= 0x61 ? 0x20 : 0) != name[offset]
            {
                matches = false
                break
            }
            if matches {
                var value = 0
                var digits = 0
                var at = index + name.count
                while at < head.endIndex, head[at] == UInt8(ascii: " ") { at += 1 }
                while at < head.endIndex, head[at] >= UInt8(ascii: "0"), head[at] <= UInt8(ascii: "9") {
                    value = value * 10 + Int(head[at] - UInt8(ascii: "0"))
                    digits += 1
                    at += 1
                }
                return digits > 0 ? value : nil
            }
            index += 1
        }
        return nil
    }

    /// A POST of `body` as one serialised HTTP/1.1 request.
    static func post(path: String, headers: [(String, String)], body: Data) -> [UInt8] {
        var head = "POST \(path) HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: \(body.count)\r\n"
        for (name, value) in headers { head += "\(name): \(value)\r\n" }
        head += "\r\n"
        return Array(head.utf8) + body
    }
}
