import Foundation

/// A school behind NAT and a centre, in three network namespaces made for one test (issue 22):
///
///     school 10.22.1.2/29 ── 10.22.1.1 router 10.22.2.1 ── 10.22.2.2/29 centre
///
/// The router masquerades what the school sends to the centre (`iptables -t nat … MASQUERADE`)
/// and forwards nothing that starts on the centre's side (`FORWARD` policy DROP, only
/// ESTABLISHED,RELATED back in). The school's default route is the router; the centre has no
/// route to the school at all; the router has only its two subnets. No namespace has a link to
/// the test's own namespace, so nothing here can reach (or be reached from) outside the machine.
/// Needs root and iptables. The namespaces (and their veths) are deleted when the value goes away.
///
///     let lab = try NATLab()
///     let agent = try lab.start(lab.school, BuiltExecutable.agent, ["run", …])
///     let answer = try lab.run(lab.centre, ["curl", …])
public final class NATLab: @unchecked Sendable {
    // @unchecked: all stored properties are immutable after init.
    public let school: String
    public let router: String
    public let centre: String
    public let schoolAddress = "10.22.1.2"
    public let schoolSubnet = "10.22.1.0/29"
    public let centreAddress = "10.22.2.2"
    /// The router's address on the centre's side: every school connection arrives from here.
    public let routerOutsideAddress = "10.22.2.1"
    /// The router's interface towards the school (shape it with `tc` to model the uplink).
    public let routerSchoolInterface: String
    /// The school's interface towards the router.
    public let schoolInterface: String

    /// Whether this machine can build the lab: root, `ip` and `iptables`.
    public static var isAvailable: Bool {
        getuid() == 0 && FileManager.default.isExecutableFile(atPath: "/usr/sbin/ip")
            && FileManager.default.isExecutableFile(atPath: "/usr/sbin/iptables")
    }

    public init() throws {
        let suffix = String(UUID().uuidString.lowercased().replacingOccurrences(of: "-", with: "").prefix(6))
        school = "kzs-\(suffix)"
        router = "kzr-\(suffix)"
        centre = "kzc-\(suffix)"
        schoolInterface = "kzs\(suffix)"
        routerSchoolInterface = "kzrs\(suffix)"
        let routerCentreInterface = "kzrc\(suffix)"
        let centreInterface = "kzc\(suffix)"
        do {
            for namespace in [school, router, centre] { try Self.ip(["netns", "add", namespace]) }
            // Both veth pairs are made inside the namespaces: nothing appears in the test's own.
            try Self.ip([
                "-n", router, "link", "add", routerSchoolInterface, "type", "veth", "peer", "name", schoolInterface,
                "netns", school,
            ])
            try Self.ip([
                "-n", router, "link", "add", routerCentreInterface, "type", "veth", "peer", "name", centreInterface,
                "netns", centre,
            ])
            for (namespace, interface, address) in [
                (school, schoolInterface, "\(schoolAddress)/29"), (router, routerSchoolInterface, "10.22.1.1/29"),
                (router, routerCentreInterface, "\(routerOutsideAddress)/29"),
                (centre, centreInterface, "\(centreAddress)/29"),
            ] {
                try Self.ip(["-n", namespace, "addr", "add", address, "dev", interface])
                try Self.ip(["-n", namespace, "link", "set", interface, "up"])
            }
            for namespace in [school, router, centre] { try Self.ip(["-n", namespace, "link", "set", "lo", "up"]) }
            try Self.ip(["-n", school, "route", "add", "default", "via", "10.22.1.1"])
            try run(router, ["sysctl", "-q", "-w", "net.ipv4.ip_forward=1"])
            try run(
                router,
                [
                    "iptables", "-t", "nat", "-A", "POSTROUTING", "-s", schoolSubnet, "-o", routerCentreInterface, "-j",
                    "MASQUERADE",
                ])
            try run(router, ["iptables", "-P", "FORWARD", "DROP"])
            try run(
                router,
                [
                    "iptables", "-A", "FORWARD", "-i", routerSchoolInterface, "-o", routerCentreInterface, "-j",
                    "ACCEPT",
                ])
            try run(
                router,
                [
                    "iptables", "-A", "FORWARD", "-i", routerCentreInterface, "-o", routerSchoolInterface, "-m",
                    "conntrack", "--ctstate", "ESTABLISHED,RELATED", "-j", "ACCEPT",
                ])
        } catch {
            removeNamespaces()
            throw error
        }
    }

