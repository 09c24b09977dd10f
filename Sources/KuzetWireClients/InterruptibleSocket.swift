import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP connection (to a camera, to the centre) for one thread, every wait cut into 100 ms slices so a
/// ``WireInterrupt`` (shutdown, deadline) ends it, as it ends libavformat's calls.
/// Failures come out as ``WireClientError``s (a socket call's `errno`, the peer closing, the interrupt).
final class InterruptibleSocket {
    private var descriptor: Int32
    private let interrupt: any WireInterrupt
    let endpoint: String

    /// Connects to `host:port` (resolving names) within the interrupt's armed deadline.
    init(host: String, port: Int, interrupt: any WireInterrupt) throws(WireClientError) {
        self.interrupt = interrupt
        self.endpoint = "\(host):\(port)"
        var hints = addrinfo()
        hints.ai_family = AF_UNSPEC
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        var list: UnsafeMutablePointer<addrinfo>?
        let resolved = getaddrinfo(host, String(port), &hints, &list)
        guard resolved == 0, let first = list else {
            throw WireClientError(
                .noAddress, operation: "connect to \(host)",
                reason: "cannot resolve \(host) (\(String(cString: gai_strerror(resolved))))")
        }
        defer { freeaddrinfo(list) }
        var lastError: WireClientError?
        var entry: UnsafeMutablePointer<addrinfo>? = first
        while let address = entry {
            entry = address.pointee.ai_next
            let candidate = socket(
                address.pointee.ai_family,
                Int32(SOCK_STREAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue) | Int32(SOCK_NONBLOCK.rawValue), 0)
            guard candidate >= 0 else { continue }
            var one: Int32 = 1
            setsockopt(candidate, Int32(IPPROTO_TCP), TCP_NODELAY, &one, socklen_t(MemoryLayout<Int32>.size))
            if Glibc.connect(candidate, address.pointee.ai_addr, address.pointee.ai_addrlen) == 0
                || errno == EINPROGRESS
            {
                do throws(WireClientError) {
                    try Self.wait(
                        candidate, for: Int16(POLLOUT), interrupt: interrupt, operation: "connect to \(endpoint)")
                    var failure: Int32 = 0
                    var length = socklen_t(MemoryLayout<Int32>.size)
                    getsockopt(candidate, SOL_SOCKET, SO_ERROR, &failure, &length)
                    if failure == 0 {
                        descriptor = candidate
                        Self.makeBlockingWithSlices(candidate)
                        return
                    }
                    lastError = WireClientError(
                        .system(errno: failure), operation: "connect to \(endpoint)",
                        reason: String(cString: strerror(failure)))
                } catch {
                    Glibc.close(candidate)
                    throw error
                }
            } else {
                let failure = errno
                lastError = WireClientError(
                    .system(errno: failure), operation: "connect to \(endpoint)",
                    reason: String(cString: strerror(failure)))
            }
            Glibc.close(candidate)
        }
        throw lastError ?? WireClientError(.noAddress, operation: "connect to \(endpoint)", reason: "no usable address")
    }

    deinit { close() }

    func close() {
        if descriptor >= 0 {
            Glibc.close(descriptor)
            descriptor = -1
        }
    }

