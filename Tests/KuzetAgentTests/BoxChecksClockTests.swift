import Foundation
import KuzetAgent
import KuzetConfiguration
import KuzetCore
import KuzetTestKit
import Testing

/// `check`'s clock part against the real `kuzet-registry`: trusted when the registry's `Date`
/// agrees, not compliant when the clock is 40 days ahead of it or nothing can confirm it.
@Suite(.serialized) struct BoxChecksClockTests {
    func configuration(registry: String?) throws -> AgentConfiguration {
        try AgentConfiguration.parse(
            yaml: """
                school: { id: KZ-1 }
                storage: { root: /tmp/kuzet-box-checks }
                \(registry.map { "registry: { url: \"\($0)\" }" } ?? "")
                cameras:
                  - { id: gate, url: "rtsp://10.0.0.5/main" }
                """)
    }

    func withRegistry(_ body: (String) async throws -> Void) async throws {
        let directory = try TemporaryDirectory()
        let registry = try ExternalProcess(
            try BuiltExecutable.path("kuzet-registry"),
            ["serve", "--database", "sqlite:\(directory.file("r.sqlite"))", "--listen", "127.0.0.1:0"])
        defer { registry.stop() }
        #expect(eventually(timeout: 20) { registry.output.contains("listening on http://") })
        let address = try #require(
            registry.output.split(separator: "\n").first { $0.contains("listening on http") }?.split(separator: " ")
                .last)
        try await body("\(address)/api/v1/heartbeats")
    }

    @Test func anUnsynchronisedClockTheRegistryConfirmsIsTrustedAndCompliant() async throws {
        try await withRegistry { url in
            let clocks = SteppableClocks(wall: Date())
            let result = await BoxChecks.clock(
                try configuration(registry: url), monitor: ClockTrustMonitor(sources: clocks.sources))
            #expect(result.compliant, "\(result.lines)")
            #expect(
                result.lines.contains(
                    "clock: not synchronised by NTP — enable it (timedatectl set-ntp true, or chrony)"))
            let offset = result.lines.first { $0.contains("s against the registry's clock") }
                .flatMap { Double($0.dropFirst("clock: ".count).prefix { $0 != " " }) }
            #expect(offset.map { abs($0) < 2 } == true, "\(result.lines)")
            #expect(result.lines.last?.hasPrefix("clock: trusted") == true)
        }
    }

    @Test func aClockFortyDaysAheadOfTheRegistryIsNotCompliantEvenWhenSynchronised() async throws {
        try await withRegistry { url in
            let clocks = SteppableClocks(wall: Date().addingTimeInterval(40 * 86_400))
            clocks.kernel(KernelClockState(synchronised: true, maxErrorSeconds: 0.01))
            let result = await BoxChecks.clock(
                try configuration(registry: url), monitor: ClockTrustMonitor(sources: clocks.sources))
            #expect(!result.compliant)
            #expect(result.lines.contains("clock: synchronised by NTP"))
            #expect(result.lines.contains { $0.hasPrefix("clock: +3456") }, "\(result.lines)")
            #expect(result.lines.last?.contains("NOT trusted — the clock is 3456") == true, "\(result.lines)")
        }
    }

    @Test func withoutNTPAndWithoutARegistryTheClockIsNotTrusted() async throws {
        let result = await BoxChecks.clock(
            try configuration(registry: nil), monitor: ClockTrustMonitor(sources: SteppableClocks().sources))
        #expect(!result.compliant)
        #expect(result.lines.contains("clock: no registry configured to compare with"))
        #expect(result.lines.last?.hasPrefix("clock: NOT trusted") == true)
    }
}
