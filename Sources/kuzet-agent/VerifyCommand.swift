import ArgumentParser
import Foundation
import KuzetCommitment
import KuzetCore

/// `kuzet-agent verify DIR [--key BASE64]`: offline check of an evidence folder. Exit 0 when
/// every segment is intact under day roots signed by the device key (and the key is the one
/// given); 1 when any segment is changed, not committed, or of the wrong camera or day, or the
/// key differs; 2 for bad usage.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Checks an evidence folder (export --evidence) offline: is each segment what the box committed to?")

    @Argument(help: "The evidence folder.") var directory: String
    @Option(
        help:
            "The device key the registry shows for the school (`kuzet-registry school key ID`), base64; without it only the proof's own key is used."
    ) var key: String?

    func run() throws {
        if let key, DevicePublicKey(base64: key) == nil {
            throw CommandFailure.usage(
                "--key: \"\(key.prefix(60))\" is not base64 of a 32-byte Ed25519 key — copy it from `kuzet-registry school key ID`"
            )
        }
        let report: EvidenceVerifier.Report
        do {
            report = try EvidenceVerifier.verify(directory: URL(fileURLWithPath: directory), expectedKey: key)
        } catch {
            throw CommandFailure.usage("verify: \(error)")
        }
        for finding in report.findings {
            print("\(finding.file): \(finding.verdict.rawValue) — \(finding.detail)")
        }
        if let problem = report.keyProblem { print("key: \(problem)") }
        let intact = report.findings.filter { $0.verdict == .intact }.count
        print("verify: \(intact) of \(report.findings.count) segment(s) intact")
        if !report.passed {
            throw CommandFailure(
                lines: ["verify: the evidence does not prove the footage untouched (see above)"], exitCode: 1)
        }
    }
}
