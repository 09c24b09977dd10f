import Foundation
import KuzetTestKit
import Testing

/// The shipped systemd units keep both services to least privilege, as `systemd-analyze security`
/// scores it (0 = locked down, 10 = exposed); the target is 2.5 or lower.
@Suite struct SystemdUnitTests {
    static let units = ["kuzet-agent.service", "kuzet-registry.service"]
    static let deploy = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("deploy/systemd").path

    @Test(arguments: units)
    func exposureScoreIsAtMostTwoAndAHalf(unit: String) throws {
        let (status, output) = try run(
            "systemd-analyze", ["security", "--offline=true", "--no-pager", "\(Self.deploy)/\(unit)"], timeout: 30)
        let line = try #require(
            output.split(separator: "\n").first { $0.contains("Overall exposure level") }, "\(status): \(output)")
        // "→ Overall exposure level for kuzet-agent.service: 1.1 OK 🙂"
        let score = try #require(
            line.split(separator: ":").last?.split(separator: " ").first.flatMap { Double($0) }, "\(line)")
        #expect(score <= 2.5, "\(unit): \(line)")
    }

    @Test(arguments: units)
    func filesTheServiceCreatesAreNotWorldReadable(unit: String) throws {
        let text = try String(contentsOfFile: "\(Self.deploy)/\(unit)", encoding: .utf8)
        #expect(text.split(separator: "\n").contains("UMask=0027"))
        #expect(text.split(separator: "\n").contains("StateDirectoryMode=0750"))
    }
}
