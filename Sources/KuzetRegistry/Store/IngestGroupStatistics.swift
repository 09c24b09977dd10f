/// How a store's group writer has done so far (for tests and the benchmark).
public struct IngestGroupStatistics: Sendable, Equatable {
    /// Groups this store writes at the same time.
    public var writers = 0
    /// Transactions started for groups (a failed group's one-by-one retries count too).
    public var groups = 0
    /// Requests answered.
    public var requests = 0
    /// The most requests one transaction carried.
    public var largestGroup = 0
    /// Groups whose transaction failed and whose requests were written again one per transaction.
    public var splitGroups = 0
    /// Time spent writing groups (transactions and their retries), summed over the writers.
    public var writingSeconds = 0.0
    /// Requests waiting for a writer right now.
    public var waiting = 0
    /// Requests in groups being written right now.
    public var writing = 0

    public init() {}
}
