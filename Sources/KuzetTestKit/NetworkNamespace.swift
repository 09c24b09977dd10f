import Foundation

/// A Linux network namespace made for one test, joined to the test's own namespace by a veth
/// pair, with addresses from a /30 picked at random in 10.200–254.x.x. Needs root (tests run as
/// root in CI). Everything is removed when the value goes away.
///
///     let lab = try NetworkNamespace()                 // kzt-3f9a1c and veth kzh3f9a1c <-> kzn3f9a1c
///     let responder = try lab.start("python3", ["wsd_responder.py", …])
///     // discover on lab.hostInterface, the far end answers from lab.namespaceAddress
public final class NetworkNamespace: @unchecked Sendable {
    // @unchecked: all stored properties are immutable after init.
    public let name: String
    /// The veth end left in the test's namespace, and its address.
    public let hostInterface: String
    public let hostAddress: String
    /// The veth end inside the namespace, and its address.
    public let namespaceInterface: String
    public let namespaceAddress: String
    private var cleanups: [[String]] = []

    public init() throws {
        let suffix = String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(6))
        name = "kzt-\(suffix)"
        hostInterface = "kzh\(suffix)"
        namespaceInterface = "kzn\(suffix)"
        let second = Int.random(in: 200...254)
        let third = Int.random(in: 0...255)
        let fourth = Int.random(in: 0...63) * 4
        hostAddress = "10.\(second).\(third).\(fourth + 1)"
        namespaceAddress = "10.\(second).\(third).\(fourth + 2)"
        try ip(["netns", "add", name])
        cleanups.append(["netns", "del", name])
        try ip(["link", "add", hostInterface, "type", "veth", "peer", "name", namespaceInterface])
        cleanups.insert(["link", "del", hostInterface], at: 0)
        try ip(["link", "set", namespaceInterface, "netns", name])
        try ip(["addr", "add", "\(hostAddress)/30", "dev", hostInterface])
        try ip(["link", "set", hostInterface, "up"])
        try inside(["ip", "addr", "add", "\(namespaceAddress)/30", "dev", namespaceInterface])
        try inside(["ip", "link", "set", namespaceInterface, "up"])
        try inside(["ip", "link", "set", "lo", "up"])
    }

    /// Runs a command inside the namespace to completion; throws with its output if it fails.
    public func inside(_ command: [String]) throws {
        let (status, output) = try run("/usr/sbin/ip", ["netns", "exec", name] + command, timeout: 20)
        guard status == 0 else {
            throw TestKitError("ip netns exec \(name) \(command.joined(separator: " ")) failed (\(status)): \(output)")
        }
    }

    /// Starts a long-running program inside the namespace.
    public func start(_ executable: String, _ arguments: [String], name processName: String? = nil) throws
        -> ExternalProcess
    {
        try ExternalProcess(
            "/usr/sbin/ip", ["netns", "exec", name, executable] + arguments,
            name: processName ?? (executable as NSString).lastPathComponent)
    }

    /// Adds a second namespace behind this one, routed (not bridged): multicast with TTL 1 does
    /// not cross it, unicast does. Returns the far namespace; it is removed with this one.
    public func routedNeighbour() throws -> RoutedNamespace {
        let far = try RoutedNamespace(router: self)
        cleanups.insert(contentsOf: far.cleanupCommands, at: 0)
        return far
    }

    private func ip(_ arguments: [String]) throws {
        let (status, output) = try run("/usr/sbin/ip", arguments, timeout: 20)
        guard status == 0 else {
            throw TestKitError("ip \(arguments.joined(separator: " ")) failed (\(status)): \(output)")
        }
    }

    deinit {
        for command in cleanups { _ = try? run("/usr/sbin/ip", command, timeout: 20) }
    }
}

/// A namespace reachable only through a ``NetworkNamespace`` acting as a router.
public final class RoutedNamespace: @unchecked Sendable {
    // @unchecked: immutable after init.
    public let name: String
    public let address: String
    /// The /29 the far namespace sits in (for `--subnet`).
    public let subnet: String
    let cleanupCommands: [[String]]

    init(router: NetworkNamespace) throws {
        let suffix = String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(6))
        name = "kzf-\(suffix)"
        let routerSide = "kzr\(suffix)"
        let farSide = "kzf\(suffix)"
        let second = Int.random(in: 200...254)
        let third = Int.random(in: 0...255)
        let base = Int.random(in: 0...31) * 8
        let routerAddress = "10.\(second).\(third).\(base + 1)"
        address = "10.\(second).\(third).\(base + 2)"
        subnet = "10.\(second).\(third).\(base)/29"
        cleanupCommands = [["netns", "del", name]]
        func ip(_ arguments: [String]) throws {
            let (status, output) = try run("/usr/sbin/ip", arguments, timeout: 20)
            guard status == 0 else {
                throw TestKitError("ip \(arguments.joined(separator: " ")) failed (\(status)): \(output)")
            }
        }
        try ip(["netns", "add", name])
        do {
            try ip([
                "netns", "exec", router.name, "ip", "link", "add", routerSide, "type", "veth", "peer", "name", farSide,
            ])
            try ip(["netns", "exec", router.name, "ip", "link", "set", farSide, "netns", name])
            try ip(["netns", "exec", router.name, "ip", "addr", "add", "\(routerAddress)/29", "dev", routerSide])
            try ip(["netns", "exec", router.name, "ip", "link", "set", routerSide, "up"])
            try ip(["netns", "exec", router.name, "sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
            try ip(["netns", "exec", name, "ip", "addr", "add", "\(address)/29", "dev", farSide])
            try ip(["netns", "exec", name, "ip", "link", "set", farSide, "up"])
            try ip(["netns", "exec", name, "ip", "link", "set", "lo", "up"])
            try ip(["netns", "exec", name, "ip", "route", "add", "default", "via", routerAddress])
            // The test's namespace reaches the far subnet through the router's veth end.
            try ip(["route", "add", subnet, "via", router.namespaceAddress, "dev", router.hostInterface])
        } catch {
            _ = try? run("/usr/sbin/ip", ["netns", "del", name], timeout: 20)
            throw error
        }
    }

    /// Starts a long-running program inside the far namespace.
    public func start(_ executable: String, _ arguments: [String], name processName: String? = nil) throws
        -> ExternalProcess
    {
        try ExternalProcess(
            "/usr/sbin/ip", ["netns", "exec", name, executable] + arguments,
            name: processName ?? (executable as NSString).lastPathComponent)
    }
}