    deinit { removeNamespaces() }

    /// Runs a command inside `namespace` to completion; throws with its output when it fails.
    @discardableResult
    public func run(_ namespace: String, _ command: [String], timeout: Double = 20) throws -> String {
        let (status, output) = try attempt(namespace, command, timeout: timeout)
        guard status == 0 else {
            throw TestKitError(
                "ip netns exec \(namespace) \(command.joined(separator: " ")) failed (\(status)): \(output)")
        }
        return output
    }

    /// Runs a command inside `namespace`: its exit status and output, failure included.
    public func attempt(_ namespace: String, _ command: [String], timeout: Double = 20) throws -> (
        status: Int32, output: String
    ) {
        try KuzetTestKit.run("/usr/sbin/ip", ["netns", "exec", namespace] + command, timeout: timeout)
    }

    /// Starts a long-running program inside `namespace` (`ip netns exec` replaces itself with it).
    public func start(
        _ namespace: String, _ executable: String, _ arguments: [String], name: String,
        logDirectory: String = NSTemporaryDirectory()
    ) throws -> ExternalProcess {
        try ExternalProcess(
            "/usr/sbin/ip", ["netns", "exec", namespace, executable] + arguments, name: name, logDirectory: logDirectory
        )
    }

    /// Whether a TCP connection from `namespace` to `address`:`port` is accepted within `timeout`.
    public func connects(from namespace: String, to address: String, port: Int, timeout: Int = 2) -> Bool {
        let probe = "exec 3<>/dev/tcp/\(address)/\(port)"
        // SIGKILL: a connect whose SYN is dropped waits out the kernel's retries (~2 minutes), and
        // the SIGTERM `timeout` sends by default did not end it here — one probe held the NAT test
        // for 140 s (155 → 23 s).
        let result = try? attempt(
            namespace, ["timeout", "-s", "KILL", String(timeout), "bash", "-c", probe], timeout: Double(timeout) + 5)
        return result?.status == 0
    }

    /// The routing table of `namespace`, one route a line (`ip route show`).
    public func routes(_ namespace: String) throws -> [String] {
        try run(namespace, ["ip", "route", "show"]).split(separator: "\n").map(String.init)
    }

    /// Bytes and packets sent so far on `interface` in `namespace`
    /// (`/sys/class/net/…/statistics/tx_bytes`, `tx_packets`), read together.
    public func sent(_ namespace: String, interface: String) throws -> (bytes: Int, packets: Int) {
        let folder = "/sys/class/net/\(interface)/statistics"
        let text = try run(namespace, ["cat", "\(folder)/tx_bytes", "\(folder)/tx_packets"])
        let values = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        guard values.count == 2 else {
            throw TestKitError("tx_bytes/tx_packets of \(interface) in \(namespace): \(text)")
        }
        return (values[0], values[1])
    }

    private func removeNamespaces() {
        for namespace in [school, router, centre] {
            _ = try? KuzetTestKit.run("/usr/sbin/ip", ["netns", "del", namespace], timeout: 20)
        }
    }

    private static func ip(_ arguments: [String]) throws {
        let (status, output) = try KuzetTestKit.run("/usr/sbin/ip", arguments, timeout: 20)
        guard status == 0 else {
            throw TestKitError("ip \(arguments.joined(separator: " ")) failed (\(status)): \(output)")
        }
    }
}
