import Foundation
import KuzetCore

extension DashboardPages {
    /// Issue 21: the school's facts rows for the device key and the last proof of retention.
    func retentionProofFacts(_ schoolID: String) async throws -> String {
        guard let summary = try await registry.retentionProofSummary(schoolID: schoolID) else {
            return "<dt>\(text.html("proof.proven"))</dt><dd id=\"retention-proof\">\(text.html("proof.no_key"))</dd>\n"
        }
        let proven =
            summary.proven_at.map { at in
                text.html(
                    "proof.proven_detail",
                    ["time": HTML.date(at, text), "day": HTML.escape(summary.proven_back_to ?? "—")])
            } ?? text.html("proof.never")
        let key = summary.device_key_fingerprint.map { "<code>\(HTML.escape(String($0.prefix(16))))…</code>" } ?? "—"
        return """
            <dt>\(text.html("proof.proven"))</dt><dd id="retention-proof">\(proven)</dd>
            <dt>\(text.html("proof.key"))</dt><dd id="device-key">\(key)</dd>

            """
    }
}
