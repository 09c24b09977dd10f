import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetCurl
import KuzetRetention

/// The parts of `kuzet-agent check` beyond storage: the live-push budget towards the ЦОУ, and
/// whether the registry answers and our clock agrees with its clock.
public enum BoxChecks {
    public struct Result: Sendable, Codable, Equatable {
        public var compliant: Bool
        public var lines: [String]
    }

    /// Measures every pushed stream and refuses a configuration whose live pushes need more than
    /// `centre.max_kbps` (the school's uplink is small: only key cameras go live).
    public static func centreBudget(_ configuration: AgentConfiguration, probe: StorageCheck.RateProbe) async -> Result?
    {
        guard let centre = configuration.centre, centre.push != nil else { return nil }
        let pushed = configuration.cameras.compactMap { camera in camera.push.map { (camera, $0) } }
        guard !pushed.isEmpty else {
            return Result(
                compliant: true, lines: ["centre: no camera is pushed live (set `push: sub` on the key cameras)"])
        }
        var total = 0.0
        var lines: [String] = []
        var unmeasured: [String] = []
        for (camera, stream) in pushed {
            switch await probe(camera, stream) {
            case .success(let kbps):
                total += kbps
                lines.append(String(format: "  %@ (%@ stream): %.0f kbit/s", camera.id, stream.rawValue, kbps))
            case .failure(let failure):
                unmeasured.append(camera.id)
                lines.append("  \(camera.id) (\(stream.rawValue) stream): not measured — \(failure.reason)")
            }
        }
        let within = total <= Double(centre.maxKbps)
        let head =
            within
            ? String(
                format: "centre: live pushes need %.0f kbit/s of centre.max_kbps %d — within budget", total,
                centre.maxKbps)
            : String(
                format:
                    "centre: live pushes need %.0f kbit/s but centre.max_kbps is %d — push fewer cameras, or `push: sub` instead of main",
                total, centre.maxKbps)
        var result = Result(compliant: within && unmeasured.isEmpty, lines: [head] + lines)
        if !unmeasured.isEmpty {
            result.lines.append(
                "centre: \(unmeasured.joined(separator: ", ")) not measured — check the cameras, then run check again")
        }
        return result
    }

    /// A client for the registry's `/healthz` (beside `registry.url`, with its TLS settings) and that
    /// URL; nil when no registry is configured or its URL does not parse.
    static func healthz(_ configuration: AgentConfiguration) -> (HTTPClient, String)? {
        guard let registry = configuration.registry, var components = URLComponents(string: registry.url) else {
            return nil
        }
        components.path = "/healthz"
        components.query = nil
        guard let url = components.string else { return nil }
        let client = HTTPClient(
            configuration: .init(
                tls: TLSConfiguration(
                    caFile: registry.caFile, clientCertificate: registry.clientCert, clientKey: registry.clientKey),
                timeouts: HTTPTimeouts(connect: .seconds(5), total: .seconds(10))))
        return (client, url)
    }

    /// Asks the registry (`/healthz` beside `registry.url`) and compares its `Date` with our clock.
    public static func registry(_ configuration: AgentConfiguration, maximumSkewSeconds: Double = 60) async -> Result? {
        guard let (client, url) = healthz(configuration) else { return nil }
        let before = Date()
        do {
            let response = try await client.perform(HTTPRequest(method: .get, url: url))
            let after = Date()
            guard (200..<500).contains(response.status) else {
                return Result(
                    compliant: false, lines: ["registry: \(url) answered HTTP \(response.status) — check registry.url"])
            }
            var lines = ["registry: reachable (\(url), HTTP \(response.status))"]
            var compliant = true
            if let header = response.header("Date"), let theirs = Self.httpDate().date(from: header) {
                let ours = before.addingTimeInterval(after.timeIntervalSince(before) / 2)
                let skew = ours.timeIntervalSince(theirs)
                if abs(skew) > maximumSkewSeconds {
                    compliant = false
                    lines.append(
                        String(
                            format:
                                "clock: %.0f s off the registry's clock — enable NTP (timedatectl set-ntp true); footage is named by this clock",
                            skew))
                } else {
                    lines.append(String(format: "clock: within %.0f s of the registry's clock", max(abs(skew), 1)))
                }
            }
            return Result(compliant: compliant, lines: lines)
        } catch {
            return Result(
                compliant: false, lines: ["registry: \(error) — check registry.url, the network and registry.ca_file"])
        }
    }

    static func httpDate() -> DateFormatter {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss zzz"
        return formatter
    }
}
