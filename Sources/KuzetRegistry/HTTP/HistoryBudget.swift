import Foundation
import HTTPTypes
import Logging
import Synchronization

/// How much history each school's token may add per hour (`serve --history-rows-per-hour`,
/// `--history-bytes-per-hour`): a bucket per school that refills evenly over the hour. A request
/// that does not fit is refused whole with 429 and `Retry-After` (when it would fit); the agent's
/// uplink keeps such heartbeats in its outbox and sends them then, so nothing is lost, and a stolen
/// token cannot fill the database faster than this.
///
/// Each instance keeps its own buckets: with several instances behind a balancer the limit is per
/// instance.
final class HistoryBudget: Sendable {
    let rowsPerHour: Int
    let bytesPerHour: Int

    private struct Bucket {
        var rows: Double
        var bytes: Double
        var at: Date
        /// When the school was last logged as over its limit (once an hour at most).
        var loggedAt: Date?
    }

    private let buckets = Mutex([String: Bucket]())

    init(rowsPerHour: Int, bytesPerHour: Int) {
        self.rowsPerHour = rowsPerHour
        self.bytesPerHour = bytesPerHour
    }

    /// Takes `rows` heartbeats of `bytes` from the school's bucket, or refuses (429, nothing taken).
    /// A request bigger than a whole hour's budget is charged a whole hour (so it can go through).
    func take(schoolID: String, rows: Int, bytes: Int, at date: Date, logger: Logger) throws(APIError) {
        let rowsNeeded = Double(min(rows, rowsPerHour))
        let bytesNeeded = Double(min(bytes, bytesPerHour))
        let rowsRate = Double(rowsPerHour) / 3600
        let bytesRate = Double(bytesPerHour) / 3600
        let wait: Double? = buckets.withLock { buckets in
            if buckets.count > 100_000 { forgetFull(&buckets, at: date) }
            var bucket = buckets[schoolID] ?? Bucket(rows: Double(rowsPerHour), bytes: Double(bytesPerHour), at: date)
            let elapsed = max(date.timeIntervalSince(bucket.at), 0)
            bucket.rows = min(Double(rowsPerHour), bucket.rows + elapsed * rowsRate)
            bucket.bytes = min(Double(bytesPerHour), bucket.bytes + elapsed * bytesRate)
            bucket.at = date
            defer { buckets[schoolID] = bucket }
            guard bucket.rows >= rowsNeeded, bucket.bytes >= bytesNeeded else {
                let wait = max((rowsNeeded - bucket.rows) / rowsRate, (bytesNeeded - bucket.bytes) / bytesRate, 1)
                if bucket.loggedAt.map({ date.timeIntervalSince($0) >= 3600 }) ?? true {
                    bucket.loggedAt = date
                    logger.warning(
                        "history: a school's heartbeats are over the hour's history limit — refused with 429 until the limit refills (logged once an hour)",
                        metadata: [
                            "school.id": "\(schoolID)", "registry.history.rows_per_hour": "\(rowsPerHour)",
                            "registry.history.bytes_per_hour": "\(bytesPerHour)",
                        ])
                }
                return wait
            }
            bucket.rows -= rowsNeeded
            bucket.bytes -= bytesNeeded
            return nil
        }
        guard let wait else { return }
        let seconds = Int(min(wait.rounded(.up), 3600))
        throw APIError(
            .tooManyRequests, code: "history_limit",
            message:
                "school_id: \(schoolID) sent more than \(rowsPerHour) heartbeats or \(bytesPerHour) bytes of history in the last hour — send again after \(seconds) s (Retry-After)",
            headers: [.retryAfter: "\(seconds)"])
    }

    /// Forgets the buckets that have refilled (they are as good as new).
    private func forgetFull(_ buckets: inout [String: Bucket], at date: Date) {
        buckets = buckets.filter { date.timeIntervalSince($0.value.at) < 3600 }
    }
}
