import Crypto
import Foundation

/// An HTTP/RTSP Digest challenge (`WWW-Authenticate: Digest realm=…, nonce=…`) and the
/// `Authorization` answer to it (RFC 7616; MD5 and SHA-256, `qop=auth` or none).
public struct DigestChallenge: Sendable, Equatable {
    public var realm: String
    public var nonce: String
    public var qop: String?
    public var algorithm: String
    public var opaque: String?

    public init(realm: String, nonce: String, qop: String? = nil, algorithm: String = "MD5", opaque: String? = nil) {
        self.realm = realm
        self.nonce = nonce
        self.qop = qop
        self.algorithm = algorithm
        self.opaque = opaque
    }

    /// The first readable Digest challenge among `headers` (several `WWW-Authenticate` lines
    /// are common); unreadable ones are skipped.
    public init?(headers: [String]) {
        for header in headers {
            guard let fields = try? AuthenticationParameters.parse(header, scheme: "Digest"),
                let realm = fields["realm"], let nonce = fields["nonce"]
            else { continue }
            let qop = fields["qop"].flatMap { value in
                value.split(separator: ",").map { String($0.filter { $0 != " " }) }.first { $0 == "auth" }
            }
            self.init(
                realm: realm, nonce: nonce, qop: qop, algorithm: fields["algorithm"] ?? "MD5", opaque: fields["opaque"])
            return
        }
        return nil
    }

    /// The `WWW-Authenticate:` value a server sends.
    public var header: String {
        var text = #"Digest realm="\#(realm)", nonce="\#(nonce)", algorithm="\#(algorithm)""#
        if let qop { text += #", qop="\#(qop)""# }
        if let opaque { text += #", opaque="\#(opaque)""# }
        return text
    }

    /// The `Authorization` header value for `method` on `uri`.
    public func authorization(
        method: String, uri: String, username: String, password: String, cnonce: String = Self.randomCnonce(),
        nonceCount: Int = 1
    ) -> String {
        let hash = Digest.hash(algorithm)
        let nc = String(format: "%08x", nonceCount)
        let response = Digest.response(
            hash: hash, username: username, realm: realm, password: password, method: method, uri: uri, nonce: nonce,
            qop: qop.map { (qop: $0, nc: nc, cnonce: cnonce) })
        var header =
            "Digest username=\"\(username)\", realm=\"\(realm)\", nonce=\"\(nonce)\", uri=\"\(uri)\", response=\"\(response)\""
        if let qop { header += ", qop=\(qop), nc=\(nc), cnonce=\"\(cnonce)\"" }
        header += ", algorithm=\(algorithm)"
        if let opaque { header += ", opaque=\"\(opaque)\"" }
        return header
    }

    public static func randomCnonce() -> String {
        (0..<16).map { _ in String(format: "%x", Int.random(in: 0..<16)) }.joined()
    }
}

/// The Digest computation shared by both sides (RFC 7616 §3.4.1).
public enum Digest {
    public static func md5(_ text: String) -> String {
        Insecure.MD5.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }
    public static func sha256(_ text: String) -> String {
        SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    /// MD5 unless the algorithm names SHA-256.
    static func hash(_ algorithm: String) -> @Sendable (String) -> String {
        algorithm.uppercased().hasPrefix("SHA-256") ? sha256 : md5
    }

    /// The `response` value.
    public static func response(
        hash: (String) -> String, username: String, realm: String, password: String, method: String, uri: String,
        nonce: String,
        qop: (qop: String, nc: String, cnonce: String)?
    ) -> String {
        let ha1 = hash("\(username):\(realm):\(password)")
        let ha2 = hash("\(method):\(uri)")
        if let qop { return hash("\(ha1):\(nonce):\(qop.nc):\(qop.cnonce):\(qop.qop):\(ha2)") }
        return hash("\(ha1):\(nonce):\(ha2)")
    }

    /// Equal without an early exit (a guesser learns nothing from the time taken).
    public static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8)
        let y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
