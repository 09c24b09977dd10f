import Foundation
import KuzetTestKit
import Testing

/// Paths and helpers shared by the discovery tests.
enum TestSupport {
    /// The repository root (two levels up from this file's folder).
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().path

    static func script(_ name: String) -> String { "\(root)/scripts/testing/\(name)" }

    static func fixture(_ path: String) -> String { "\(root)/Tests/KuzetDiscoveryTests/Fixtures/\(path)" }

    /// A Python that can `import wsdiscovery` (pip install wsdiscovery).
    static func pythonWithWSDiscovery() throws -> String {
        let candidates =
            (ProcessInfo.processInfo.environment["PATH"] ?? "").split(separator: ":").map { "\($0)/python3" } + [
                "/usr/bin/python3"
            ]
        for candidate in candidates where FileManager.default.isExecutableFile(atPath: candidate) {
            if let (status, _) = try? run(candidate, ["-c", "import wsdiscovery"], timeout: 20), status == 0 {
                return candidate
            }
        }
        throw TestKitError("no python3 with the wsdiscovery package — run `pip install wsdiscovery`")
    }

    /// Waits until `process` printed `marker` (its readiness line), or fails with its output.
    static func waitUntilReady(_ process: ExternalProcess, marker: String = "ready", timeout: Double = 20) throws {
        let ready = eventually(timeout: timeout) { process.output.contains(marker) || !process.isRunning }
        guard ready, process.isRunning else { throw TestKitError("\(process.name) did not start: \(process.output)") }
    }
}
