import Foundation

/// A real TLS front for a plain TCP service (stunnel, `apt-get install stunnel4`): accepts TLS on
/// 127.0.0.1:`port` with the given certificate and forwards the plain stream to 127.0.0.1:`backend`.
/// How a test makes an `rtmps://` ingest out of nginx-rtmp (``RTMPIngest``).
///
/// ```swift
/// let authority = try TestCertificateAuthority(in: folder.path)
/// let tunnel = try TLSTunnel(identity: try authority.issueServer(), backend: ingest.port)
/// // rtmps://127.0.0.1:\(tunnel.port)/live/cam1 — verified against authority.certificate
/// ```
public final class TLSTunnel: @unchecked Sendable {
    // @unchecked: everything is immutable after init; ExternalProcess is thread-safe for stop().
    public let port: Int
    public let backend: Int
    private let process: ExternalProcess
    private let directory: TemporaryDirectory

    /// Starts stunnel and waits until it accepts connections.
    public init(identity: TestCertificateAuthority.Identity, backend: Int, port: Int = freeLoopbackPort()) throws {
        self.port = port
        self.backend = backend
        directory = try TemporaryDirectory(prefix: "kuzet-tls-tunnel")
        let configuration = """
            foreground = yes
            pid =
            debug = info
            [tunnel]
            accept = 127.0.0.1:\(port)
            connect = 127.0.0.1:\(backend)
            cert = \(identity.certificate)
            key = \(identity.key)

            """
        try configuration.write(toFile: directory.file("stunnel.conf"), atomically: true, encoding: .utf8)
        let executable =
            FileManager.default.isExecutableFile(atPath: "/usr/bin/stunnel4") ? "/usr/bin/stunnel4" : "stunnel"
        process = try ExternalProcess(
            executable, [directory.file("stunnel.conf")], name: "stunnel", logDirectory: directory.path)
        let listening = eventually(timeout: 15) { [process] in
            guard process.isRunning, let fd = try? connectLoopback(port: port, receiveTimeoutSeconds: 1) else {
                return !process.isRunning
            }
            close(fd)
            return true
        }
        guard listening && process.isRunning else {
            let output = process.output
            process.stop()
            throw TestKitError(
                "stunnel did not start on 127.0.0.1:\(port): \(output.suffix(1500)) (run scripts/install-deps.sh: stunnel4)"
            )
        }
    }

    deinit { process.stop() }

    /// What stunnel logged (handshakes, refused certificates, forwarded connections).
    public var log: String { process.output }

    public func stop() { process.stop() }
}
