import Foundation
import KuzetCommitment

extension Registry {
    /// The store's report with the issue-21 column: schools whose retention a challenge proved in
    /// the last 7 days, per region.
    func report(region: String?, at now: Date) async throws -> RegistryReport {
        var report = try await store.report(region: region, at: now, policy: policy)
        guard let proofs = retentionProofs.store else { return report }
        let proven = try await proofs.provenSchools(since: now.addingTimeInterval(-7 * 86_400))
        for index in report.regions.indices {
            let name = report.regions[index].region
            report.regions[index].retentionProven =
                proven.filter { ($0.key ?? UnknownRegion.name) == name }.reduce(0) { $0 + $1.value }
        }
        report.total.retentionProven = report.regions.reduce(0) { $0 + $1.retentionProven }
        return report
    }

    /// What `GET /api/v1/schools/{id}` and the school's page show of issue 21.
    func retentionProofSummary(schoolID: String) async throws -> RetentionProofSummary? {
        guard let store = retentionProofs.store else { return nil }
        let key = try await store.deviceKey(schoolID: schoolID)
        let proof = try await store.retentionProof(schoolID: schoolID)
        let open = try await store.openChallenges(schoolID: schoolID)
        guard key != nil || proof != nil else { return nil }
        return RetentionProofSummary(
            device_key: key?.key.base64, device_key_fingerprint: key?.key.fingerprint, key_pinned_at: key?.pinnedAt,
            rekey_requested_at: key?.rekeyRequestedAt, key_mismatch_reason: key?.mismatchReason,
            proven_at: proof?.provenAt, proven_back_to: proof?.provenBackTo?.description,
            unproven_since: proof?.unprovenSince, unproven_reason: proof?.unprovenReason,
            open_challenges: open.count)
    }
}

/// The issue-21 part of a school's detail (`retention_proof`).
struct RetentionProofSummary: Encodable, Sendable {
    var device_key: String?
    var device_key_fingerprint: String?
    var key_pinned_at: Date?
    var rekey_requested_at: Date?
    var key_mismatch_reason: String?
    /// When a challenge last proved retention, and the oldest day proven (in the last 7 days).
    var proven_at: Date?
    var proven_back_to: String?
    var unproven_since: Date?
    var unproven_reason: String?
    var open_challenges: Int
}
