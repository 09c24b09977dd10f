import Foundation

/// An IPv4 CIDR block given with `--subnet`, e.g. `192.168.10.0/24`.
public struct SubnetRange: Sendable, Equatable, CustomStringConvertible {
    public var network: UInt32
    public var prefixLength: Int

    /// The largest block we scan: 4094 hosts (/20). Bigger ones take minutes and look like an attack.
    public static let smallestPrefix = 20

    public init(parsing text: String) throws(DiscoveryError) {
        let parts = text.split(separator: "/")
        guard parts.count == 2, let prefix = Int(parts[1]), (0...32).contains(prefix),
            let address = Self.parse(String(parts[0]))
        else {
            throw DiscoveryError(
                where: "--subnet \(text)", what: "is not an IPv4 CIDR block", fix: "write it like 192.168.10.0/24")
        }
        guard prefix >= Self.smallestPrefix else {
            throw DiscoveryError(
                where: "--subnet \(text)",
                what: "has \(1 << (32 - prefix)) addresses, more than a /\(Self.smallestPrefix)",
                fix: "scan the camera VLANs in /24 blocks (give --subnet several times)")
        }
        let mask: UInt32 = prefix == 0 ? 0 : ~UInt32(0) << (32 - prefix)
        network = address & mask
        prefixLength = prefix
    }

    /// The host addresses (network and broadcast addresses left out for blocks bigger than /31).
    public var hosts: [String] {
        let size = UInt32(1) << UInt32(32 - prefixLength)
        if size <= 2 { return (0..<size).map { Self.format(network + $0) } }
        return (1..<(size - 1)).map { Self.format(network + $0) }
    }

    public var description: String { "\(Self.format(network))/\(prefixLength)" }

    static func parse(_ text: String) -> UInt32? {
        let octets = text.split(separator: ".", omittingEmptySubsequences: false).map { UInt32($0) }
        guard octets.count == 4, octets.allSatisfy({ $0 != nil && $0! <= 255 }) else { return nil }
        return octets.reduce(0) { ($0 << 8) | $1! }
    }

    static func format(_ value: UInt32) -> String {
        "\(value >> 24).\((value >> 16) & 255).\((value >> 8) & 255).\(value & 255)"
    }
}
