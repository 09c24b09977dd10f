import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetCurl

extension BoxChecks {
    /// The clock part of `check`: synchronised by NTP or not, its offset against the registry's
    /// `Date`, and whether the agent will trust it (``ClockTrust``). A box whose clock is not
    /// trusted is not compliant: it would keep footage past `retention.days` (nothing is deleted
    /// by age on untrusted time) and name footage by a clock nobody can vouch for.
    public static func clock(
        _ configuration: AgentConfiguration, monitor: ClockTrustMonitor = ClockTrustMonitor()
    ) async -> Result {
        if let answer = await registryTime(configuration, now: { monitor.wallNow }) {
            monitor.registryTime(answer.server, sentAt: answer.sentAt, roundTripSeconds: answer.roundTrip)
        }
        return clock(monitor.trust, tolerances: monitor.tolerances, registryConfigured: configuration.registry != nil)
    }

    /// The report for a trust already decided.
    public static func clock(_ trust: ClockTrust, tolerances: ClockTrust.Tolerances, registryConfigured: Bool)
        -> Result
    {
        var lines: [String] = []
        lines.append(
            trust.synchronised
                ? "clock: synchronised by NTP"
                : "clock: not synchronised by NTP — enable it (timedatectl set-ntp true, or chrony)")
        if let offset = trust.offsetSeconds {
            lines.append(
                String(
                    format: "clock: %+.1f s against the registry's clock (agreement within %.0f s)", offset,
                    tolerances.agreementSeconds))
        } else {
            lines.append(
                registryConfigured
                    ? "clock: the registry's time could not be read — see the registry line"
                    : "clock: no registry configured to compare with")
        }
        if let reason = trust.reason {
            lines.append(
                "clock: NOT trusted — \(reason); footage would not be deleted by age — enable NTP or make the registry reachable, then run check again"
            )
        } else {
            lines.append("clock: trusted — footage is named and deleted by age on this clock")
        }
        return Result(compliant: trust.trusted, lines: lines)
    }

    /// The registry's `Date` from `/healthz` beside `registry.url`, with when we asked and the round trip.
    static func registryTime(_ configuration: AgentConfiguration, now: () -> Date) async -> (
        server: Date, sentAt: Date, roundTrip: Double
    )? {
        guard let (client, url) = healthz(configuration) else { return nil }
        let sentAt = now()
        let started = MonotonicInstant.now()
        guard let response = try? await client.perform(HTTPRequest(method: .get, url: url)),
            let header = response.header("Date"), let server = httpDate().date(from: header)
        else { return nil }
        return (server, sentAt, started.elapsedSeconds)
    }
}
