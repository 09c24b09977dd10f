import Foundation
import Logging

/// One channel of a DVR/NVR/encoder found by RTSP probing.
public struct ProbedChannel: Sendable, Equatable {
    public var vendor: String
    public var channel: Int
    public var mainURL: String
    public var subURL: String?
    public var main: StreamDescription.Media?
    public var sub: StreamDescription.Media?
    public var embedsCredentials: Bool
}

/// Finds the streams of devices that speak no ONVIF: DESCRIBE the vendors' URL patterns for
/// channel 1, and on a hit walk channels 2, 3, … until one stops answering 200.
public struct RTSPProber: Sendable {
    public var credentials: DeviceCredentials?
    public var patterns: [VendorPattern]
    public var maxChannels: Int
    public var limits: ExchangeLimits
    /// Whether RTSP Basic may be answered (`--allow-plaintext-auth`).
    public var allowPlaintextAuth: Bool
    var logger = Logger(label: "kuzet.discovery")

    public init(
        credentials: DeviceCredentials?, patterns: [VendorPattern] = VendorPattern.all, maxChannels: Int = 64,
        limits: ExchangeLimits = ExchangeLimits(timeout: 4, maxBytes: 256 * 1024), allowPlaintextAuth: Bool = false
    ) {
        self.credentials = credentials
        self.patterns = patterns
        self.maxChannels = maxChannels
        self.limits = limits
        self.allowPlaintextAuth = allowPlaintextAuth
    }

    /// The channels at `host:port`; empty when no pattern answers. Throws when the device
    /// refuses our credentials (every pattern would fail the same way).
    public func probe(host: String, port: Int = 554) async throws -> [ProbedChannel] {
        let client = RTSPClient(credentials: credentials, limits: limits, allowPlaintextAuth: allowPlaintextAuth)
        let base = "rtsp://\(host.contains(":") ? "[\(host)]" : host):\(port)"
        for pattern in patterns {
            let first: RTSPDescription
            do {
                first = try await client.describe(base + pattern.main(1, credentials))
            } catch let error as ExchangeError {
                if case .connect = error {
                    throw DiscoveryError(
                        where: base, what: "RTSP \(error)", fix: "check the address and that RTSP is on port \(port)")
                }
                continue
            }
            if first.status == 401 {
                throw DiscoveryError(
                    where: base, what: "RTSP 401 Unauthorized for \(pattern.vendor)-style paths",
                    fix: "check --username/--password for this device")
            }
            guard first.status == 200 else { continue }
            // A device that answers any path would "have" every channel: check a bogus one.
            if let bogus = try? await client.describe(base + pattern.main(maxChannels + 35, credentials)),
                bogus.status == 200
            {
                logger.debug(
                    "device answers any path; keeping channel 1 only",
                    metadata: ["device.host": "\(host)", "rtsp.vendor": "\(pattern.vendor)"])
                return [try await channel(1, pattern: pattern, base: base, client: client, main: first)]
            }
            var channels = [try await channel(1, pattern: pattern, base: base, client: client, main: first)]
            var number = 2
            while number <= maxChannels {
                guard let answer = try? await client.describe(base + pattern.main(number, credentials)),
                    answer.status == 200
                else { break }
                channels.append(try await channel(number, pattern: pattern, base: base, client: client, main: answer))
                number += 1
            }
            logger.debug(
                "RTSP channels found",
                metadata: [
                    "device.host": "\(host)", "rtsp.vendor": "\(pattern.vendor)", "rtsp.channels": "\(channels.count)",
                ])
            return channels
        }
        return []
    }

    private func channel(_ number: Int, pattern: VendorPattern, base: String, client: RTSPClient, main: RTSPDescription)
        async throws -> ProbedChannel
    {
        let subURL = base + pattern.sub(number, credentials)
        let sub = try? await client.describe(subURL)
        return ProbedChannel(
            vendor: pattern.vendor, channel: number, mainURL: base + pattern.main(number, credentials),
            subURL: sub?.status == 200 ? subURL : nil,
            main: main.session?.video, sub: sub?.status == 200 ? sub?.session?.video : nil,
            embedsCredentials: pattern.embedsCredentials)
    }
}
