import Crypto
import Foundation
import KuzetCommitment
import KuzetProtocol
import KuzetTestKit
import Testing

/// Issue 21 with the built `kuzet-registry` as a real process: signed heartbeats over HTTP (curl),
/// `school key` printing the pinned key, a new box refused until `school rekey`.
@Suite("kuzet-registry school key / rekey", .serialized, .timeLimit(.minutes(2)))
struct SchoolKeyCommandTests {
    /// Posts heartbeat `sequence` carrying `signer`'s public key and signed by it, with curl.
    static func postSigned(
        _ sample: Sample, _ sequence: UInt64, _ signer: Curve25519.Signing.PrivateKey, token: String,
        to server: RegistryProcess, in directory: TemporaryDirectory
    ) throws -> (status: Int, body: String) {
        var heartbeat = sample.heartbeat(sequence, at: Date())
        heartbeat.deviceKey = DevicePublicKey(signer.publicKey).base64
        let body = heartbeat.json
        let file = directory.file("body-\(sequence).json")
        try body.write(to: URL(fileURLWithPath: file))
        return try curl([
            "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json",
            "-H", "Kuzet-Signature: \(try signer.signatureBase64(for: body))",
            "--data-binary", "@\(file)", server.url + "/api/v1/heartbeats",
        ])
    }

    @Test("school key prints the pinned key and fingerprint; a new key is refused (403) until school rekey pins it")
    func keyAndRekey() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-registry-key")
        let database = "sqlite:" + directory.file("registry.sqlite")
        let token = try RegistryExecutable.createToken([
            "--role", "school", "--school", "KZ-AST-0021", "--region", "Astana", "--database", database,
        ])
        let server = try RegistryProcess(["--database", database])
        let sample = Sample(schoolID: "KZ-AST-0021")
        func post(_ sequence: UInt64, _ signer: Curve25519.Signing.PrivateKey) throws -> (status: Int, body: String) {
            try Self.postSigned(sample, sequence, signer, token: token, to: server, in: directory)
        }
        let none = try RegistryExecutable.run(["school", "key", "KZ-AST-0021", "--database", database])
        #expect(none.status == 1 && none.output.contains("no device key pinned"), "\(none.output)")

        let box = Curve25519.Signing.PrivateKey()
        #expect(try post(1, box).status == 200)
        let key = DevicePublicKey(box.publicKey)
        let shown = try RegistryExecutable.run(["school", "key", "KZ-AST-0021", "--database", database])
        #expect(shown.status == 0)
        #expect(
            shown.output.contains("key: \(key.base64)") && shown.output.contains("sha256: \(key.fingerprint)"),
            "\(shown.output)")

        let replacement = Curve25519.Signing.PrivateKey()
        let refused = try post(2, replacement)
        #expect(refused.status == 403 && refused.body.contains("device_key_mismatch"), "\(refused.body)")
        let rekey = try RegistryExecutable.run(["school", "rekey", "KZ-AST-0021", "--database", database])
        #expect(rekey.status == 0, "\(rekey.output)")
        #expect(try post(3, replacement).status == 200)
        let now = try RegistryExecutable.run(["school", "key", "KZ-AST-0021", "--database", database])
        #expect(now.output.contains("key: \(DevicePublicKey(replacement.publicKey).base64)"), "\(now.output)")
        #expect(try post(4, box).status == 403)
    }

    @Test(
        "school remove forgets the pinned key and prints what went; the id registered again pins the replacement box's key"
    )
    func removeForgetsTheKey() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-registry-remove-key")
        let database = "sqlite:" + directory.file("registry.sqlite")
        let create = ["--role", "school", "--school", "KZ-AST-0022", "--region", "Astana", "--database", database]
        let sample = Sample(schoolID: "KZ-AST-0022")
        func post(
            _ sequence: UInt64, _ signer: Curve25519.Signing.PrivateKey, token: String, to server: RegistryProcess
        ) throws -> (status: Int, body: String) {
            try Self.postSigned(sample, sequence, signer, token: token, to: server, in: directory)
        }
        let box = Curve25519.Signing.PrivateKey()
        do {
            let server = try RegistryProcess(["--database", database])
            #expect(try post(1, box, token: try RegistryExecutable.createToken(create), to: server).status == 200)
        }
        let removed = try RegistryExecutable.run(["school", "remove", "KZ-AST-0022", "--database", database])
        #expect(removed.status == 0, "\(removed.output)")
        #expect(
            removed.output.contains("removed school KZ-AST-0022")
                && removed.output.contains("1 token(s), 1 heartbeat(s)")
                && removed.output.contains(
                    "forgot its provable retention: 1 device key(s), 0 day root(s), 0 challenge(s), 1 retention proof(s)"
                )
                && removed.output.contains(
                    "forgot 0 unfinished command(s); kept 0 finished command(s) and the audit log"),
            "\(removed.output)")
        let gone = try RegistryExecutable.run(["school", "key", "KZ-AST-0022", "--database", database])
        #expect(gone.status == 1 && gone.output.contains("no device key pinned"), "\(gone.output)")

        let token = try RegistryExecutable.createToken(create)
        let server = try RegistryProcess(["--database", database])
        let replacement = Curve25519.Signing.PrivateKey()
        let first = try post(1, replacement, token: token, to: server)
        #expect(first.status == 200, "the replacement box's first heartbeat pins its key: \(first.body)")
        let shown = try RegistryExecutable.run(["school", "key", "KZ-AST-0022", "--database", database])
        #expect(shown.output.contains("key: \(DevicePublicKey(replacement.publicKey).base64)"), "\(shown.output)")
        #expect(try post(2, box, token: token, to: server).status == 403)
    }
}
