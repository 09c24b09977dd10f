/// Where a camera's footage was named while the wall clock was untrusted (see `ClockTrust`): its
/// names may be off by anything (the year 2000, 40 days ahead), so its age cannot be read from
/// them. Such footage is never deleted by age; disk pressure may still delete it.
///
/// Kept as ranges of segment starts (ms since 1970, as named), merged: a run of untrusted
/// segments is one range. At most ``maxRanges`` per camera; beyond that the newest range widens
/// to take the next start (more footage kept, never less), so memory and the ledger stay bounded.
struct UntrustedFootage: Sendable, Equatable, Codable {
    struct Range: Sendable, Equatable, Codable {
        var from: Int64
        var to: Int64
    }

    static let maxRanges = 256
    private(set) var ranges: [Range] = []

    /// Adds a segment start (named while untrusted). Starts that continue the newest range
    /// (within `joinMillis` after it) extend it.
    mutating func insert(_ start: Int64, joinMillis: Int64) {
        if let last = ranges.indices.last {
            if start >= ranges[last].from && start <= ranges[last].to + joinMillis {
                ranges[last].to = max(ranges[last].to, start)
                return
            }
            if ranges.count >= Self.maxRanges {
                ranges[last].from = min(ranges[last].from, start)
                ranges[last].to = max(ranges[last].to, start)
                return
            }
        }
        ranges.append(Range(from: start, to: start))
    }

    func contains(_ start: Int64) -> Bool {
        ranges.contains { $0.from <= start && start <= $0.to }
    }

    /// Forgets ranges that no segment still on disk falls in.
    mutating func prune(keeping isKept: (Range) -> Bool) {
        ranges.removeAll { !isKept($0) }
    }

    var isEmpty: Bool { ranges.isEmpty }
}
