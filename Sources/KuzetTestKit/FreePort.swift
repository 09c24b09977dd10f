import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Asks the kernel for a free TCP port on loopback (bind to port 0, read it back, close).
/// Tests that run in parallel each get their own port this way.
public func freeLoopbackPort() -> Int {
    guard let (fd, port) = try? boundLoopbackSocket() else { preconditionFailure("bind to 127.0.0.1:0 failed") }
    close(fd)
    return port
}

/// A TCP socket listening on 127.0.0.1 at a port the kernel chose, and that port. The caller closes it.
public func loopbackListener(backlog: Int32) throws -> (fd: Int32, port: Int) {
    let (fd, port) = try boundLoopbackSocket()
    guard listen(fd, backlog) == 0 else {
        close(fd)
        throw TestKitError("listen on 127.0.0.1:\(port) failed")
    }
    return (fd, port)
}

/// A TCP socket bound to 127.0.0.1:0, and the port the kernel gave it.
private func boundLoopbackSocket() throws -> (fd: Int32, port: Int) {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestKitError("socket() failed") }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = 0
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { pointer -> Bool in
            bind(fd, pointer, length) == 0 && getsockname(fd, pointer, &length) == 0
        }
    }
    guard bound else {
        close(fd)
        throw TestKitError("bind to 127.0.0.1:0 failed")
    }
    return (fd, Int(UInt16(bigEndian: address.sin_port)))
}

/// A blocking TCP socket connected to 127.0.0.1:`port`, with a receive timeout; for test clients
/// that speak a protocol byte by byte. The caller closes it.
public func connectLoopback(
    port: Int, receiveTimeoutSeconds: Int = 10, receiveBuffer: Int? = nil, from source: String? = nil
) throws -> Int32 {
    let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    guard fd >= 0 else { throw TestKitError("socket() failed") }
    if let source {
        // Another loopback address (127.0.0.2 …) stands for another machine on the LAN.
        var local = sockaddr_in()
        local.sin_family = sa_family_t(AF_INET)
        local.sin_addr.s_addr = inet_addr(source)
        let bound = withUnsafePointer(to: &local) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else {
            close(fd)
            throw TestKitError("cannot bind a client socket to \(source)")
        }
    }
    if var size = receiveBuffer.map(Int32.init) {
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
    }
    var timeout = timeval(tv_sec: receiveTimeoutSeconds, tv_usec: 0)
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    address.sin_port = in_port_t(UInt16(port).bigEndian)
    let connected = withUnsafePointer(to: &address) {
        $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
            connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
        }
    }
    guard connected == 0 else {
        close(fd)
        throw TestKitError("cannot connect to 127.0.0.1:\(port)")
    }
    return fd
}
