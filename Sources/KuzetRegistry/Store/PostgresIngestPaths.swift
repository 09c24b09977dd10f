import Synchronization

/// How many ingest groups a PostgreSQL store wrote each way (`PostgresRegistryStore.write`).
public struct PostgresIngestPaths: Sendable, Equatable {
    /// Groups written in one statement from the states this instance held.
    public var known = 0
    /// Groups where a held state was no longer the stored one, written again the general way.
    public var stale = 0

    public init(known: Int = 0, stale: Int = 0) {
        self.known = known
        self.stale = stale
    }
}

/// Counts `PostgresIngestPaths` across the store's writers.
final class PostgresIngestPathCounter: Sendable {
    private let paths = Mutex(PostgresIngestPaths())

    var value: PostgresIngestPaths { paths.withLock { $0 } }

    func count(known: Bool) {
        paths.withLock { paths in
            if known { paths.known += 1 } else { paths.stale += 1 }
        }
    }
}
