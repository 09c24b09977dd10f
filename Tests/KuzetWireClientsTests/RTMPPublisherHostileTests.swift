import Foundation
import KuzetTestKit
import Testing

@testable import KuzetWireClients

#if canImport(Glibc)
    import Glibc
#endif

/// The RTMP session we run against the ЦОУ's server: a broken or hostile server gets a clear
/// error, never a trap, an endless wait or unbounded memory.
@Suite struct RTMPPublisherHostileTests {
    /// An RTMP "server" on loopback: completes the handshake, then answers each command the
    /// publisher sends with `script(commandIndex)` (raw chunk bytes), reading and dropping the rest;
    /// `endAfterFirstAnswer`: then ends its side of the connection (FIN, still reading).
    final class ScriptedServer: @unchecked Sendable {
        // @unchecked: `port` and `fd` are set once; the thread alone uses the client socket.
        let port: Int
        private let fd: Int32

        init(endAfterFirstAnswer: Bool = false, script: @escaping @Sendable (Int) -> [UInt8]) throws {
            let (fd, port) = try loopbackListener(backlog: 4)
            self.fd = fd
            self.port = port
            Thread {
                let client = accept(fd, nil, nil)
                guard client >= 0 else { return }
                defer { close(client) }
                var timeout = timeval(tv_sec: 10, tv_usec: 0)
                setsockopt(client, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
                func read(_ count: Int) -> Bool {
                    var buffer = [UInt8](repeating: 0, count: count)
                    var got = 0
                    while got < count {
                        let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress! + got, count - got, 0) }
                        if n <= 0 { return false }
                        got += n
                    }
                    return true
                }
                func write(_ bytes: [UInt8]) {
                    _ = bytes.withUnsafeBytes { send(client, $0.baseAddress, bytes.count, Int32(MSG_NOSIGNAL)) }
                }
                guard read(1 + 1536) else { return } // C0 C1
                write([3] + [UInt8](repeating: 0, count: 1536 * 2)) // S0 S1 S2
                guard read(1536) else { return } // C2
                // Every command the publisher sends (connect, releaseStream, …) arrives in chunks we
                // do not parse: answer on each receive, in order.
                var index = 0
                var buffer = [UInt8](repeating: 0, count: 65536)
                while true {
                    let n = buffer.withUnsafeMutableBytes { recv(client, $0.baseAddress, 65536, 0) }
                    if n <= 0 { return }
                    write(script(index))
                    if endAfterFirstAnswer, index == 0 { shutdown(client, Int32(SHUT_WR)) }
                    index += 1
                }
            }.start()
        }

        deinit {
            shutdown(fd, Int32(SHUT_RDWR))
            close(fd)
        }
    }

    /// One AMF0 command message on chunk stream 3 (fmt 0, one chunk: the publisher's default
    /// incoming chunk size is 128, so payloads here stay under it or are chunked by the caller).
    static func command(_ values: [AMF0]) -> [UInt8] {
        var payload: [UInt8] = []
        for value in values { value.encode(into: &payload) }
        var bytes: [UInt8] = [0x03, 0, 0, 0]
        RTMPPublisher.appendBigEndian(UInt32(payload.count), bytes: 3, to: &bytes)
        bytes += [20, 0, 0, 0, 0]
        var offset = 0
        while offset < payload.count {
            if offset > 0 { bytes.append(0xC3) } // fmt 3 continuation on chunk stream 3
            let end = min(offset + 128, payload.count)
            bytes += payload[offset..<end]
            offset = end
        }
        return bytes
    }

    static let connected = command([
        .string("_result"), .number(1), .null, .object([("code", .string("NetConnection.Connect.Success"))]),
    ])

    func publish(to server: ScriptedServer) -> WireClientError? {
        let interrupt = TestDeadline(seconds: 8)
        do {
            _ = try RTMPPublisher(url: "rtmp://127.0.0.1:\(server.port)/live/cam", interrupt: interrupt)
            return nil
        } catch {
            #expect(error.kind == .brokenProtocol, "\(error)")
            return error
        }
    }

    @Test(.timeLimit(.minutes(1)), arguments: [Double.nan, -1, 1e300, 4_294_967_296])
    func anUnusableStreamIDIsRefused(id: Double) throws {
        let server = try ScriptedServer { index in
            index == 0 ? Self.connected : Self.command([.string("_result"), .number(4), .null, .number(id)])
        }
        let error = try #require(publish(to: server))
        #expect(error.reason.contains("unusable stream id"), "\(error)")
    }

    @Test(.timeLimit(.minutes(1)))
    func aMessageAnnouncedAt16MiBIsRefusedBeforeItIsHeld() throws {
        let server = try ScriptedServer { _ in
            // fmt 0, chunk stream 3, length 0xFFFFFF, type 20, then the start of the body.
            [0x03, 0, 0, 0, 0xFF, 0xFF, 0xFF, 20, 0, 0, 0, 0] + [UInt8](repeating: 0x41, count: 128)
        }
        let error = try #require(publish(to: server))
        #expect(error.reason.contains("broke the RTMP protocol"), "\(error)")
        #expect(!error.reason.contains("timed out"))
    }

    @Test(.timeLimit(.minutes(1)))
    func aMessageShortenedMidwayIsRefusedInsteadOfWaitingForever() throws {
        let server = try ScriptedServer { _ in
            // 200 bytes announced, 128 sent, then a fmt-1 header on the same chunk stream saying 10.
            [0x03, 0, 0, 0, 0, 0, 200, 20, 0, 0, 0, 0] + [UInt8](repeating: 0x41, count: 128)
                + [0x43, 0, 0, 0, 0, 0, 10, 20] + [UInt8](repeating: 0x42, count: 10)
        }
        let error = try #require(publish(to: server))
        #expect(error.reason.contains("shortened"), "\(error)")
    }

    @Test(.timeLimit(.minutes(1)))
    func moreChunkStreamsThanAServerUsesAreRefused() throws {
        let server = try ScriptedServer { _ in
            // 40 chunk streams, each with the first 128-byte chunk of a 200-byte message.
            (0..<40).flatMap { csid -> [UInt8] in
                [UInt8(3 + csid), 0, 0, 0, 0, 0, 200, 20, 0, 0, 0, 0] + [UInt8](repeating: 0x41, count: 128)
            }
        }
        let error = try #require(publish(to: server))
        #expect(error.reason.contains("chunk streams"), "\(error)")
    }

    @Test(.timeLimit(.minutes(1)))
    func aServerThatEndsTheConnectionInsideAMessageIsNamedForIt() throws {
        let server = try ScriptedServer(endAfterFirstAnswer: true) { _ in
            // 200 bytes announced, 128 sent, then the end of the connection.
            [0x03, 0, 0, 0, 0, 0, 200, 20, 0, 0, 0, 0] + [UInt8](repeating: 0x41, count: 128)
        }
        do {
            _ = try RTMPPublisher(url: "rtmp://127.0.0.1:\(server.port)/live/cam", interrupt: TestDeadline(seconds: 8))
            Issue.record("published to a server that ended the connection")
        } catch {
            #expect(error.kind == .closed, "\(error)")
            #expect(
                error.reason == "the connection ended inside a message on chunk stream 3 (128 of 200 bytes arrived)",
                "\(error)")
        }
    }
}
