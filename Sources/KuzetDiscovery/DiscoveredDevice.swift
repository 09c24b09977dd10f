import Foundation

/// A device that answered a WS-Discovery Probe (ProbeMatch), after de-duplication and fix-ups.
public struct DiscoveredDevice: Sendable, Equatable, Codable {
    /// `wsa:EndpointReference/Address`, usually `urn:uuid:…`; the de-duplication key.
    public var endpointReference: String
    public var types: [String]
    public var scopes: [String]
    /// Device service URLs, the one most likely to work first.
    public var xaddrs: [String]
    /// The address the answer came from.
    public var sender: String
    public var metadataVersion: Int?

    public init(
        endpointReference: String, types: [String], scopes: [String], xaddrs: [String], sender: String,
        metadataVersion: Int? = nil
    ) {
        self.endpointReference = endpointReference
        self.types = types
        self.scopes = scopes
        self.xaddrs = xaddrs
        self.sender = sender
        self.metadataVersion = metadataVersion
    }

    /// From `onvif://www.onvif.org/name/…` (percent-decoded).
    public var name: String? { scopeValue("name") }
    /// From `onvif://www.onvif.org/hardware/…`.
    public var hardware: String? { scopeValue("hardware") }
    /// From `onvif://www.onvif.org/location/…` (may have several levels, joined by `/`).
    public var location: String? { scopeValue("location") }

    /// The URL to talk ONVIF to.
    public var deviceServiceURL: String? { xaddrs.first }

    func scopeValue(_ key: String) -> String? {
        let prefix = "onvif://www.onvif.org/\(key)/"
        let values = scopes.filter { $0.lowercased().hasPrefix(prefix) }.map { scope -> String in
            let raw = String(scope.dropFirst(prefix.count))
            return (raw.removingPercentEncoding ?? raw).trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        return values.isEmpty ? nil : values.joined(separator: " ")
    }

    /// Known device bugs fixed: `0.0.0.0`/empty hosts in XAddrs become the sender's address;
    /// XAddrs on the sender's address come first, other IPv4 next, IPv6 last (and IPv6 ones are
    /// dropped when an IPv4 one exists, since the agent's networks are IPv4).
    static func fixedXAddrs(_ raw: [String], sender: String) -> [String] {
        var fixed: [String] = []
        for text in raw {
            guard var address = DeviceAddress(text) else { continue }
            if address.host == "0.0.0.0" || address.host.isEmpty || address.host == "::" {
                address.host = sender
            }
            let url = address.plainURL
            if !fixed.contains(url) { fixed.append(url) }
        }
        let isIPv6: (String) -> Bool = { DeviceAddress($0)?.host.contains(":") ?? false }
        let hasIPv4 = fixed.contains { !isIPv6($0) }
        if hasIPv4 { fixed.removeAll(where: isIPv6) }
        return fixed.sorted { a, b in
            let aSender = DeviceAddress(a)?.host == sender
            let bSender = DeviceAddress(b)?.host == sender
            return aSender && !bSender
        }
    }

    /// Combines two answers of the same device (several interfaces, both SOAP versions, repeats).
    mutating func merge(_ other: DiscoveredDevice) {
        for scope in other.scopes where !scopes.contains(scope) { scopes.append(scope) }
        for type in other.types where !types.contains(type) { types.append(type) }
        for xaddr in other.xaddrs where !xaddrs.contains(xaddr) { xaddrs.append(xaddr) }
    }
}
