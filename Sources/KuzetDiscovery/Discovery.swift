import Foundation
import Logging

/// What `kuzet-agent discover` was asked to do.
public struct DiscoveryOptions: Sendable {
    /// How long to collect WS-Discovery answers, in seconds.
    public var timeout: Double
    /// Only this interface for multicast (all multicast-capable IPv4 ones when nil).
    public var interface: String?
    public var multicast: Bool
    public var subnets: [SubnetRange]
    public var credentials: DeviceCredentials?
    public var scanner: SubnetScanner
    /// Where unicast Probes go (3702; tests may point elsewhere).
    public var wsDiscoveryPort: Int
    /// How many ONVIF devices are questioned at once.
    public var deviceParallelism: Int
    public var transport: any HTTPTransport
    /// Whether passwords may be sent in plain text (WS-Security PasswordText, HTTP or RTSP Basic)
    /// to a device that accepts nothing better; `--allow-plaintext-auth`. Off: only digests.
    public var allowPlaintextAuth: Bool

    public init(
        timeout: Double = 3, interface: String? = nil, multicast: Bool = true, subnets: [SubnetRange] = [],
        credentials: DeviceCredentials? = nil,
        scanner: SubnetScanner = SubnetScanner(), wsDiscoveryPort: Int = WSDiscoveryClient.port,
        deviceParallelism: Int = 8,
        transport: any HTTPTransport = CurlHTTPTransport(), allowPlaintextAuth: Bool = false
    ) {
        self.timeout = timeout
        self.interface = interface
        self.multicast = multicast
        self.subnets = subnets
        self.credentials = credentials
        self.scanner = scanner
        self.wsDiscoveryPort = wsDiscoveryPort
        self.deviceParallelism = deviceParallelism
        self.transport = transport
        self.allowPlaintextAuth = allowPlaintextAuth
    }
}

/// Finds every camera: WS-Discovery (multicast per interface, unicast over `--subnet`), a TCP
/// sweep of the subnets for ONVIF and RTSP ports, ONVIF questioning of every device found, and
/// RTSP probing of recorders that speak no ONVIF.
public struct Discovery: Sendable {
    public var options: DiscoveryOptions
    var logger = Logger(label: "kuzet.discovery")

    public init(options: DiscoveryOptions) { self.options = options }

    public func run() async throws(DiscoveryError) -> DiscoveryReport {
        var report = DiscoveryReport()
        let interfaces = options.multicast ? try IPv4Interface.list(named: options.interface) : []
        if options.multicast && interfaces.isEmpty && options.subnets.isEmpty {
            throw DiscoveryError(
                where: "discover", what: "no multicast-capable IPv4 interface is up",
                fix: "give --interface IF or --subnet CIDR")
        }
        let hosts = options.subnets.flatMap(\.hosts)
        let client = WSDiscoveryClient(unicastPort: options.wsDiscoveryPort)
        async let probed = client.probe(interfaces: interfaces, unicastHosts: hosts, timeout: options.timeout)
        async let swept = options.scanner.sweep(hosts: hosts)
        let devices: [DiscoveredDevice]
        do {
            devices = try await probed
        } catch let error as DiscoveryError {
            _ = await swept
            throw error
        } catch {
            _ = await swept
            throw DiscoveryError(where: "WS-Discovery", what: "\(error)", fix: "check the network interfaces")
        }
        let sweep = await swept
        report.devices = devices

        // ONVIF targets: WS-Discovery answers first, then sweep hits not already covered.
        var targets: [ONVIFTarget] = []
        var seenEndpoints = Set<String>()
        for device in devices {
            switch ONVIFTarget.announced(by: device) {
            case .success(let target):
                if seenEndpoints.insert(target.endpoint).inserted { targets.append(target) }
            case .failure(let problem):
                report.problems.append(problem.description)
            }
        }
        for url in sweep.onvifURLs {
            guard let target = ONVIFTarget(url: url, name: nil) else { continue }
            if seenEndpoints.insert(target.endpoint).inserted { targets.append(target) }
        }
        report.problems += sweep.problems

        var taken = Set<String>()
        var onvifHosts = Set<String>()
        for (target, result) in await inspectAll(targets) {
            switch result {
            case .success(let device):
                onvifHosts.insert(target.host)
                report.cameras += cameras(from: device, name: target.name, taken: &taken)
                report.problems += device.problems
            case .failure(let error):
                report.problems.append(error.description)
            }
        }

        // Recorders without ONVIF: probe RTSP on hosts that did not answer ONVIF.
        let prober = RTSPProber(credentials: options.credentials, allowPlaintextAuth: options.allowPlaintextAuth)
        for endpoint in sweep.rtspEndpoints where !onvifHosts.contains(endpoint.host) {
            do {
                let channels = try await prober.probe(host: endpoint.host, port: endpoint.port)
                if channels.isEmpty {
                    report.problems.append(
                        "rtsp://\(endpoint.host):\(endpoint.port): answers RTSP but none of the known vendor paths (\(VendorPattern.all.map(\.vendor).joined(separator: ", "))) — look up its RTSP URL in the vendor's manual and add it by hand"
                    )
                }
                for channel in channels {
                    let id = CameraNaming.id(
                        base: "\(channel.vendor)-\(endpoint.host)", channel: channel.channel, channels: channels.count,
                        taken: &taken)
                    report.cameras.append(
                        DiscoveredCamera(
                            id: id, host: endpoint.host, manufacturer: channel.vendor, method: "rtsp-probe",
                            channel: channel.channel,
                            url: channel.mainURL, subURL: channel.subURL, main: channel.main.map(Self.info),
                            sub: channel.sub.map(Self.info),
                            urlEmbedsCredentials: channel.embedsCredentials))
                }
            } catch {
                report.problems.append("\(error)")
            }
        }
        return report
    }

