import Foundation

/// A real HTTP(S) server on loopback (Python's `http.server` + `ssl`, run with /usr/bin/python3)
/// that records every request it gets and answers as it is told.
///
/// Paths: `/echo` (what it got, as JSON), `/big?bytes=N`, `/hang` (never answers), `/digest`
/// (HTTP Digest with `digestCredentials`), `POST /api/v1/heartbeats` (a registry stand-in:
/// bearer token, idempotent by school and sequence, answers a receipt). Answers queued with
/// ``enqueue(status:headers:body:)`` or ``enqueueHang(seconds:)`` are used first, in order, for any path.
public final class RecordingHTTPServer: Sendable {
    /// One request as the server saw it.
    public struct Request: Sendable {
        public var method: String
        public var path: String
        public var headers: [String: String]
        public var body: String
        /// The subject CN of the client certificate, under mTLS.
        public var clientCommonName: String?
        /// For `/api/v1/heartbeats`: how many heartbeats were new / already known.
        public var accepted: Int?
        public var duplicates: Int?
        /// The queued answer used, if any.
        public var queuedStatus: Int?

        public func header(_ name: String) -> String? {
            headers.first { $0.key.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
    }

    public let directory: TemporaryDirectory
    public let process: ExternalProcess
    public let port: Int
    public let isTLS: Bool

    public var baseURL: String { "\(isTLS ? "https" : "http")://127.0.0.1:\(port)" }

    /// Starts the server on a free loopback port and waits until it listens.
    /// - Parameters:
    ///   - tls: the server's certificate; nil for plain HTTP.
    ///   - clientCA: when set, a client certificate signed by this CA is required (mTLS).
    public init(
        tls: TestCertificateAuthority.Identity? = nil, clientCA: String? = nil,
        digestCredentials: (String, String)? = nil,
        bearerToken: String? = nil, port: Int = 0
    ) throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-http")
        var arguments = ["-u", try Self.scriptPath(), "--dir", directory.path, "--port", "\(port)"]
        if let tls { arguments += ["--cert", tls.certificate, "--key", tls.key] }
        if let clientCA { arguments += ["--client-ca", clientCA] }
        if let (user, password) = digestCredentials { arguments += ["--digest", "\(user):\(password)"] }
        if let bearerToken { arguments += ["--token", bearerToken] }
        let process = try ExternalProcess(
            "/usr/bin/python3", arguments, name: "http-server", logDirectory: directory.path)
        var found: Int?
        _ = eventually(timeout: 15) {
            if let line = process.output.split(separator: "\n").first(where: { $0.hasPrefix("READY ") }) {
                found = Int(line.dropFirst(6))
            }
            return found != nil || !process.isRunning
        }
        guard let found else {
            process.stop(signal: SIGKILL)
            throw TestKitError("test HTTP server did not start: \(process.output.prefix(1000))")
        }
        self.directory = directory
        self.process = process
        self.port = found
        self.isTLS = tls != nil
    }

    /// `scripts/testing/recording_http_server.py` of this checkout.
    static func scriptPath() throws -> String {
        let path = repositoryRoot().appendingPathComponent("scripts/testing/recording_http_server.py").path
        guard FileManager.default.fileExists(atPath: path) else { throw TestKitError("\(path) is missing") }
        return path
    }

    /// Queues one answer (used by the next request, whatever its path).
    public func enqueue(status: Int, headers: [String: String] = [:], body: String = "") throws {
        try append(["status": status, "headers": headers, "body": body])
    }

    /// Queues a request that is read but never answered for `seconds`.
    public func enqueueHang(seconds: Double = 300) throws {
        try append(["hang": seconds])
    }

    private func append(_ object: [String: Any]) throws {
        let line = String(decoding: try JSONSerialization.data(withJSONObject: object), as: UTF8.self) + "\n"
        let path = directory.file("responses.jsonl")
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        try handle.write(contentsOf: Data(line.utf8))
    }

    /// Every request received so far, oldest first.
    public func requests() -> [Request] {
        guard let text = try? String(contentsOfFile: directory.file("requests.jsonl"), encoding: .utf8) else {
            return []
        }
        return text.split(separator: "\n").compactMap { line in
            guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
                return nil
            }
            let answered = object["answered"] as? [String: Any]
            return Request(
                method: object["method"] as? String ?? "", path: object["path"] as? String ?? "",
                headers: object["headers"] as? [String: String] ?? [:], body: object["body"] as? String ?? "",
                clientCommonName: object["client_cn"] as? String, accepted: object["accepted"] as? Int,
                duplicates: object["duplicates"] as? Int, queuedStatus: answered?["status"] as? Int)
        }
    }

    /// The server's own log (stderr), for failure messages.
    public var log: String { process.output }

    public func stop() { process.stop(signal: SIGKILL, timeout: 2) }

    deinit { process.stop(signal: SIGKILL, timeout: 2) }
}
