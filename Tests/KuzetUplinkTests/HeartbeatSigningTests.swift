import Foundation
import KuzetCommitment
import KuzetConfiguration
import KuzetProtocol
import KuzetTestKit
import Synchronization
import Testing

@testable import KuzetUplink

/// Issue 21 over a real HTTPS registry stand-in: every POST carries `Kuzet-Signature`, the device
/// key's signature over the exact body bytes, heartbeats carry `device_key`, and the challenges in
/// a receipt reach the agent.
@Suite(.serialized) struct HeartbeatSigningTests {
    let world: RegistryWorld
    init() throws { world = try RegistryWorld() }

    /// Hands out the device key and keeps the receipts it is given.
    final class Provider: HeartbeatSnapshotProvider {
        let key: DeviceKey
        let receipts = Mutex<[HeartbeatReceipt]>([])
        init(key: DeviceKey) { self.key = key }

        func heartbeatSnapshot() async -> HeartbeatSnapshot {
            var snapshot = Fixtures.snapshot
            snapshot.deviceKey = key.publicKey.base64
            return snapshot
        }

        func receiptArrived(_ receipt: HeartbeatReceipt) { receipts.withLock { $0.append(receipt) } }
    }

    @Test func everyBatchIsSignedOverItsExactBodyAndChallengesReachTheAgent() async throws {
        let server = try world.startServer()
        let key = try DeviceKey.loadOrCreate(path: world.folder.file("state/device-key"))
        let mode =
            try FileManager.default.attributesOfItem(atPath: world.folder.file("state/device-key"))[.posixPermissions]
            as? Int
        #expect(mode == 0o600)
        let challenge =
            #"{"accepted":1,"duplicates":0,"highest_sequence":1,"server_time":"2026-12-05T10:00:00Z","challenges":[{"id":"ch-1","camera":"entrance","day":"2026-12-01","segment_index":3,"chunk_nonce":4000000000,"expires_at":"2026-12-05T11:00:00Z"}]}"#
        try server.enqueue(status: 200, headers: ["Content-Type": "application/json"], body: challenge)
        let provider = Provider(key: key)
        var client = RegistryClient(
            registry: world.registry(url: server.baseURL + "/api/v1/heartbeats"), timeouts: ServiceRunner.quickTimeouts,
            agentVersion: "test")
        client.signer = { key.sign($0) }
        let registry = world.registry(url: server.baseURL + "/api/v1/heartbeats")
        let service = HeartbeatService(
            configuration: .init(schoolID: Fixtures.school, agentVersion: "test", interval: .milliseconds(300)),
            outbox: try Outbox(configuration: .init(directory: registry.outbox)), client: client, provider: provider)
        let task = Task { try await service.run() }
        #expect(await waitUntil(timeout: 20) { server.storedSequences().count >= 2 })
        task.cancel()
        _ = await task.result

        let posts = server.requests().filter { $0.path == "/api/v1/heartbeats" }
        #expect(posts.count >= 2)
        for post in posts {
            let signature = try #require(post.header("Kuzet-Signature"))
            #expect(key.publicKey.isValidSignature(signature, for: Data(post.body.utf8)))
            #expect(!key.publicKey.isValidSignature(signature, for: Data((post.body + " ").utf8)))
        }
        #expect(server.storedBatches().flatMap { $0 }.allSatisfy { $0.deviceKey == key.publicKey.base64 })
        let challenges = provider.receipts.withLock { $0.compactMap(\.challenges).flatMap { $0 } }
        #expect(challenges.map(\.id) == ["ch-1"])
        #expect(challenges.first?.chunkNonce == 4_000_000_000)
        // The same key comes back after a restart.
        #expect(try DeviceKey.loadOrCreate(path: world.folder.file("state/device-key")).publicKey == key.publicKey)
    }
}
