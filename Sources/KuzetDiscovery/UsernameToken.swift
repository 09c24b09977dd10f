import Crypto
import Foundation

/// A WS-Security UsernameToken (ONVIF Core §5.12): `PasswordDigest` =
/// Base64(SHA-1(nonce + created + password)), `Created` taken from the *camera's* clock, or the
/// plain `PasswordText` some old firmware wants.
public struct UsernameToken: Sendable {
    public enum Kind: String, Sendable {
        case digest = "PasswordDigest"
        case text = "PasswordText"
    }

    public var username: String
    public var password: String
    public var kind: Kind

    public init(username: String, password: String, kind: Kind) {
        self.username = username
        self.password = password
        self.kind = kind
    }

    /// The `<wsse:Security>` header element. `created` is the camera's "now" (our clock plus offset).
    public func securityHeader(created: Date, nonce: [UInt8] = Self.randomNonce()) -> String {
        let createdText = Self.timestamp(created)
        let passwordValue: String
        switch kind {
        case .digest: passwordValue = Self.digest(nonce: nonce, created: createdText, password: password)
        case .text: passwordValue = SOAPEnvelope.escape(password)
        }
        return """
            <wsse:Security s:mustUnderstand="1" xmlns:wsse="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd" \
            xmlns:wsu="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-utility-1.0.xsd"><wsse:UsernameToken>\
            <wsse:Username>\(SOAPEnvelope.escape(username))</wsse:Username>\
            <wsse:Password Type="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-username-token-profile-1.0#\(kind.rawValue)">\(passwordValue)</wsse:Password>\
            <wsse:Nonce EncodingType="http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-soap-message-security-1.0#Base64Binary">\(Data(nonce).base64EncodedString())</wsse:Nonce>\
            <wsu:Created>\(createdText)</wsu:Created></wsse:UsernameToken></wsse:Security>
            """
    }

    public static func digest(nonce: [UInt8], created: String, password: String) -> String {
        Data(Insecure.SHA1.hash(data: Data(nonce + Array(created.utf8) + Array(password.utf8)))).base64EncodedString()
    }

    public static func randomNonce() -> [UInt8] { (0..<16).map { _ in UInt8.random(in: 0...255) } }

    /// `2026-11-23T12:00:00.000Z`
    public static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
