import Foundation
import KuzetCore
import KuzetTestKit
import Testing

@Suite struct ClockTrustMonitorTests {
    let clocks = SteppableClocks()

    @Test func anUnsynchronisedClockNobodyConfirmedIsNotTrusted() {
        let monitor = ClockTrustMonitor(sources: clocks.sources)
        let trust = monitor.trust
        #expect(!trust.trusted)
        #expect(!trust.synchronised)
        #expect(trust.reason?.contains("not synchronised") == true)
    }

    @Test func aClockTheKernelSaysIsSynchronisedIsTrusted() {
        clocks.kernel(KernelClockState(synchronised: true, maxErrorSeconds: 0.05))
        let trust = ClockTrustMonitor(sources: clocks.sources).trust
        #expect(trust.trusted && trust.synchronised && trust.reason == nil)
    }

    @Test func synchronisedWithAHugeMaximumErrorIsNotBelieved() {
        clocks.kernel(KernelClockState(synchronised: true, maxErrorSeconds: 16))
        #expect(!ClockTrustMonitor(sources: clocks.sources).trust.trusted)
    }

    @Test func theRegistrysAgreementTrustsTheClockUntilItSteps() {
        let monitor = ClockTrustMonitor(sources: clocks.sources)
        monitor.registryTime(clocks.wall.addingTimeInterval(-1.5), sentAt: clocks.wall, roundTripSeconds: 0.2)
        #expect(monitor.trust.trusted)
        #expect(abs((monitor.trust.offsetSeconds ?? 0) - 1.6) < 0.001)
        clocks.pass(30)
        #expect(monitor.trust.trusted, "drift-free time passing is no step")
        clocks.step(-3600)
        let trust = monitor.trust
        #expect(!trust.trusted)
        #expect(trust.lastStep.map { abs($0.seconds + 3600) < 0.001 } == true)
        #expect(trust.reason?.contains("stepped") == true)
    }

    @Test func theRegistryDisagreeingBeyondTheToleranceIsNotTrustedEvenWhenSynchronised() {
        clocks.kernel(KernelClockState(synchronised: true, maxErrorSeconds: 0.05))
        let monitor = ClockTrustMonitor(sources: clocks.sources)
        monitor.registryTime(clocks.wall.addingTimeInterval(-40 * 86_400), sentAt: clocks.wall, roundTripSeconds: 0.1)
        let trust = monitor.trust
        #expect(!trust.trusted)
        #expect(trust.reason?.contains("off the registry") == true)
    }

    @Test func stepsBackAndForwardAreSeenOnceEachAndSmallDriftIsNot() {
        let monitor = ClockTrustMonitor(sources: clocks.sources)
        clocks.pass(1)
        clocks.step(1.5) // within the 2 s tolerance
        #expect(monitor.sample() == nil)
        clocks.pass(1)
        clocks.step(-3600)
        let back = monitor.sample()
        clocks.pass(1)
        #expect(monitor.sample() == nil, "a step is reported once")
        clocks.step(86_400)
        let forward = monitor.sample()
        #expect(back.map { abs($0.seconds + 3600) < 0.001 } == true)
        #expect(forward.map { abs($0.seconds - 86_400) < 0.001 } == true)
        #expect(monitor.drainSteps().count == 2)
        #expect(monitor.drainSteps().isEmpty)
    }

    @Test func aStepWhileTheKernelSaysSynchronisedKeepsTrust() {
        // NTP stepping the clock at boot is the common, legitimate step.
        clocks.kernel(KernelClockState(synchronised: true, maxErrorSeconds: 0.1))
        let monitor = ClockTrustMonitor(sources: clocks.sources)
        clocks.step(-120)
        let trust = monitor.trust
        #expect(trust.trusted)
        #expect(trust.lastStep != nil)
    }

    @Test func theSystemsKernelStateCanBeRead() {
        let state = KernelClockState.read()
        #expect(state != nil)
        #expect((state?.maxErrorSeconds ?? -1) >= 0)
    }
}
