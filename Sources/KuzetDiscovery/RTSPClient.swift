import Foundation
import KuzetCore
import KuzetWire

/// What a DESCRIBE returned.
public struct RTSPDescription: Sendable, Equatable {
    public var status: Int
    /// Parsed from the body when the answer was 200 with `application/sdp`.
    public var session: StreamDescription?
}

/// Raw RTSP/1.0 over TCP: `DESCRIBE` with Digest (or, when allowed, Basic) authentication on the
/// same connection, bounded in time and size. Enough to tell whether a stream exists and what it
/// is, without pulling media.
public struct RTSPClient: Sendable {
    public var credentials: DeviceCredentials?
    public var limits: ExchangeLimits
    /// Whether Basic (the password in plain text) may answer a device that offers nothing else.
    public var allowPlaintextAuth: Bool

    public init(
        credentials: DeviceCredentials?, limits: ExchangeLimits = ExchangeLimits(timeout: 4, maxBytes: 256 * 1024),
        allowPlaintextAuth: Bool = false
    ) {
        self.credentials = credentials
        self.limits = limits
        self.allowPlaintextAuth = allowPlaintextAuth
    }

    /// Thrown when the device offers only Basic and ``allowPlaintextAuth`` is off.
    static func basicRefused(_ url: String) -> DiscoveryError {
        DiscoveryError(
            where: url, what: "asks for RTSP Basic authentication, which sends the password in plain text — not sent",
            fix: "enable Digest authentication on the device, or pass --allow-plaintext-auth")
    }

    public func describe(_ url: String) async throws -> RTSPDescription {
        guard let address = DeviceAddress(url), address.scheme == "rtsp" else {
            throw DiscoveryError(
                where: CredentialRedaction.strip(url), what: "is not an rtsp:// URL",
                fix: "give rtsp://host[:port]/path")
        }
        let credentials =
            self.credentials
            ?? address.user.map {
                DeviceCredentials(
                    username: $0.removingPercentEncoding ?? $0,
                    password: (address.password ?? "").removingPercentEncoding ?? "")
            }
        let plain = address.plainURL
        let connection = try await TCPConnection.connect(
            host: address.host, port: address.port, timeout: limits.timeout)
        defer { connection.close() }
        var reply = try await connection.exchange(
            request("DESCRIBE", plain, sequence: 1, authorization: nil), limits: limits, bodyRequiresLength: true)
        if reply.status == 401, let credentials {
            let challenges = reply.headers(named: "WWW-Authenticate")
            let authorization: String
            if let challenge = DigestChallenge(headers: challenges) {
                authorization = challenge.authorization(
                    method: "DESCRIBE", uri: plain, username: credentials.username, password: credentials.password)
            } else if BasicAuthorization.isOffered(challenges) {
                guard allowPlaintextAuth else { throw Self.basicRefused(plain) }
                authorization =
                    BasicAuthorization(username: credentials.username, password: credentials.password).header
            } else {
                return RTSPDescription(status: 401, session: nil)
            }
            reply = try await connection.exchange(
                request("DESCRIBE", plain, sequence: 2, authorization: authorization), limits: limits,
                bodyRequiresLength: true)
        }
        var session: StreamDescription?
        if reply.status == 200 { session = StreamDescription(text: reply.bodyText) }
        return RTSPDescription(status: reply.status, session: session)
    }

    func request(_ method: String, _ url: String, sequence: Int, authorization: String?) -> [UInt8] {
        var text =
            "\(method) \(url) RTSP/1.0\r\nCSeq: \(sequence)\r\nUser-Agent: kuzet-agent\r\nAccept: application/sdp\r\n"
        if let authorization { text += "Authorization: \(authorization)\r\n" }
        return Array((text + "\r\n").utf8)
    }
}
