import Crypto
import Foundation

/// The box's Ed25519 signing key: made on first start, kept as its 32 raw bytes in a file only
/// the agent's user can read (0600), read back on every later start. It signs day roots and
/// heartbeat bodies; the registry pins its public half.
public struct DeviceKey: Sendable {
    /// The 32 raw bytes (Crypto's key type is not Sendable; it is rebuilt from these on use).
    private let raw: Data
    public let publicKey: DevicePublicKey

    public init(_ key: Curve25519.Signing.PrivateKey) {
        self.raw = key.rawRepresentation
        self.publicKey = DevicePublicKey(key.publicKey)
    }

    public var privateKey: Curve25519.Signing.PrivateKey {
        // Valid: made from a key or checked when read.
        try! Curve25519.Signing.PrivateKey(rawRepresentation: raw)
    }

    /// Base64 of the Ed25519 signature over `message`.
    public func sign(_ message: some DataProtocol) -> String {
        // Signing with a valid key does not fail (swift-crypto throws only for a bad key).
        (try? privateKey.signatureBase64(for: message)) ?? ""
    }

    /// Reads the key at `path`, or makes one there (0600, written and fsync'd before use) when
    /// no file exists. A file that is not a key is an error, never replaced: replacing it would
    /// change the box's identity at the registry.
    public static func loadOrCreate(path: String) throws -> DeviceKey {
        if FileManager.default.fileExists(atPath: path) {
            guard let data = FileManager.default.contents(atPath: path) else {
                throw CommitmentError("device key \(path): cannot be read — check the agent's user owns it (mode 0600)")
            }
            guard data.count == 32, let key = try? Curve25519.Signing.PrivateKey(rawRepresentation: data) else {
                throw CommitmentError(
                    "device key \(path): not a key (\(data.count) bytes, 32 expected) — restore it from a backup, or move it away to make a new key and run `kuzet-registry school rekey ID` at the registry"
                )
            }
            return DeviceKey(key)
        }
        let key = Curve25519.Signing.PrivateKey()
        let folder = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
            let temporary = path + ".new"
            let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
            guard fd >= 0 else { throw CommitmentError("cannot create \(temporary): errno \(errno)") }
            let handle = FileHandle(fileDescriptor: fd, closeOnDealloc: true)
            try handle.write(contentsOf: key.rawRepresentation)
            try handle.synchronize()
            try handle.close()
            guard rename(temporary, path) == 0 else {
                throw CommitmentError("cannot rename \(temporary): errno \(errno)")
            }
        } catch {
            throw CommitmentError(
                "device key \(path): cannot be created (\(error)) — check the state folder \(folder) is writable by the agent"
            )
        }
        return DeviceKey(key)
    }
}
