import Foundation

/// `Authorization: Basic base64(user:password)` (RFC 7617).
public struct BasicAuthorization: Sendable, Equatable {
    public var username: String
    public var password: String

    public init(username: String, password: String) {
        self.username = username
        self.password = password
    }

    /// The header value.
    public var header: String { "Basic " + Data("\(username):\(password)".utf8).base64EncodedString() }

    /// Reads the header value; nil when it is not Basic, throws when it is Basic but unreadable.
    public init?(header: String) throws(WireError) {
        let trimmed = header.drop { $0 == " " }
        guard trimmed.count > 6, WireHeaders.same(String(trimmed.prefix(6)), "Basic ") else { return nil }
        let encoded = trimmed.dropFirst(6).filter { $0 != " " }
        guard encoded.utf8.count <= AuthenticationParameters.maximumLength,
            let data = Data(base64Encoded: String(encoded)),
            let text = String(data: data, encoding: .utf8), let colon = text.firstIndex(of: ":")
        else { throw .badAuthorization }
        self.init(username: String(text[..<colon]), password: String(text[text.index(after: colon)...]))
    }

    /// True when one of `challenges` (`WWW-Authenticate` values) offers Basic.
    public static func isOffered(_ challenges: [String]) -> Bool {
        challenges.contains { WireHeaders.same(String($0.drop { $0 == " " }.prefix(5)), "basic") }
    }
}
