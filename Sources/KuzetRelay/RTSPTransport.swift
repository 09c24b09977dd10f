import Foundation

/// A client's choice of transport from its `Transport:` header (RFC 2326 §12.39).
public enum RTSPTransport: Sendable, Hashable {
    /// RTP and RTCP inside the RTSP connection, on these two channel numbers.
    case interleaved(rtp: UInt8, rtcp: UInt8)
    /// Unicast UDP to the client's address at these ports.
    case udp(rtpPort: Int, rtcpPort: Int)

    /// The first alternative we support in a `Transport:` value (clients may list several,
    /// comma-separated, best first); nil when none is supported (multicast, RTP/AVP/TCP without
    /// channels on a path we cannot serve…).
    public static func choose(from header: String, nextChannel: UInt8) -> RTSPTransport? {
        for alternative in header.split(separator: ",") {
            let parts = alternative.split(separator: ";").map { $0.trimmingCharacters(in: .whitespaces) }
            guard let profile = parts.first?.uppercased(), profile.hasPrefix("RTP/AVP") else { continue }
            if parts.contains(where: { $0.lowercased() == "multicast" }) { continue }
            let parameters = Dictionary(
                parts.dropFirst().compactMap { part -> (String, String)? in
                    guard let equals = part.firstIndex(of: "=") else { return nil }
                    return (part[..<equals].lowercased(), String(part[part.index(after: equals)...]))
                }, uniquingKeysWith: { first, _ in first })
            if profile == "RTP/AVP/TCP" {
                if let range = parameters["interleaved"].flatMap(pair), let rtp = UInt8(exactly: range.0),
                    let rtcp = UInt8(exactly: range.1)
                {
                    return .interleaved(rtp: rtp, rtcp: rtcp)
                }
                return .interleaved(rtp: nextChannel, rtcp: nextChannel &+ 1)
            }
            if let ports = parameters["client_port"].flatMap(pair), (1...65535).contains(ports.0),
                (1...65535).contains(ports.1)
            {
                return .udp(rtpPort: ports.0, rtcpPort: ports.1)
            }
        }
        return nil
    }

    /// `a-b` or `a` (then b = a + 1).
    static func pair(_ text: String) -> (Int, Int)? {
        let numbers = text.split(separator: "-").compactMap { Int($0) }
        switch numbers.count {
        case 1: return (numbers[0], numbers[0] + 1)
        case 2: return (numbers[0], numbers[1])
        default: return nil
        }
    }

    /// The `Transport:` value we answer with.
    public func headerValue(ssrc: UInt32?, serverPorts: (rtp: Int, rtcp: Int)) -> String {
        switch self {
        case .interleaved(let rtp, let rtcp):
            return "RTP/AVP/TCP;unicast;interleaved=\(rtp)-\(rtcp)"
        case .udp(let rtpPort, let rtcpPort):
            return
                "RTP/AVP;unicast;client_port=\(rtpPort)-\(rtcpPort);server_port=\(serverPorts.rtp)-\(serverPorts.rtcp)"
        }
    }
}
