import Foundation
import KuzetTestKit

/// A small camera LAN made for one test: a bridge in the test's own namespace holding the first
/// address of a random /29 in 10.200–254.x.x, and one network namespace per device, each joined
/// to the bridge by a veth pair and given the next address. Multicast crosses the bridge (one
/// Ethernet segment, as on a school's camera VLAN). Needs root. Removed when the value goes away.
///
///     let lan = try DeviceLAN(devices: 2)      // bridge kzb3f9a1c 10.x.y.1, devices .2 and .3
///     let camera = try lan.start(device: 0, "python3", [...])
///     // discover --interface lan.bridge --subnet lan.subnet
final class DeviceLAN: @unchecked Sendable {
    // @unchecked: every stored property is immutable after init (cleanups only grow inside init).
    /// The bridge (in the test's namespace) and its address: where `discover` runs from.
    let bridge: String
    let bridgeAddress: String
    /// The /29, for `--subnet`.
    let subnet: String
    /// One namespace name and address per device, in order.
    let namespaces: [String]
    let addresses: [String]
    private var cleanups: [[String]] = []

    init(devices: Int) throws {
        precondition((1...5).contains(devices), "a /29 holds the bridge and at most 5 devices")
        let suffix = String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(6))
        let second = Int.random(in: 200...254)
        let third = Int.random(in: 0...255)
        let base = Int.random(in: 0...31) * 8
        let prefix = "10.\(second).\(third)."
        bridge = "kzb\(suffix)"
        bridgeAddress = prefix + "\(base + 1)"
        subnet = prefix + "\(base)/29"
        namespaces = (0..<devices).map { "kzd\($0)-\(suffix)" }
        addresses = (0..<devices).map { prefix + "\(base + 2 + $0)" }
        do {
            try ip(["link", "add", bridge, "type", "bridge"])
            cleanups.insert(["link", "del", bridge], at: 0)
            // No IGMP snooping: without a querier on the segment it could hold multicast back.
            try ip(["link", "set", bridge, "type", "bridge", "mcast_snooping", "0"])
            try ip(["addr", "add", "\(bridgeAddress)/29", "dev", bridge])
            try ip(["link", "set", bridge, "up"])
            for (index, namespace) in namespaces.enumerated() {
                let outside = "kzv\(index)\(suffix)"
                let inside = "kzi\(index)\(suffix)"
                try ip(["netns", "add", namespace])
                cleanups.append(["netns", "del", namespace])
                try ip(["link", "add", outside, "type", "veth", "peer", "name", inside])
                cleanups.insert(["link", "del", outside], at: 0)
                try ip(["link", "set", inside, "netns", namespace])
                try ip(["link", "set", outside, "master", bridge])
                try ip(["link", "set", outside, "up"])
                try ip(["netns", "exec", namespace, "ip", "addr", "add", "\(addresses[index])/29", "dev", inside])
                try ip(["netns", "exec", namespace, "ip", "link", "set", inside, "up"])
                try ip(["netns", "exec", namespace, "ip", "link", "set", "lo", "up"])
            }
        } catch {
            removeAll()
            throw error
        }
    }

    /// Starts a long-running program inside device `index`'s namespace.
    func start(device index: Int, _ executable: String, _ arguments: [String], name: String) throws -> ExternalProcess {
        try ExternalProcess("/usr/sbin/ip", ["netns", "exec", namespaces[index], executable] + arguments, name: name)
    }

    private func ip(_ arguments: [String]) throws {
        let (status, output) = try run("/usr/sbin/ip", arguments, timeout: 20)
        guard status == 0 else {
            throw TestKitError("ip \(arguments.joined(separator: " ")) failed (\(status)): \(output)")
        }
    }

    private func removeAll() {
        for command in cleanups { _ = try? run("/usr/sbin/ip", command, timeout: 20) }
        cleanups = []
    }

    deinit { removeAll() }
}
