import Foundation

/// WS-Discovery (2005/04, the version ONVIF uses) messages: the Probe we send and the
/// ProbeMatches we read.
public enum WSDiscoveryMessage {
    public enum SOAPVersion: String, Sendable, CaseIterable {
        case soap12 = "http://www.w3.org/2003/05/soap-envelope"
        case soap11 = "http://schemas.xmlsoap.org/soap/envelope/"
    }

    /// A Probe for `types` (`dn:NetworkVideoTransmitter` by default, `tds:Device` for NVRs that
    /// only announce that).
    public static func probe(
        messageID: String = "uuid:\(UUID().uuidString.lowercased())", types: String = "dn:NetworkVideoTransmitter",
        version: SOAPVersion = .soap12
    ) -> [UInt8] {
        let text = """
            <?xml version="1.0" encoding="UTF-8"?>\
            <s:Envelope xmlns:s="\(version.rawValue)" xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" \
            xmlns:d="http://schemas.xmlsoap.org/ws/2005/04/discovery" xmlns:dn="http://www.onvif.org/ver10/network/wsdl" \
            xmlns:tds="http://www.onvif.org/ver10/device/wsdl"><s:Header>\
            <a:Action s:mustUnderstand="1">http://schemas.xmlsoap.org/ws/2005/04/discovery/Probe</a:Action>\
            <a:MessageID>\(messageID)</a:MessageID>\
            <a:ReplyTo><a:Address>http://schemas.xmlsoap.org/ws/2004/08/addressing/role/anonymous</a:Address></a:ReplyTo>\
            <a:To s:mustUnderstand="1">urn:schemas-xmlsoap-org:ws:2005:04:discovery</a:To></s:Header>\
            <s:Body><d:Probe><d:Types>\(types)</d:Types></d:Probe></s:Body></s:Envelope>
            """
        return Array(text.utf8)
    }

    /// The ProbeMatch entries in one datagram (a Hello is read the same way). Datagrams that are
    /// not XML, carry a DOCTYPE, or are not ProbeMatches give an empty list.
    public static func probeMatches(
        _ datagram: [UInt8], sender: String, parser: SafeXMLParser = SafeXMLParser(maxBytes: 64 * 1024)
    ) -> [DiscoveredDevice] {
        guard let envelope = try? parser.parse(datagram) else { return [] }
        let matches = envelope.all("ProbeMatch") + envelope.all("Hello")
        return matches.compactMap { match -> DiscoveredDevice? in
            let words: (String) -> [String] = { name in
                (match.child(name)?.text ?? "").split(whereSeparator: \.isWhitespace).map(String.init)
            }
            let xaddrs = DiscoveredDevice.fixedXAddrs(words("XAddrs"), sender: sender)
            let reference = match.first("EndpointReference")?.text(at: "Address") ?? xaddrs.first ?? ""
            guard !reference.isEmpty else { return nil }
            return DiscoveredDevice(
                endpointReference: reference, types: words("Types"), scopes: words("Scopes"), xaddrs: xaddrs,
                sender: sender,
                metadataVersion: match.child("MetadataVersion").flatMap { Int($0.text) })
        }
    }

    /// De-duplicates by endpoint reference, keeping first-seen order.
    public static func deduplicated(_ devices: [DiscoveredDevice]) -> [DiscoveredDevice] {
        var order: [String] = []
        var byReference: [String: DiscoveredDevice] = [:]
        for device in devices {
            if byReference[device.endpointReference] == nil {
                order.append(device.endpointReference)
                byReference[device.endpointReference] = device
            } else {
                byReference[device.endpointReference]!.merge(device)
            }
        }
        return order.map { byReference[$0]! }
    }
}
