import KuzetWire

/// HTTP Digest authentication for RTSP (RFC 2617, MD5, as every RTSP client implements it),
/// checked against the relay's own credentials — never a camera's. The header is read by
/// KuzetWire's ``DigestAuthorization`` (bounded).
public struct RTSPDigestAuthenticator: Sendable {
    public let realm: String
    private let username: String
    private let password: String
    /// The nonce this authenticator issues and accepts (one per RTSP connection).
    public let nonce: String

    public init(
        username: String, password: String, realm: String = "kuzet", nonce: String = RTSPDigestAuthenticator.makeNonce()
    ) {
        self.username = username
        self.password = password
        self.realm = realm
        self.nonce = nonce
    }

    public static func makeNonce() -> String {
        (0..<16).map { _ in
            let byte = UInt8.random(in: 0...255)
            return (byte < 16 ? "0" : "") + String(byte, radix: 16)
        }.joined()
    }

    /// The `WWW-Authenticate:` value of a 401.
    public var challenge: String { DigestChallenge(realm: realm, nonce: nonce, algorithm: "MD5").header }

    /// True when `authorization` (the header value) proves the client knows our credentials.
    /// An unreadable header proves nothing.
    public func accepts(authorization: String?, method: String) -> Bool {
        guard let authorization, let answer = try? DigestAuthorization(header: authorization) else { return false }
        // The relay offers MD5 only: an answer naming another algorithm is not ours.
        guard answer.algorithm.uppercased() == "MD5" else { return false }
        return answer.proves(username: username, password: password, realm: realm, nonce: nonce, method: method)
    }

    static func md5(_ text: String) -> String { Digest.md5(text) }
}
