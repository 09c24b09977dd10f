import Foundation
import Logging

/// An HTTP(S) client over libcurl, safe to share between tasks.
///
/// Each ``perform(_:)`` runs its blocking libcurl transfer on a dedicated thread (never on Swift's
/// cooperative pool), with its own easy handle. Cancelling the calling task aborts the transfer
/// within about a second (libcurl's progress callback checks a flag). Signals are never used
/// (CURLOPT_NOSIGNAL); proxies from the environment (`https_proxy`, `no_proxy`…) are honoured, as
/// libcurl does by default.
public struct HTTPClient: Sendable {
    public struct Configuration: Sendable, Equatable {
        public var tls: TLSConfiguration
        public var timeouts: HTTPTimeouts
        /// A larger response body ends the transfer with ``HTTPTransportError/Kind/responseTooLarge``.
        public var maxResponseBytes: Int
        public var userAgent: String
        /// Follow 3xx redirects (up to 5). Off by default: an API client should see them.
        public var followRedirects: Bool

        public init(
            tls: TLSConfiguration = .init(), timeouts: HTTPTimeouts = .init(), maxResponseBytes: Int = 8 << 20,
            userAgent: String = "kuzet", followRedirects: Bool = false
        ) {
            self.tls = tls
            self.timeouts = timeouts
            self.maxResponseBytes = maxResponseBytes
            self.userAgent = userAgent
            self.followRedirects = followRedirects
        }
    }

    public var configuration: Configuration
    let logger: Logger

    public init(configuration: Configuration = .init(), logger: Logger = Logger(label: "kuzet.curl")) {
        self.configuration = configuration
        self.logger = logger
    }

    /// Sends `request` and returns the server's final answer, whatever its status.
    ///
    /// - Throws: only ``HTTPTransportError`` (no answer, a TLS problem, too large, cancelled).
    public func perform(_ request: HTTPRequest) async throws -> HTTPResponse {
        let description = HTTPTransportError.describe(method: request.method, url: request.url)
        if Task.isCancelled { throw HTTPTransportError(kind: .cancelled, request: description, detail: "") }
        let flag = CancellationFlag()
        let configuration = configuration
        let started = ContinuousClock.now
        let response = try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<HTTPResponse, any Error>) in
                let thread = Thread {
                    continuation.resume(
                        with: Result { try Self.transfer(request, configuration: configuration, cancellation: flag) })
                }
                thread.name = "kuzet.curl"
                thread.start()
            }
        } onCancel: {
            flag.cancel()
        }
        logger.debug(
            "HTTP exchange done",
            metadata: [
                "http.request": "\(description)", "http.status": "\(response.status)",
                "http.duration_ms": "\((ContinuousClock.now - started).milliseconds)",
            ])
        return response
    }

    /// The blocking part: one easy handle, configured, performed and freed on the calling thread.
    static func transfer(_ request: HTTPRequest, configuration: Configuration, cancellation: CancellationFlag)
        throws(HTTPTransportError) -> HTTPResponse
    {
        let state = TransferState(maxBodyBytes: configuration.maxResponseBytes, cancellation: cancellation)
        let handle = try EasyHandle(owningNewHandleFor: state)
        try handle.configure(for: request, configuration: configuration)
        let status = try handle.perform(
            describedAs: HTTPTransportError.describe(method: request.method, url: request.url), tls: configuration.tls)
        return HTTPResponse(status: status, headers: state.headers, body: state.body)
    }
}

extension Duration {
    /// Whole milliseconds (rounded down), as libcurl's `_MS` options take them.
    var milliseconds: Int {
        let (seconds, attoseconds) = components
        return Int(seconds) * 1000 + Int(attoseconds / 1_000_000_000_000_000)
    }
}
