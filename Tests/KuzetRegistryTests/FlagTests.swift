import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import NIOCore
import Testing

/// The flag rules on their own (no store, no HTTP).
@Suite("Flags")
struct FlagTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)
    let policy = FlagPolicy()

    func flags(_ sample: Sample) -> [SchoolFlag] {
        SchoolState.applying(sample.heartbeat(1, at: now), to: nil, skewSeconds: 0, policy: policy).flags.map(\.flag)
    }

    @Test("a healthy school has no flags")
    func healthy() { #expect(flags(Sample(schoolID: "A")).isEmpty) }

    @Test("a camera not recording raises NOT_RECORDING")
    func notRecording() {
        var sample = Sample(schoolID: "A")
        sample.recording = .notRecording
        #expect(flags(sample) == [.notRecording])
    }

    @Test("a failing push raises NOT_DELIVERING")
    func failingPush() {
        var sample = Sample(schoolID: "A")
        sample.push = .failing
        #expect(flags(sample) == [.notDelivering])
    }

    @Test("no push and no relay client raises NOT_DELIVERING; a relay client clears it")
    func relay() {
        var sample = Sample(schoolID: "A")
        sample.push = .disabled
        #expect(flags(sample) == [.notDelivering])
        sample.relayClients = 1
        #expect(flags(sample).isEmpty)
    }

    @Test("12 days of retention raises RETENTION_BELOW_MINIMUM; 30 days does not")
    func retention() {
        var sample = Sample(schoolID: "A")
        sample.retentionDays = 12
        #expect(flags(sample) == [.retentionBelowMinimum])
        sample.retentionDays = 30
        #expect(flags(sample).isEmpty)
    }

    @Test("an agent-reported shortfall raises RETENTION_BELOW_MINIMUM since the agent's moment")
    func shortfall() {
        var sample = Sample(schoolID: "A")
        sample.shortfallSince = now.addingTimeInterval(-3600)
        let state = SchoolState.applying(sample.heartbeat(1, at: now), to: nil, skewSeconds: 0, policy: policy)
        #expect(state.flags.since(.retentionBelowMinimum) == now.addingTimeInterval(-3600))
    }

    @Test("disk pressure raises DISK_PRESSURE")
    func diskPressure() {
        var sample = Sample(schoolID: "A")
        sample.diskPressure = true
        #expect(flags(sample) == [.diskPressure])
    }

    @Test("clock skew within the threshold is fine, beyond it raises CLOCK_SKEW")
    func skew() {
        let heartbeat = Sample(schoolID: "A").heartbeat(1, at: now)
        #expect(SchoolState.applying(heartbeat, to: nil, skewSeconds: -119, policy: policy).flags.isEmpty)
        #expect(
            SchoolState.applying(heartbeat, to: nil, skewSeconds: -121, policy: policy).flags.map(\.flag) == [
                .clockSkew
            ])
    }

    @Test("an agent that says its clock is untrusted raises CLOCK_UNTRUSTED; trusted or silent (older agents) does not")
    func clockUntrusted() {
        var heartbeat = Sample(schoolID: "A").heartbeat(1, at: now)
        #expect(SchoolState.applying(heartbeat, to: nil, skewSeconds: 0, policy: policy).flags.isEmpty)
        heartbeat.clock = ClockReport(trusted: true, synchronised: true)
        #expect(SchoolState.applying(heartbeat, to: nil, skewSeconds: 0, policy: policy).flags.isEmpty)
        heartbeat.clock = ClockReport(trusted: false, synchronised: false, lastStepSeconds: 3_456_000)
        #expect(
            SchoolState.applying(heartbeat, to: nil, skewSeconds: 0, policy: policy).flags.map(\.flag) == [
                .clockUntrusted
            ])
    }

    @Test("a school that never reported is OFFLINE since its registration and not compliant")
    func neverReported() {
        let record = SchoolRecord(id: "A", name: nil, region: nil, registeredAt: now, lastContactAt: nil, state: nil)
        #expect(record.flags(at: now, policy: policy) == [FlagMark(flag: .offline, since: now)])
        #expect(!record.isRetentionCompliant)
    }

    @Test("percentages round to one decimal")
    func percentages() {
        let counts = RegionCounts(region: "R", schools: 80, online: 69, delivering: 61, retentionCompliant: 66)
        #expect(counts.percent(69) == 86.3)
        #expect(counts.percent(61) == 76.3)
        #expect(RegionCounts(region: "R", schools: 0, online: 0, delivering: 0, retentionCompliant: 0).percent(0) == 0)
    }
}
