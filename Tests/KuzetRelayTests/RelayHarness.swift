import Foundation
import KuzetCore
import KuzetMedia
import KuzetRelay
import KuzetTestKit
import Logging

/// A relay on a free loopback port, serving camera `entrance` from a fan-out fed in real time
/// from real H.264 (a stand-in for the camera's one upstream session).
final class RelayHarness: @unchecked Sendable {
    let directory: TemporaryDirectory
    let fanout = PacketFanout()
    let source: RTPPacedSource
    let server: RelayServer
    let port: Int
    let logs = CapturedLogs()
    private let task: Task<Void, any Error>

    init(
        username: String? = "cou", password: String? = "relay-pw", media: String? = nil, bitrate: String = "1M",
        sourceURL: String? = nil,
        configure: (inout RelayServerConfiguration) -> Void = { _ in }
    ) async throws {
        directory = try TemporaryDirectory(prefix: "kuzet-relay")
        let directory = directory
        let url = try await offPool { try sourceURL ?? media ?? RelayTestMedia.make(in: directory, bitrate: bitrate) }
        source = RTPPacedSource(url: url, fanout: fanout)
        let source = source
        try await offPool { try source.start() } // opening an RTSP upstream blocks
        port = freeLoopbackPort()
        let logs = logs
        var configuration = RelayServerConfiguration(
            listen: ListenAddress(host: "127.0.0.1", port: port), username: username, password: password,
            streamQueueCapacity: 256)
        configure(&configuration)
        server = RelayServer(
            configuration: configuration, catalog: RelayCatalog(fanouts: ["entrance": fanout]),
            logger: Logger(label: "kuzet.relay") { _ in logs.handler() })
        let server = server
        task = Task { try await server.run() }
        let started = await waitUntil(timeout: 30) { server.port != nil && fanout.stream != nil }
        if !started {
            stop()
            throw TestKitError("relay did not start")
        }
    }

    func url(credentials: String? = "cou:relay-pw") -> String {
        "rtsp://\(credentials.map { "\($0)@" } ?? "")127.0.0.1:\(port)/entrance"
    }

    func stop() {
        task.cancel()
        source.stop()
    }

    deinit { stop() }
}

/// Every log line the relay writes, for checking what it never says.
final class CapturedLogs: @unchecked Sendable {
    private let lock = NSLock()
    private var lines: [String] = []

    var text: String { lock.withLock { lines.joined(separator: "\n") } }

    func append(_ line: String) { lock.withLock { lines.append(line) } }

    func handler() -> any LogHandler { Handler(logs: self) }

    struct Handler: LogHandler {
        let logs: CapturedLogs
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace
        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }
        func log(event: LogEvent) {
            logs.append("\(event.level) \(event.message) \(metadata.merging(event.metadata ?? [:]) { $1 })")
        }
    }
}

/// Polls without blocking a thread of Swift's small cooperative pool (the server under test
/// runs there too; `eventually`'s sleep would starve it when tests run in parallel).
func waitUntil(timeout: Double, _ condition: () -> Bool) async -> Bool {
    let deadline = Date().addingTimeInterval(timeout)
    while Date() < deadline {
        if condition() { return true }
        try? await Task.sleep(for: .milliseconds(50))
    }
    return condition()
}