    /// After connecting, reads and writes block in 100 ms slices (`SO_RCVTIMEO`/`SO_SNDTIMEO`):
    /// one `recv` per wake-up instead of `poll` + `recv`, and still a look at the interrupt every 100 ms.
    private static func makeBlockingWithSlices(_ fd: Int32) {
        let flags = fcntl(fd, F_GETFL)
        _ = fcntl(fd, F_SETFL, flags & ~Int32(O_NONBLOCK))
        var slice = timeval(tv_sec: 0, tv_usec: 100_000)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &slice, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &slice, socklen_t(MemoryLayout<timeval>.size))
    }

    /// From now on a blocked `recv` wakes only once `bytes` have arrived (or its 100 ms slice
    /// ends, with what there is): a camera sends a frame as a burst of small RTP packets, and
    /// waking per packet would cost a thread switch each.
    func batchReads(bytes: Int32) {
        var lowWater = bytes
        setsockopt(descriptor, SOL_SOCKET, SO_RCVLOWAT, &lowWater, socklen_t(MemoryLayout<Int32>.size))
    }

    /// Sends all of `bytes`.
    func send(_ bytes: [UInt8], operation: @autoclosure () -> String) throws(WireClientError) {
        var failure: WireClientError?
        bytes.withUnsafeBytes { raw in
            do throws(WireClientError) { try send(raw, operation: operation()) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    /// Sends all of `bytes`.
    func send(_ bytes: UnsafeRawBufferPointer, operation: @autoclosure () -> String) throws(WireClientError) {
        guard let base = bytes.baseAddress else { return }
        var offset = 0
        while offset < bytes.count {
            let sent = Glibc.send(descriptor, base + offset, bytes.count - offset, Int32(MSG_NOSIGNAL))
            if sent > 0 {
                offset += sent
            } else if sent < 0 && (errno == EAGAIN || errno == EINTR) {
                try checkInterrupt(operation())
            } else {
                let failure = errno
                throw WireClientError(
                    .system(errno: failure), operation: operation(), reason: String(cString: strerror(failure)))
            }
        }
    }

    /// Sends the bytes `parts` point at, in order, with as few system calls as the kernel
    /// allows (`sendmsg`); `parts` is consumed.
    func send(parts: inout [iovec], operation: @autoclosure () -> String) throws(WireClientError) {
        var index = 0
        while index < parts.count {
            let sent = parts.withUnsafeMutableBufferPointer { vectors -> Int in
                var message = msghdr()
                message.msg_iov = vectors.baseAddress! + index
                message.msg_iovlen = vectors.count - index
                return sendmsg(descriptor, &message, Int32(MSG_NOSIGNAL))
            }
            if sent >= 0 {
                var remaining = sent
                while index < parts.count && remaining >= parts[index].iov_len {
                    remaining -= parts[index].iov_len
                    index += 1
                }
                if remaining > 0 {
                    parts[index].iov_base = parts[index].iov_base! + remaining
                    parts[index].iov_len -= remaining
                }
            } else if errno == EAGAIN || errno == EINTR {
                try checkInterrupt(operation())
            } else {
                let failure = errno
                throw WireClientError(
                    .system(errno: failure), operation: operation(), reason: String(cString: strerror(failure)))
            }
        }
    }

    /// Receives what has arrived (up to `count` bytes) without waiting; 0 when nothing has.
    func receiveIfAvailable(into destination: UnsafeMutableRawPointer, count: Int, operation: @autoclosure () -> String)
        throws(WireClientError) -> Int
    {
        let received = recv(descriptor, destination, count, Int32(MSG_DONTWAIT))
        if received > 0 { return received }
        if received == 0 { throw WireClientError.closed(operation()) }
        if errno == EAGAIN || errno == EINTR { return 0 }
        let failure = errno
        throw WireClientError(
            .system(errno: failure), operation: operation(), reason: String(cString: strerror(failure)))
    }

    /// Sends what fits now, without waiting (for a goodbye such as TEARDOWN).
    func sendIfPossible(_ bytes: [UInt8]) {
        guard descriptor >= 0 else { return }
        _ = bytes.withUnsafeBytes { raw in
            Glibc.send(descriptor, raw.baseAddress!, raw.count, Int32(MSG_NOSIGNAL | MSG_DONTWAIT))
        }
    }

    /// Receives up to `count` bytes into `destination`, waiting for at least one; throws at the end
    /// of the stream (``WireClientError/Kind/closed``) or when interrupted.
    func receive(into destination: UnsafeMutableRawPointer, count: Int, operation: @autoclosure () -> String)
        throws(WireClientError) -> Int
    {
        while true {
            let received = recv(descriptor, destination, count, 0)
            if received > 0 { return received }
            if received == 0 { throw WireClientError.closed(operation()) }
            guard errno == EAGAIN || errno == EINTR else {
                let failure = errno
                throw WireClientError(
                    .system(errno: failure), operation: operation(), reason: String(cString: strerror(failure)))
            }
            try checkInterrupt(operation())
        }
    }

    private func checkInterrupt(_ operation: @autoclosure () -> String) throws(WireClientError) {
        if interrupt.shouldStop {
            throw WireClientError(.interrupted, operation: operation(), reason: "interrupted")
        }
    }

    /// Waits until `fd` is ready for `events`, in 100 ms slices that check the interrupt.
    private static func wait(
        _ fd: Int32, for events: Int16, interrupt: any WireInterrupt, operation: @autoclosure () -> String
    ) throws(WireClientError) {
        var entry = pollfd(fd: fd, events: events, revents: 0)
        while true {
            if interrupt.shouldStop {
                throw WireClientError(.interrupted, operation: operation(), reason: "interrupted")
            }
            let ready = poll(&entry, 1, 100)
            if ready > 0 { return }
            if ready < 0 && errno != EINTR {
                let failure = errno
                throw WireClientError(
                    .system(errno: failure), operation: operation(), reason: String(cString: strerror(failure)))
            }
        }
    }
}
