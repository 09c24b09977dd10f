import Foundation
import KuzetCore
import KuzetProtocol
import Logging
import Metrics

extension HeartbeatService {
    /// About how much heartbeat JSON goes into one POST (the registry takes 1 MiB by default).
    static let batchBytes = 512 << 10

    /// What the sender loop carries from one attempt to the next.
    struct SendState {
        var backoff: Backoff
        var batchLimit: Int
        /// The reason delivery is failing, while it fails (logged when it changes, not per retry).
        var failing: String?
    }

    /// Drains the outbox in order. Logs when delivery starts failing, when the reason changes,
    /// and when it recovers — not every retry.
    func sendLoop() async {
        var state = SendState(
            backoff: Backoff(initial: configuration.backoffInitial, cap: configuration.backoffCap),
            batchLimit: configuration.batchLimit)
        var wakeIterator = wakeups.makeAsyncIterator()
        while !Task.isCancelled {
            let batch = outbox.pending(limit: state.batchLimit, maxBytes: Self.batchBytes)
            guard let first = batch.first else {
                guard await wakeIterator.next() != nil else { return }
                continue
            }
            let outcome = await client.send(batch)
            // A delivered batch is acknowledged even during shutdown (so it is not sent again);
            // for anything else, shutdown wins.
            if Task.isCancelled && !outcome.isDelivered { return }
            switch outcome {
            case .delivered(let receipt):
                guard await delivered(batch, receipt: receipt, state: &state) else { return }
            case .refused(let status, _) where batch.count > 1:
                failureCounter.increment()
                logger.warning(
                    "Registry refused a batch; sending one heartbeat at a time to find the one it refuses",
                    metadata: [
                        "http.status": "\(status)", "uplink.first_sequence": "\(first.sequence)",
                        "uplink.count": "\(batch.count)",
                    ])
                state.batchLimit = 1
            case .refused(let status, let reason):
                failureCounter.increment()
                guard await refusedAlone(first, status: status, reason: reason, state: &state) else { return }
            case .retry(let reason, let retryAfter):
                failureCounter.increment()
                guard await holdOff(reason: reason, retryAfter: retryAfter, level: .warning, state: &state) else {
                    return
                }
            }
        }
    }

    /// Acknowledges a delivered batch; false when shutting down.
    func delivered(_ batch: [OutboxEntry], receipt: HeartbeatReceipt?, state: inout SendState) async -> Bool {
        do {
            try await acknowledge(batch, receipt: receipt)
        } catch {
            // Nothing is lost (the journal still has the batch); it may be sent again.
            logger.error("Delivered heartbeats could not be marked as delivered: \(error)")
            do { try await sleep(state.backoff.next()) } catch { return false }
            return true
        }
        state.backoff.reset()
        if state.batchLimit == 1 && batch.count == 1 { state.batchLimit = configuration.batchLimit }
        if state.failing != nil {
            logger.info(
                "Registry reachable again: delivering queued heartbeats",
                metadata: ["uplink.queued": "\(outbox.count)", "uplink.sequence": "\(batch.last?.sequence ?? 0)"])
            state.failing = nil
        }
        statusBox.update {
            $0.lastDelivery = now()
            $0.problem = nil
            $0.consecutiveFailures = 0
        }
        return true
    }