    /// Questions every target, at most `deviceParallelism` at once. Each answer comes back with
    /// the target it belongs to, in the targets' order: nothing is matched up by position.
    func inspectAll(_ targets: [ONVIFTarget]) async -> [(ONVIFTarget, Result<ONVIFDeviceReport, ONVIFError>)] {
        let clients = targets.map { target in
            ONVIFClient(
                deviceURL: target.url, credentials: options.credentials, transport: options.transport,
                allowPlaintextAuth: options.allowPlaintextAuth)
        }
        var answers: [Int: Result<ONVIFDeviceReport, ONVIFError>] = [:]
        await withTaskGroup(of: (Int, Result<ONVIFDeviceReport, ONVIFError>).self) { group in
            var started = 0
            let parallelism = max(1, options.deviceParallelism)
            while started < clients.count {
                if started >= parallelism, let (index, result) = await group.next() { answers[index] = result }
                let index = started
                let client = clients[index]
                group.addTask { (index, await client.inspectResult()) }
                started += 1
            }
            for await (index, result) in group { answers[index] = result }
        }
        return targets.enumerated().map { index, target in
            (
                target,
                answers[index]
                    ?? .failure(
                        ONVIFError(device: target.url, operation: "probe", kind: .badAnswer("no answer was collected")))
            )
        }
    }

    /// One camera per video source; best stream as `url`, the next as `sub_url`.
    func cameras(from device: ONVIFDeviceReport, name: String?, taken: inout Set<String>) -> [DiscoveredCamera] {
        let host = DeviceAddress(device.deviceURL)?.host ?? device.deviceURL
        let sources = device.streamsPerSource
        return sources.enumerated().compactMap { index, source in
            guard let main = source.profiles.first, let url = main.streamURI else { return nil }
            let sub = source.profiles.dropFirst().first { $0.encoding?.uppercased() != "JPEG" && $0.streamURI != nil }
            let base = name ?? device.information.model ?? host
            let channel = sources.count > 1 ? index + 1 : nil
            return DiscoveredCamera(
                id: CameraNaming.id(base: base, channel: channel, channels: sources.count, taken: &taken), name: name,
                host: host,
                manufacturer: device.information.manufacturer, model: device.information.model, method: "onvif",
                channel: channel,
                url: url, subURL: sub?.streamURI, main: Self.info(main), sub: sub.map(Self.info))
        }
    }

    static func info(_ profile: MediaProfile) -> StreamInfo {
        StreamInfo(codec: profile.encoding, width: profile.width, height: profile.height, frameRate: profile.frameRate)
    }

    static func info(_ media: StreamDescription.Media) -> StreamInfo {
        StreamInfo(codec: media.codec, width: media.width, height: media.height, frameRate: media.frameRate)
    }
}
