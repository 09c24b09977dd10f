import Foundation
import Logging
import ServiceLifecycle

/// Takes the `SchoolCensus` behind `/metrics`' school gauges every `interval` (`serve
/// --census-interval`), one at a time: a scrape never queries the store. A failed census is
/// counted (`kuzet_registry_database_errors_total{during="census"}`), logged once until one succeeds,
/// and the previous census stays shown (its timestamp says how old it is).
public struct SchoolCensusService: Service {
    public var registry: Registry
    public var interval: Duration
    public var regionLimit: Int
    var logger: Logger

    public init(
        registry: Registry, interval: Duration = .seconds(15), regionLimit: Int = SchoolCensus.defaultRegionLimit,
        logger: Logger = Logger(label: "kuzet.registry.census")
    ) {
        self.registry = registry
        self.interval = interval
        self.regionLimit = regionLimit
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            var failing = false
            while !Task.isCancelled {
                try await Task.sleep(for: interval)
                do {
                    try await takeCensus()
                    if failing { logger.info("census: counting the schools works again") }
                    failing = false
                } catch {
                    registry.metrics.databaseError(during: .census)
                    if !failing {
                        logger.error(
                            "census: counting the schools for /metrics failed — the last count stays shown; check the database",
                            metadata: ["error": "\(String(describing: error).prefix(300))"])
                    }
                    failing = true
                }
            }
        }
    }

    /// Counts the schools now and shows the count on `/metrics`.
    public func takeCensus() async throws {
        let started = ContinuousClock.now
        let census = try await SchoolCensus.take(
            from: registry.store, at: registry.now(), policy: registry.policy, regionLimit: regionLimit)
        registry.metrics.census.record(census, took: (ContinuousClock.now - started) / .seconds(1))
    }
}
