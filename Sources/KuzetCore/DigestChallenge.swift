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

    /// Parses the first Digest challenge among `headers` (several `WWW-Authenticate` lines are common).
    public init?(headers: [String]) {
        for header in headers {
            let trimmed = header.trimmingCharacters(in: .whitespaces)
            guard trimmed.lowercased().hasPrefix("digest ") else { continue }
            let fields = Self.fields(String(trimmed.dropFirst(7)))
            guard let realm = fields["realm"], let nonce = fields["nonce"] else { continue }
            self.realm = realm
            self.nonce = nonce
            self.qop = fields["qop"].flatMap { value in
                value.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.first { $0 == "auth" }
            }
            self.algorithm = fields["algorithm"] ?? "MD5"
            self.opaque = fields["opaque"]
            return
        }
        return nil
    }

    /// `key=value, key="quoted, value"` → dictionary with lower-cased keys.
    static func fields(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        var index = text.startIndex
        while index < text.endIndex {
            while index < text.endIndex, text[index] == " " || text[index] == "," { index = text.index(after: index) }
            guard let equals = text[index...].firstIndex(of: "=") else { break }
            let key = text[index..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            var cursor = text.index(after: equals)
            var value = ""
            if cursor < text.endIndex, text[cursor] == "\"" {
                cursor = text.index(after: cursor)
                while cursor < text.endIndex, text[cursor] != "\"" {
                    if text[cursor] == "\\", text.index(after: cursor) < text.endIndex { cursor = text.index(after: cursor) }
                    value.append(text[cursor])
                    cursor = text.index(after: cursor)
                }
                if cursor < text.endIndex { cursor = text.index(after: cursor) }
            } else {
                while cursor < text.endIndex, text[cursor] != "," {
                    value.append(text[cursor])
                    cursor = text.index(after: cursor)
                }
                value = value.trimmingCharacters(in: .whitespaces)
            }
            result[key] = value
            index = cursor
        }
        return result
    }

    /// The `Authorization` header value for `method` on `uri`.
    public func authorization(method: String, uri: String, username: String, password: String, cnonce: String = Self.randomCnonce(), nonceCount: Int = 1) -> String {
        let useSHA256 = algorithm.uppercased().hasPrefix("SHA-256")
        let hash: @Sendable (String) -> String = { text in useSHA256 ? Self.sha256(text) : Self.md5(text) }
        let ha1 = hash("\(username):\(realm):\(password)")
        let ha2 = hash("\(method):\(uri)")
        let nc = String(format: "%08x", nonceCount)
        var header = "Digest username=\"\(username)\", realm=\"\(realm)\", nonce=\"\(nonce)\", uri=\"\(uri)\""
        if let qop {
            let response = hash("\(ha1):\(nonce):\(nc):\(cnonce):\(qop):\(ha2)")
            header += ", response=\"\(response)\", qop=\(qop), nc=\(nc), cnonce=\"\(cnonce)\""
        } else {
            header += ", response=\"\(hash("\(ha1):\(nonce):\(ha2)"))\""
        }
        header += ", algorithm=\(algorithm)"
        if let opaque { header += ", opaque=\"\(opaque)\"" }
        return header
    }

    public static func randomCnonce() -> String {
        (0..<16).map { _ in String(format: "%x", Int.random(in: 0..<16)) }.joined()
    }

    static func md5(_ text: String) -> String { Insecure.MD5.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined() }
    static func sha256(_ text: String) -> String { SHA256.hash(data: Data(text.utf8)).map { String(format: "%02x", $0) }.joined() }
}
