import Crypto
import Foundation

/// HTTP Digest authentication for RTSP (RFC 2617, MD5, as every RTSP client implements it),
/// checked against the relay's own credentials — never a camera's.
public struct RTSPDigestAuthenticator: Sendable {
    public let realm: String
    private let username: String
    private let password: String
    /// The nonce this authenticator issues and accepts (one per RTSP connection).
    public let nonce: String

    public init(username: String, password: String, realm: String = "kuzet", nonce: String = RTSPDigestAuthenticator.makeNonce()) {
        self.username = username
        self.password = password
        self.realm = realm
        self.nonce = nonce
    }

    public static func makeNonce() -> String {
        (0..<16).map { _ in String(format: "%02x", UInt8.random(in: 0...255)) }.joined()
    }

    /// The `WWW-Authenticate:` value of a 401.
    public var challenge: String { #"Digest realm="\#(realm)", nonce="\#(nonce)", algorithm="MD5""# }

    /// True when `authorization` (the header value) proves the client knows our credentials.
    public func accepts(authorization: String?, method: String) -> Bool {
        guard let authorization, authorization.lowercased().hasPrefix("digest ") else { return false }
        let fields = Self.fields(String(authorization.dropFirst(7)))
        guard fields["username"] == username, fields["realm"] == realm, fields["nonce"] == nonce,
            let uri = fields["uri"], let response = fields["response"]?.lowercased()
        else { return false }
        let ha1 = Self.md5("\(username):\(realm):\(password)")
        let ha2 = Self.md5("\(method):\(uri)")
        let expected: String
        if let qop = fields["qop"], let nc = fields["nc"], let cnonce = fields["cnonce"] {
            expected = Self.md5("\(ha1):\(nonce):\(nc):\(cnonce):\(qop):\(ha2)")
        } else {
            expected = Self.md5("\(ha1):\(nonce):\(ha2)")
        }
        return Self.constantTimeEqual(expected, response)
    }

    static func md5(_ text: String) -> String {
        Insecure.MD5.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined()
    }

    static func constantTimeEqual(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return zip(x, y).reduce(0) { $0 | ($1.0 ^ $1.1) } == 0
    }

    /// `key="quoted, value", key2=token` → dictionary (keys lower-cased).
    static func fields(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        var rest = Substring(text)
        while !rest.isEmpty {
            rest = rest.drop { $0 == " " || $0 == "," }
            guard let equals = rest.firstIndex(of: "=") else { break }
            let key = rest[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            rest = rest[rest.index(after: equals)...]
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                let close = rest.firstIndex(of: "\"") ?? rest.endIndex
                value = String(rest[..<close])
                rest = close < rest.endIndex ? rest[rest.index(after: close)...] : ""
            } else {
                let comma = rest.firstIndex(of: ",") ?? rest.endIndex
                value = rest[..<comma].trimmingCharacters(in: .whitespaces)
                rest = rest[comma...]
            }
            result[key] = value
        }
        return result
    }
}
