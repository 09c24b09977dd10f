import Foundation
import KuzetCommitment
import KuzetSegmentStore
import Logging
import Synchronization

/// Journals do not grow without a limit: a camera-day's journal and signed root are removed once
/// nothing can ask for them any more. That is when all three hold:
/// - retention has deleted every segment of that camera and day (listed from the store now: a
///   journal removed while its day still has footage would make the next challenge on it
///   `missing`, a false RETENTION_UNPROVEN);
/// - the whole day is older than the retention the box claims (`retention.days`), so the
///   registry, which challenges only days after the camera's oldest footage, has stopped asking;
/// - its root was signed and handed to a heartbeat that reached the outbox (or the box has no
///   key and never signs, or the camera left the configuration before its day was signed): a root
///   still to send is never lost.
/// Checked at start and then once an hour, on the service's own thread; not while the wall clock
/// is untrusted (issue 26).
extension CommitmentService {
    /// Removes the journals (and roots) of spent days; returns how many camera-days were removed.
    @discardableResult
    func pruneSpentDays() -> Int {
        // While the clock is untrusted nothing is removed, and the next pass looks again.
        guard settings.clockTrusted() else { return 0 }
        let now = now()
        let due = state.withLock { state -> Bool in
            guard state.lastPrune.map({ now.timeIntervalSince($0) >= settings.pruneEvery || now < $0 }) ?? true
            else { return false }
            state.lastPrune = now
            return true
        }
        guard due else { return 0 }
        let keptMillis = Int64(settings.retentionDays + 1) * CommitmentService.dayMillis
        let nowMillis = CommitmentTime.milliseconds(now)
        var removed = 0
        for camera in journal.cameras() {
            // A recordings folder that is there but cannot be listed could hide footage: nothing goes.
            if store.hasFolder(camera: camera) && access(store.folder(camera: camera), R_OK | X_OK) != 0 { continue }
            let footageDays = Set(store.segments(camera: camera).map { CommitmentTime.day($0.start) })
            for day in journal.keptDays(camera: camera) {
                // A day starting at `start` is wholly older than the retention once now ≥ start + (days + 1) × 24 h.
                guard let start = CommitmentTime.parseDay(day), nowMillis - start >= keptMillis,
                    !footageDays.contains(day)
                else { continue }
                // Signed: its root must have reached the outbox. Not signed (signing failed) and
                // still signable: kept until it is, so its root reaches the registry.
                let signed = journal.signedDay(camera: camera, day: day)
                let delivered =
                    signed.map { $0.sent || $0.signature == nil }
                    ?? (!settings.cameras.contains(camera) || journal.entries(camera: camera, day: day).isEmpty)
                guard delivered else { continue }
                do {
                    try journal.remove(camera: camera, day: day)
                    removed += 1
                } catch {
                    logger.warning("commitments: \(error)")
                }
            }
            // A camera no longer configured leaves no empty folder behind (rmdir fails if it is not empty).
            if !settings.cameras.contains(camera) { rmdir(journal.folder(camera: camera)) }
        }
        if removed > 0 {
            logger.info(
                "commitments: removed the journals of days retention has emptied and no challenge can reach",
                metadata: ["days": "\(removed)", "retention.days": "\(settings.retentionDays)"])
        }
        return removed
    }
}
