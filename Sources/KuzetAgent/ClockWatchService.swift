import Foundation
import KuzetCore
import KuzetProtocol
import Logging
import ServiceLifecycle

/// Samples the wall clock against the monotonic clock once a second (``ClockTrustMonitor``):
/// each step is logged once and becomes a `clock_step` event; trust lost or regained is logged once.
struct ClockWatchService: Service {
    let monitor: ClockTrustMonitor
    /// Where events go for the heartbeat; nil without a registry (nobody would drain them).
    let events: AgentEvents?
    /// Called after a step: the heartbeat service sends a heartbeat soon.
    let changed: @Sendable () -> Void
    let logger: Logger

    func run() async throws {
        // Cancelled at graceful shutdown: a sleep must not hold the agent's stop.
        await cancelWhenGracefulShutdown { await watch() }
    }

    private func watch() async {
        var trusted = monitor.trust.trusted
        log(trust: monitor.trust, first: true)
        while !Task.isCancelled {
            guard (try? await Task.sleep(for: .seconds(1))) != nil else { return }
            let steps = monitor.drainSteps()
            for step in steps {
                let event = Self.event(for: step)
                events?.append(event)
                logger.warning(
                    "\(event.message)",
                    metadata: [
                        "clock.step_seconds": "\(Int(step.seconds.rounded()))", "event": "\(event.kind.rawValue)",
                    ])
            }
            let trust = monitor.trust
            if trust.trusted != trusted {
                trusted = trust.trusted
                log(trust: trust, first: false)
            }
            if !steps.isEmpty { changed() }
        }
    }

    private func log(trust: ClockTrust, first: Bool) {
        if let reason = trust.reason {
            logger.warning(
                "clock not trusted: \(reason) — footage is not deleted by age until it is; enable NTP (timedatectl set-ntp true) or make the registry reachable"
            )
        } else if !first {
            logger.notice("clock trusted again: footage is deleted by age as usual")
        }
    }

    static func event(for step: ClockStep) -> AgentEvent {
        let direction = step.seconds > 0 ? "forward" : "back"
        return AgentEvent(
            at: step.at, kind: .clockStep,
            message: String(
                format:
                    "the wall clock stepped %@ by %.0f s; footage is not deleted by age until the time is confirmed",
                direction, abs(step.seconds)))
    }
}
