/// A client's `Authorization: Digest …` answer, as a server reads it (RFC 7616 §3.4).
public struct DigestAuthorization: Sendable, Equatable {
    public var username: String
    public var realm: String
    public var nonce: String
    public var uri: String
    public var response: String
    public var algorithm: String
    /// `qop`, `nc` and `cnonce`, present together or not at all.
    public var qop: (qop: String, nc: String, cnonce: String)?

    /// Reads the header value; nil when it is not Digest. Throws when it is Digest but unreadable
    /// or lacks a required field.
    public init?(header: String) throws(WireError) {
        guard let fields = try AuthenticationParameters.parse(header, scheme: "Digest") else { return nil }
        guard let username = fields["username"], let realm = fields["realm"], let nonce = fields["nonce"],
            let uri = fields["uri"],
            let response = fields["response"]
        else { throw .badAuthorization }
        self.username = username
        self.realm = realm
        self.nonce = nonce
        self.uri = uri
        self.response = response.lowercased()
        self.algorithm = fields["algorithm"] ?? "MD5"
        if let qop = fields["qop"], let nc = fields["nc"], let cnonce = fields["cnonce"] {
            self.qop = (qop, nc, cnonce)
        }
    }

    /// True when the answer proves knowledge of `password` for `method` (the URI is the one the
    /// client hashed, as servers check it).
    public func proves(
        username expectedUser: String, password: String, realm expectedRealm: String, nonce expectedNonce: String,
        method: String
    ) -> Bool {
        guard username == expectedUser, realm == expectedRealm, nonce == expectedNonce else { return false }
        let expected = Digest.response(
            hash: Digest.hash(algorithm), username: username, realm: realm, password: password, method: method,
            uri: uri, nonce: nonce, qop: qop)
        return Digest.constantTimeEqual(expected, response)
    }

    public static func == (lhs: DigestAuthorization, rhs: DigestAuthorization) -> Bool {
        lhs.username == rhs.username && lhs.realm == rhs.realm && lhs.nonce == rhs.nonce && lhs.uri == rhs.uri
            && lhs.response == rhs.response
            && lhs.algorithm == rhs.algorithm && lhs.qop?.qop == rhs.qop?.qop && lhs.qop?.nc == rhs.qop?.nc
            && lhs.qop?.cnonce == rhs.qop?.cnonce
    }
}
