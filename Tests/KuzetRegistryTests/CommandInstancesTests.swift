import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import KuzetCore
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import NIOCore
import Testing

/// Several registry instances on one database: a command issued on one reaches an agent whose
/// long-poll waits on another (`PendingCommandWatch`, once a second).
@Suite("Commands across instances", .serialized, .timeLimit(.minutes(3)))
struct CommandInstancesTests {
    @Test(
        "A command issued on instance A answers the poll waiting on instance B within the watch's second",
        arguments: StoreKind.allCases)
    func reachesOtherInstance(_ kind: StoreKind) async throws {
        try await withCommandRegistry(kind) { first in
            // Instance B: its own server, waiters and watch, over the same database.
            var second = Registry(store: first.base.store, now: first.base.clock.now)
            second.commandWaiters = CommandWaiters(maximum: 10)
            let watch = PendingCommandWatch(registry: second, interval: .seconds(1))
            let watching = Task { try await watch.run() }
            defer { watching.cancel() }
            let application = try RegistryServer(registry: second, host: "127.0.0.1", port: 0).application()
            try await application.test(.live) { client in
                let url = "http://127.0.0.1:\(client.port ?? 0)/api/v1/agent/commands?wait=20"
                let token = first.schoolToken
                async let polled = offPool {
                    try KuzetTestKit.run(
                        "curl", ["-sS", "--max-time", "30", "-H", "Authorization: Bearer \(token)", url], timeout: 35)
                }
                try await Task.sleep(for: .milliseconds(500))
                let issuedAt = ContinuousClock.now
                let id = try await first.issued(#"{"kind":"live","camera":"cam-1"}"#)
                let (status, body) = try await polled
                let took = ContinuousClock.now - issuedAt
                #expect(status == 0 && body.contains(id), "\(body)")
                #expect(took < .milliseconds(2500), "\(took)")
                print("command issued on instance A → poll on instance B answered (\(kind.rawValue)): \(took)")
            }
        }
    }
}
