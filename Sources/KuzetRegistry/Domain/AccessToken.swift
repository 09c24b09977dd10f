import Crypto
import Foundation

/// Bearer tokens: 32 random bytes, URL-safe base64, with a role prefix so a leaked token is
/// recognisable (`kzs_` school, `kzv_` viewer, `kza_` admin, `kzo_`
/// operator). Only the SHA-256 of a token is stored.
public enum AccessToken {
    public static func generate(role: Role) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        let body = Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(
                of: "=", with: "")
        return prefix(for: role) + body
    }

    /// The value stored in the database: lower-case hex SHA-256 of the token's UTF-8 bytes.
    public static func hash(_ token: String) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(64)
        for byte in SHA256.hash(data: Data(token.utf8)) {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }

    static func prefix(for role: Role) -> String {
        switch role {
        case .school: "kzs_"
        case .viewer: "kzv_"
        case .admin: "kza_"
        case .operator: "kzo_"
        }
    }
}

/// A token as the store keeps it: its hash, never the token.
public struct StoredToken: Sendable, Equatable {
    public var hash: String
    public var principal: Principal
    public var createdAt: Date

    public init(hash: String, principal: Principal, createdAt: Date) {
        self.hash = hash
        self.principal = principal
        self.createdAt = createdAt
    }
}
