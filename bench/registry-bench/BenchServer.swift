import Foundation
import Hummingbird
import KuzetRegistry
import Logging
import ServiceLifecycle

/// The registry server in this process on 127.0.0.1:0, over a fresh store.
enum BenchServer {
    static func with<T: Sendable>(
        _ location: DatabaseLocation, clock: (@Sendable () -> Date)? = nil,
        _ body: @Sendable @escaping (Registry, Int) async throws -> T
    ) async throws -> T {
        let logger = Logger(label: "bench")
        let (store, service) = try RegistryStores.open(location, logger: logger)
        // The bench sends far more per school than an agent: no history limit per school.
        let registry = Registry(
            store: store, now: clock ?? { Date() }, historyRowsPerHour: 1 << 40, historyBytesPerHour: 1 << 50,
            logger: logger)
        let ports = AsyncStream<Int>.makeStream()
        var server = RegistryServer(registry: registry, host: "127.0.0.1", port: 0, logger: logger)
        server.fastIngest = options.fastIngest
        let application =
            try server
            .application(services: service.map { [$0] } ?? []) { address in
                ports.continuation.yield(Int(address.split(separator: ":").last!)!)
            }
        let group = ServiceGroup(configuration: .init(services: [application], logger: logger))
        return try await withThrowingTaskGroup(of: T?.self) { tasks in
            tasks.addTask {
                try await group.run()
                return nil
            }
            var iterator = ports.stream.makeAsyncIterator()
            guard let port = await iterator.next() else { throw BenchError("server did not start") }
            try await store.migrate()
            let result = try await body(registry, port)
            await group.triggerGracefulShutdown()
            for try await value in tasks { if let value { return value } }
            return result
        }
    }
}
