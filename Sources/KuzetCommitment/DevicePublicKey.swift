import Crypto
import Foundation

/// A box's Ed25519 public key as the registry pins it: 32 raw bytes, written as standard base64
/// (44 characters with padding).
public struct DevicePublicKey: Sendable, Hashable {
    /// The 32 raw bytes (Crypto's key type is not Sendable; it is rebuilt from these on use).
    public let rawRepresentation: Data

    public init(_ key: Curve25519.Signing.PublicKey) { self.rawRepresentation = key.rawRepresentation }

    public var key: Curve25519.Signing.PublicKey {
        // Checked to be a valid key when this value was made.
        try! Curve25519.Signing.PublicKey(rawRepresentation: rawRepresentation)
    }

    /// Nil unless `text` is base64 of exactly 32 bytes (checked for length before decoding).
    public init?(base64 text: String) {
        guard text.utf8.count == 44, let raw = Data(base64Encoded: text), raw.count == 32,
            (try? Curve25519.Signing.PublicKey(rawRepresentation: raw)) != nil
        else { return nil }
        self.rawRepresentation = raw
    }

    public var base64: String { rawRepresentation.base64EncodedString() }

    /// Lower-case hex SHA-256 of the raw key: what a person compares by eye or by phone.
    public var fingerprint: String { MerkleHash(digest: SHA256.hash(data: rawRepresentation)).hex }

    /// True when `signature` (base64 of 64 bytes) is this key's Ed25519 signature over `message`.
    public func isValidSignature(_ signature: String, for message: some DataProtocol) -> Bool {
        guard signature.utf8.count == 88, let raw = Data(base64Encoded: signature), raw.count == 64 else {
            return false
        }
        return key.isValidSignature(raw, for: message)
    }
}

extension Curve25519.Signing.PrivateKey {
    /// Standard base64 of the Ed25519 signature over `message`.
    public func signatureBase64(for message: some DataProtocol) throws -> String {
        try signature(for: message).base64EncodedString()
    }
}
