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

/// A registry over a fresh store, served on a real loopback socket, with a hand-moved clock.
struct TestRegistry: Sendable {
    let store: any RegistryStore
    let clock: ManualNow
    let client: any TestClientProtocol
    let info: StoreLocationInfo

    /// Registers `school` and returns a new school token for it.
    func schoolToken(_ school: String, name: String? = nil, region: String? = nil) async throws -> String {
        try await store.register(SchoolRegistration(id: school, name: name, region: region), at: clock.date)
        return try await token(Principal(role: .school, schoolID: school))
    }

    func token(_ principal: Principal) async throws -> String {
        let token = AccessToken.generate(role: principal.role)
        try await store.insert(StoredToken(hash: AccessToken.hash(token), principal: principal, createdAt: clock.date))
        return token
    }

    func post(_ body: Data, token: String?, contentType: String = "application/json") async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: contentType]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(
            uri: "/api/v1/heartbeats", method: .post, headers: headers, body: ByteBuffer(bytes: body))
    }

    func get(_ uri: String, token: String?, headers extra: HTTPFields = [:]) async throws -> TestResponse {
        var headers = extra
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await client.execute(uri: uri, method: .get, headers: headers)
    }

    func getJSON(_ uri: String, token: String?) async throws -> [String: Any] {
        let response = try await get(uri, token: token)
        guard response.status == .ok else {
            throw TestKitError("GET \(uri): \(response.status) \(String(buffer: response.body))")
        }
        return try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any] ?? [:]
    }
}

/// Runs `body` against a live registry over a fresh store of `kind`.
func withRegistry<T: Sendable>(
    _ kind: StoreKind, policy: FlagPolicy = FlagPolicy(), maximumBodyBytes: Int = 1 << 20, fastIngest: Bool = true,
    tokenCheckInterval: TimeInterval = 2, historyRowsPerHour: Int = Registry.defaultHistoryRowsPerHour,
    historyBytesPerHour: Int = Registry.defaultHistoryBytesPerHour,
    configure: @Sendable @escaping (inout Registry) -> Void = { _ in },
    _ body: @Sendable @escaping (TestRegistry) async throws -> T
) async throws -> T {
    try await withStore(kind) { store, info in
        let clock = ManualNow()
        var registry = Registry(
            store: store, policy: policy, now: clock.now, maximumBodyBytes: maximumBodyBytes,
            tokenCheckInterval: tokenCheckInterval,
            historyRowsPerHour: historyRowsPerHour, historyBytesPerHour: historyBytesPerHour)
        configure(&registry)
        var server = RegistryServer(registry: registry, host: "127.0.0.1", port: 0)
        server.fastIngest = fastIngest
        let application = try server.application()
        return try await application.test(.live) { client in
            try await body(TestRegistry(store: store, clock: clock, client: client, info: info))
        }
    }
}

extension TestResponse {
    var json: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any]) ?? [:]
    }
    var text: String { String(buffer: body) }
}
