import Foundation
import NIOCore
import NIOPosix

/// An IPv4 address of one of the box's network interfaces, for sending multicast Probes from.
public struct IPv4Interface: Sendable, Equatable {
    public var name: String
    public var address: String
    public var prefixLength: Int

    public init(name: String, address: String, prefixLength: Int) {
        self.name = name
        self.address = address
        self.prefixLength = prefixLength
    }

    /// The multicast-capable, non-loopback IPv4 interfaces; or only `named` (loopback allowed
    /// then). Throws a message listing what exists when `named` has no IPv4 address.
    public static func list(named: String? = nil) throws(DiscoveryError) -> [IPv4Interface] {
        let devices = (try? System.enumerateDevices()) ?? []
        var all: [IPv4Interface] = []
        for device in devices {
            guard case .v4 = device.address, let ip = device.address?.ipAddress else { continue }
            var prefix = 32
            if let mask = device.netmask?.ipAddress {
                prefix = mask.split(separator: ".").compactMap { UInt8($0) }.map { $0.nonzeroBitCount }.reduce(0, +)
            }
            let loopback = ip.hasPrefix("127.")
            if let named {
                if device.name == named { all.append(.init(name: device.name, address: ip, prefixLength: prefix)) }
            } else if !loopback && device.multicastSupported {
                all.append(.init(name: device.name, address: ip, prefixLength: prefix))
            }
        }
        if let named, all.isEmpty {
            let names = Set(devices.map(\.name)).sorted().joined(separator: ", ")
            throw DiscoveryError(
                where: "--interface \(named)", what: "no such interface with an IPv4 address",
                fix: "pick one of: \(names)")
        }
        return all
    }
}

/// A problem the user has to fix: `where: what — fix`.
public struct DiscoveryError: Error, Sendable, Equatable, CustomStringConvertible {
    public var location: String
    public var what: String
    public var fix: String

    public init(where location: String, what: String, fix: String) {
        self.location = location
        self.what = what
        self.fix = fix
    }

    public var description: String { "\(location): \(what) — \(fix)" }
}
