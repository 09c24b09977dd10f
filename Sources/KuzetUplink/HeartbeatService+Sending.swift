import Foundation
import KuzetProtocol
import Logging
import Metrics

extension HeartbeatService {
    /// About how much heartbeat JSON goes into one POST (the registry takes 1 MiB by default).
    static let batchBytes = 512 << 10

    /// Drains the outbox in order. Logs when delivery starts failing, when the reason changes,
    /// and when it recovers — not every retry.
    func sendLoop() async {
        var backoff = Backoff(initial: configuration.backoffInitial, cap: configuration.backoffCap)
        var batchLimit = configuration.batchLimit
        var failing: String?
        var wakeIterator = wakeups.makeAsyncIterator()
        while !Task.isCancelled {
            let batch = outbox.pending(limit: batchLimit, maxBytes: Self.batchBytes)
            guard let first = batch.first, let last = batch.last else {
                guard await wakeIterator.next() != nil else { return }
                continue
            }
            let outcome = await client.send(batch)
            // A delivered batch is acknowledged even during shutdown (so it is not sent again);
            // for anything else, shutdown wins.
            if Task.isCancelled && !outcome.isDelivered { return }
            switch outcome {
            case .delivered(let receipt):
                do {
                    try await acknowledge(batch, receipt: receipt)
                } catch {
                    // Nothing is lost (the journal still has the batch); it may be sent again.
                    logger.error("Delivered heartbeats could not be marked as delivered: \(error)")
                    do { try await sleep(backoff.next()) } catch { return }
                    continue
                }
                backoff.reset()
                if batchLimit == 1 && batch.count == 1 && configuration.batchLimit > 1 { batchLimit = configuration.batchLimit }
                if failing != nil {
                    logger.info(
                        "Registry reachable again: delivering queued heartbeats",
                        metadata: ["uplink.queued": "\(outbox.count)", "uplink.sequence": "\(last.sequence)"])
                    failing = nil
                }
                statusBox.update {
                    $0.lastDelivery = now()
                    $0.problem = nil
                    $0.consecutiveFailures = 0
                }
            case .refused(let status, let reason):
                failureCounter.increment()
                if batch.count > 1 {
                    logger.warning(
                        "Registry refused a batch; sending one heartbeat at a time to find the one it refuses",
                        metadata: ["http.status": "\(status)", "uplink.first_sequence": "\(first.sequence)", "uplink.count": "\(batch.count)"])
                    batchLimit = 1
                    continue
                }
                do {
                    try await BlockingIO.run { [outbox] in try outbox.park(batch, reason: reason) }
                    parkedCounter.increment(by: batch.count)
                    statusBox.update { $0.parked += batch.count }
                    logger.error(
                        "Registry refused a heartbeat; it is set aside in the outbox's parked/ folder and the rest continue. \(reason)",
                        metadata: ["http.status": "\(status)", "uplink.sequence": "\(first.sequence)"])
                } catch {
                    logger.error("A refused heartbeat could not be set aside: \(error)")
                    do { try await sleep(backoff.next()) } catch { return }
                }
            case .retry(let reason, let retryAfter):
                failureCounter.increment()
                let delay = backoff.next(retryAfter: retryAfter)
                if failing != reason {
                    logger.warning(
                        "Heartbeats not delivered, retrying with backoff: \(reason)",
                        metadata: [
                            "uplink.queued": "\(outbox.count)", "uplink.retry_in_ms": "\(delay.milliseconds)",
                            "uplink.retry_after_s": "\(retryAfter.map { "\($0.components.seconds)" } ?? "-")",
                        ])
                    failing = reason
                } else {
                    logger.debug("Retrying", metadata: ["uplink.retry_in_ms": "\(delay.milliseconds)", "uplink.failures": "\(backoff.failures)"])
                }
                statusBox.update {
                    $0.problem = reason
                    $0.consecutiveFailures = backoff.failures
                }
                do { try await sleep(delay) } catch { return }
            }
        }
    }

    func acknowledge(_ batch: [OutboxEntry], receipt: HeartbeatReceipt?) async throws {
        guard let last = batch.last else { return }
        let outbox = outbox
        try await BlockingIO.run { try outbox.acknowledge(through: last.sequence) }
        deliveredCounter.increment(by: batch.count)
        queuedGauge.record(outbox.count)
        logger.debug(
            "Heartbeats delivered",
            metadata: [
                "uplink.first_sequence": "\(batch[0].sequence)", "uplink.last_sequence": "\(last.sequence)",
                "registry.accepted": "\(receipt.map { "\($0.accepted)" } ?? "-")", "registry.duplicates": "\(receipt.map { "\($0.duplicates)" } ?? "-")",
            ])
        guard let receipt else { return }
        if receipt.duplicates > 0 {
            logger.info("Registry already had some of these heartbeats (not counted twice)", metadata: ["uplink.duplicates": "\(receipt.duplicates)"])
        }
        if receipt.highestSequence >= outbox.nextSequence {
            // The registry knows later heartbeats than this outbox (its folder was lost or
            // replaced): continue above them, or new heartbeats would be taken as duplicates.
            let next = receipt.highestSequence + 1
            try await BlockingIO.run { try outbox.advanceSequence(toAtLeast: next) }
            logger.warning("Registry holds higher sequences than the outbox; continuing from there", metadata: ["uplink.next_sequence": "\(next)"])
        }
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
