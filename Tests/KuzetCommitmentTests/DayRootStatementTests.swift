import Crypto
import Foundation
import KuzetCommitment
import Testing

/// The signed day root: the exact text, an Ed25519 signature that verifies with the device key
/// and with no other, over no other text.
@Suite struct DayRootStatementTests {
    static let statement = DayRootStatement(
        schoolID: "KZ-ALM-0042", camera: "entrance", day: "2026-12-04", segmentCount: 144,
        root: MerkleHash(hex: String(repeating: "0f", count: 32))!)

    @Test func statementTextIsExactlyTheWireFormat() {
        #expect(
            Self.statement.text
                == "kuzet-day-root-v1\nKZ-ALM-0042\nentrance\n2026-12-04\n144\n" + String(repeating: "0f", count: 32))
    }

    @Test func aSignatureVerifiesWithTheSigningKeyOnly() throws {
        let key = Curve25519.Signing.PrivateKey()
        let signature = try Self.statement.signature(with: key)
        #expect(signature.count == 88)
        #expect(Self.statement.isSigned(signature, by: DevicePublicKey(key.publicKey)))
        #expect(!Self.statement.isSigned(signature, by: DevicePublicKey(Curve25519.Signing.PrivateKey().publicKey)))
    }

    @Test func aSignatureDoesNotCoverAnotherDayCountOrRoot() throws {
        let key = Curve25519.Signing.PrivateKey()
        let signature = try Self.statement.signature(with: key)
        let device = DevicePublicKey(key.publicKey)
        var other = Self.statement
        other.day = "2026-12-05"
        #expect(!other.isSigned(signature, by: device))
        other = Self.statement
        other.segmentCount = 143
        #expect(!other.isSigned(signature, by: device))
        other = Self.statement
        other.camera = "yard"
        #expect(!other.isSigned(signature, by: device))
    }

    @Test func deviceKeyTextIsBase64OfExactly32Bytes() {
        let key = DevicePublicKey(Curve25519.Signing.PrivateKey().publicKey)
        #expect(DevicePublicKey(base64: key.base64) == key)
        #expect(key.fingerprint.count == 64)
        #expect(DevicePublicKey(base64: Data(count: 31).base64EncodedString()) == nil)
        #expect(DevicePublicKey(base64: Data(count: 33).base64EncodedString()) == nil)
        #expect(DevicePublicKey(base64: String(repeating: "A", count: 10_000)) == nil)
        #expect(DevicePublicKey(base64: "not base64 at all, but forty-four chars!!!!") == nil)
    }

    @Test func malformedSignaturesAreRefusedWithoutTrapping() {
        let device = DevicePublicKey(Curve25519.Signing.PrivateKey().publicKey)
        for signature in [
            "", "AAAA", String(repeating: "A", count: 88), String(repeating: "*", count: 88),
            String(repeating: "A", count: 1 << 16),
        ] {
            #expect(!Self.statement.isSigned(signature, by: device))
        }
    }
}
