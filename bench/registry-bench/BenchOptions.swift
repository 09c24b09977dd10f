import Foundation

struct BenchOptions {
    var postgresURL: String?
    var heartbeats = 30_000
    /// Concurrent clients of the run in progress (one of `connectionCounts`).
    var connections = 64
    /// Each ingest is measured with each of these many concurrent clients.
    var connectionCounts = [16, 64]
    var batches = [1, 20]
    /// Which stores to measure (PostgreSQL only when a URL is given).
    var stores: [BenchStore] = [.sqlite, .postgres]
    /// Each ingest is measured this many times; the median counts (this machine's speed drifts).
    var repeats = 1
    /// Open-loop fleet runs: the rates (heartbeats per second) 1,000 agents offer together.
    var fleetRates: [Double] = [5_000]
    /// Skip the report-latency part.
    var skipReport = false
    /// False: heartbeats go through the router, as before `HeartbeatFastPath` (for comparison).
    var fastIngest = true
    var reportSchools = 10_000
    var reportCameras = 30
    var reportRequests = 300

    init(arguments: [String]) {
        var iterator = arguments.makeIterator()
        while let argument = iterator.next() {
            switch argument {
            case "--postgres": postgresURL = iterator.next()
            case "--heartbeats": heartbeats = Int(iterator.next() ?? "") ?? heartbeats
            case "--connections":
                connectionCounts = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--batch": batches = (iterator.next() ?? "").split(separator: ",").compactMap { Int($0) }
            case "--stores":
                stores = (iterator.next() ?? "").split(separator: ",").compactMap { BenchStore(rawValue: String($0)) }
            case "--no-report": skipReport = true
            case "--router-ingest": fastIngest = false
            case "--fleet": fleetRates = (iterator.next() ?? "").split(separator: ",").compactMap { Double($0) }
            case "--no-fleet": fleetRates = []
            case "--repeat": repeats = max(1, Int(iterator.next() ?? "") ?? repeats)
            case "--report-schools": reportSchools = Int(iterator.next() ?? "") ?? reportSchools
            case "--report-requests": reportRequests = Int(iterator.next() ?? "") ?? reportRequests
            default:
                FileHandle.standardError.write(
                    Data("kuzet-registry-bench: unknown option \(argument) — see bench/registry-bench.sh\n".utf8))
                exit(2)
            }
        }
    }
}

enum BenchStore: String { case sqlite, postgres }
