import Foundation
import KuzetWire

/// What a TCP sweep of `--subnet` blocks found.
public struct SubnetSweep: Sendable, Equatable {
    /// Device service URLs that answered an ONVIF `GetSystemDateAndTime` (or a SOAP fault).
    public var onvifURLs: [String] = []
    /// `host:port` pairs that answered an RTSP `OPTIONS`.
    public var rtspEndpoints: [RTSPEndpoint] = []
    /// Open ports whose answer broke off or could not be read (hostile or broken devices), one
    /// line each. A well-formed answer that is simply not ONVIF or RTSP is not a problem.
    public var problems: [String] = []
}

public struct RTSPEndpoint: Sendable, Equatable, Hashable {
    public var host: String
    public var port: Int
}

/// Tries the ONVIF HTTP ports and the RTSP port of every host in the given blocks, with a bound
/// on how many connections are open at once.
public struct SubnetScanner: Sendable {
    public var onvifPorts: [Int]
    public var rtspPorts: [Int]
    public var parallelism: Int
    public var limits: ExchangeLimits
    public var transport: any HTTPTransport

    public init(
        onvifPorts: [Int] = [80, 8080, 8000, 8899], rtspPorts: [Int] = [554], parallelism: Int = 256,
        limits: ExchangeLimits = ExchangeLimits(timeout: 1.5, maxBytes: 256 * 1024),
        transport: any HTTPTransport = CurlHTTPTransport()
    ) {
        self.transport = transport
        self.onvifPorts = onvifPorts
        self.rtspPorts = rtspPorts
        self.parallelism = parallelism
        self.limits = limits
    }

    enum Hit: Sendable {
        case onvif(String)
        case rtsp(RTSPEndpoint)
        case problem(String)
    }

    /// First a cheap TCP connect to every host × port (NIO, up to `parallelism` at once), then
    /// an ONVIF `GetSystemDateAndTime` (libcurl) or RTSP `OPTIONS` only where a port was open.
    public func sweep(hosts: [String]) async -> SubnetSweep {
        var jobs: [(host: String, port: Int, rtsp: Bool)] = []
        for host in hosts {
            for port in onvifPorts { jobs.append((host, port, false)) }
            for port in rtspPorts { jobs.append((host, port, true)) }
        }
        let limits = self.limits
        let open = await bounded(jobs, parallelism: parallelism) { job -> (host: String, port: Int, rtsp: Bool)? in
            guard
                let connection = try? await TCPConnection.connect(
                    host: job.host, port: job.port, timeout: limits.timeout)
            else { return nil }
            connection.close()
            return job
        }
        let hits = await bounded(open, parallelism: min(parallelism, 16)) { job in
            job.rtsp ? await rtspAnswer(job.host, job.port) : await onvifAnswer(job.host, job.port)
        }
        var sweep = SubnetSweep()
        for hit in hits {
            switch hit {
            case .onvif(let url): sweep.onvifURLs.append(url)
            case .rtsp(let endpoint): sweep.rtspEndpoints.append(endpoint)
            case .problem(let line): sweep.problems.append(line)
            }
        }
        sweep.onvifURLs.sort()
        sweep.problems.sort()
        sweep.rtspEndpoints.sort { ($0.host, $0.port) < ($1.host, $1.port) }
        return sweep
    }

    /// Runs `work` on every item with at most `parallelism` in flight; keeps the non-nil results.
    func bounded<Item: Sendable, Output: Sendable>(
        _ items: [Item], parallelism: Int, _ work: @escaping @Sendable (Item) async -> Output?
    ) async -> [Output] {
        var results: [Output] = []
        await withTaskGroup(of: Output?.self) { group in
            var next = 0
            while next < min(max(1, parallelism), items.count) {
                let item = items[next]
                group.addTask { await work(item) }
                next += 1
            }
            while let result = await group.next() {
                if let result { results.append(result) }
                if next < items.count {
                    let item = items[next]
                    group.addTask { await work(item) }
                    next += 1
                }
            }
        }
        return results
    }

    func onvifAnswer(_ host: String, _ port: Int) async -> Hit? {
        let url =
            "http://\(host.contains(":") ? "[\(host)]" : host)\(port == 80 ? "" : ":\(port)")/onvif/device_service"
        let body = Array(SOAPEnvelope.request(body: "<tds:GetSystemDateAndTime/>").utf8)
        let reply: HTTPReply
        do {
            reply = try await transport.post(
                url: url, headers: [("Content-Type", "application/soap+xml; charset=utf-8")], body: body, limits: limits
            )
        } catch let error as ExchangeError {
            return Self.problem(url, error)
        } catch {
            return nil
        }
        guard let envelope = try? SafeXMLParser(maxBytes: limits.maxBytes).parse(reply.body),
            envelope.name == "Envelope"
        else { return nil }
        return .onvif(url)
    }

    func rtspAnswer(_ host: String, _ port: Int) async -> Hit? {
        let request = Array(
            "OPTIONS rtsp://\(host.contains(":") ? "[\(host)]" : host):\(port)/ RTSP/1.0\r\nCSeq: 1\r\nUser-Agent: kuzet-agent\r\n\r\n"
                .utf8)
        let reply: WireResponse
        do {
            reply = try await TCPConnection.exchange(
                host: host, port: port, request: request, limits: limits, bodyRequiresLength: true)
        } catch let error as ExchangeError {
            return Self.problem("rtsp://\(host.contains(":") ? "[\(host)]" : host):\(port)", error)
        } catch {
            return nil
        }
        guard reply.version.hasPrefix("RTSP/") else { return nil }
        return .rtsp(RTSPEndpoint(host: host, port: port))
    }

    /// A port that was open a moment ago but whose answer failed: say so, unless it simply closed
    /// or refused (then it is not worth a line).
    static func problem(_ url: String, _ error: ExchangeError) -> Hit? {
        switch error {
        case .connect: nil
        case .timedOut, .tooLarge, .closedEarly, .framing:
            .problem(
                "\(url): answered the scan with something unusable (\(error)) — not questioned; if it is a camera, check its firmware and ONVIF/RTSP settings"
            )
        }
    }
}