    /// One heartbeat refused on its own. Is it this heartbeat, or does the registry refuse
    /// everything (an agent/registry version mismatch, a registry bug)? The next heartbeat is
    /// sent alone to tell: if the registry takes it, the refused one is set aside under
    /// `parked/`; if not, nothing is set aside and everything waits, with backoff.
    /// Returns false when shutting down.
    func refusedAlone(_ refused: OutboxEntry, status: Int, reason: String, state: inout SendState) async -> Bool {
        guard let next = outbox.pending(limit: 2).dropFirst().first else {
            return await holdOff(
                reason: "\(reason) (waiting for the next heartbeat to tell whether only this one is refused)",
                retryAfter: nil, level: .error, state: &state)
        }
        let probe = await client.send([next])
        if Task.isCancelled && !probe.isDelivered { return false }
        switch probe {
        case .delivered(let receipt):
            do {
                try await BlockingWork.run("kuzet.uplink.io") { [outbox] in try outbox.park([refused], reason: reason) }
            } catch {
                logger.error("A refused heartbeat could not be set aside: \(error)")
                do { try await sleep(state.backoff.next()) } catch { return false }
                return true
            }
            parkedCounter.increment()
            statusBox.update { $0.parked += 1 }
            logger.error(
                "Registry refused one heartbeat but takes the next; the refused one is set aside in the outbox's parked/ folder. \(reason)",
                metadata: ["http.status": "\(status)", "uplink.sequence": "\(refused.sequence)"])
            return await delivered([next], receipt: receipt, state: &state)
        case .refused:
            return await holdOff(
                reason:
                    "\(reason) — the registry refuses every heartbeat, so none is set aside; check that agent and registry versions match",
                retryAfter: nil, level: .error, state: &state)
        case .retry(let probeReason, let retryAfter):
            return await holdOff(reason: probeReason, retryAfter: retryAfter, level: .warning, state: &state)
        }
    }

    /// Logs the failure if its reason is new, then waits the backoff. False when shutting down.
    func holdOff(reason: String, retryAfter: Duration?, level: Logger.Level, state: inout SendState) async -> Bool {
        let delay = state.backoff.next(retryAfter: retryAfter)
        if state.failing != reason {
            logger.log(
                level: level, "Heartbeats not delivered, retrying with backoff: \(reason)",
                metadata: [
                    "uplink.queued": "\(outbox.count)", "uplink.retry_in_ms": "\(delay.milliseconds)",
                    "uplink.retry_after_s": "\(retryAfter.map { "\($0.components.seconds)" } ?? "-")",
                ])
            state.failing = reason
        } else {
            logger.debug(
                "Retrying",
                metadata: [
                    "uplink.retry_in_ms": "\(delay.milliseconds)", "uplink.failures": "\(state.backoff.failures)",
                ])
        }
        let failures = state.backoff.failures
        statusBox.update {
            $0.problem = reason
            $0.consecutiveFailures = failures
        }
        do { try await sleep(delay) } catch { return false }
        return true
    }

    func acknowledge(_ batch: [OutboxEntry], receipt: HeartbeatReceipt?) async throws {
        guard let last = batch.last else { return }
        let outbox = outbox
        try await BlockingWork.run("kuzet.uplink.io") { try outbox.acknowledge(through: last.sequence) }
        deliveredCounter.increment(by: batch.count)
        queuedGauge.record(outbox.count)
        logger.debug(
            "Heartbeats delivered",
            metadata: [
                "uplink.first_sequence": "\(batch[0].sequence)", "uplink.last_sequence": "\(last.sequence)",
                "registry.accepted": "\(receipt.map { "\($0.accepted)" } ?? "-")",
                "registry.duplicates": "\(receipt.map { "\($0.duplicates)" } ?? "-")",
            ])
        guard let receipt else { return }
        provider.receiptArrived(receipt)
        if receipt.duplicates > 0 {
            logger.info(
                "Registry already had some of these heartbeats (not counted twice)",
                metadata: ["uplink.duplicates": "\(receipt.duplicates)"])
        }
        if receipt.highestSequence >= outbox.nextSequence {
            // The registry knows later heartbeats than this outbox (its folder was lost or
            // replaced): continue above them, or new heartbeats would be taken as duplicates.
            let next = receipt.highestSequence + 1
            try await BlockingWork.run("kuzet.uplink.io") { try outbox.advanceSequence(toAtLeast: next) }
            logger.warning(
                "Registry holds higher sequences than the outbox; continuing from there",
                metadata: ["uplink.next_sequence": "\(next)"])
        }
    }
}

extension Duration {
    var milliseconds: Int64 {
        let (seconds, attoseconds) = components
        return seconds * 1000 + attoseconds / 1_000_000_000_000_000
    }
}
