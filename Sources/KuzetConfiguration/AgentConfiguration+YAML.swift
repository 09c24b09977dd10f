import Foundation
import KuzetCore
import Yams

extension AgentConfiguration {
    /// Reads, parses and validates a configuration file. Secrets named by `*_file` keys are read too,
    /// relative to the file's directory.
    ///
    /// - Throws: ``ConfigurationError`` listing every problem found, never just the first.
    public static func load(path: String) throws(ConfigurationError) -> AgentConfiguration {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ConfigurationError(
                file: path,
                problems: [
                    .init(
                        key: "file", problem: "cannot be read (\(Self.reason(error)))",
                        fix: "check the path given to --config and its permissions")
                ]
            )
        }
        let base = (path as NSString).deletingLastPathComponent
        do {
            return try parse(yaml: text, baseDirectory: base.isEmpty ? "." : base)
        } catch {
            throw ConfigurationError(file: path, problems: error.problems)
        }
    }

    /// Parses and validates YAML text; relative `*_file` paths resolve against `baseDirectory`.
    public static func parse(yaml: String, baseDirectory: String = ".") throws(ConfigurationError) -> AgentConfiguration
    {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch {
            throw ConfigurationError(problems: [
                .init(key: "yaml", problem: "is not valid YAML (\(error))", fix: "fix the syntax at the line named")
            ])
        }
        var reader = ConfigurationReader(baseDirectory: baseDirectory)
        let configuration = reader.read(root)
        if let configuration, reader.problems.isEmpty { return configuration }
        throw ConfigurationError(problems: reader.problems)
    }

    static func reason(_ error: any Error) -> String {
        (error as NSError).localizedFailureReason ?? (error as NSError).localizedDescription
    }
}

/// Walks the YAML tree once, collecting every problem instead of stopping at the first.
struct ConfigurationReader {
    let baseDirectory: String
    var problems: [ConfigurationProblem] = []

    init(baseDirectory: String) { self.baseDirectory = baseDirectory }

    mutating func problem(_ key: String, _ what: String, _ fix: String) {
        problems.append(.init(key: key, problem: what, fix: fix))
    }

    mutating func read(_ root: Node?) -> AgentConfiguration? {
        guard let root, let top = mapping(root, key: "config") else {
            problem("config", "is empty or not a mapping", "start from deploy/config/agent.yaml")
            return nil
        }
        checkKnown(
            top, key: "",
            known: [
                "school", "storage", "retention", "registry", "centre", "relay", "status", "cameras",
                "health", // issue 23
            ])

        let school = readSchool(top["school"])
        let storage = readStorage(top["storage"])
        let retention = readRetention(top["retention"])
        let registry = top["registry"].flatMap { readRegistry($0) }
        let centre = top["centre"].flatMap { readCentre($0) }
        let relay = top["relay"].flatMap { readRelay($0) }
        let status = readStatus(top["status"])
        let cameras = readCameras(top["cameras"], centre: centre)
        let health = readHealth(top["health"])

        guard let school, let storage else { return nil }
        var configuration = AgentConfiguration(
            school: school, storage: storage, retention: retention, registry: registry, centre: centre,
            relay: relay, status: status, cameras: cameras
        )
        configuration.health = health
        return configuration
    }

    // MARK: Sections

    mutating func readSchool(_ node: Node?) -> AgentConfiguration.School? {
        guard let node else {
            problem("school", "is missing", "add `school: { id: KZ-AST-0042, name: \"…\", region: … }`")
            return nil
        }
        guard let map = mapping(node, key: "school") else { return nil }
        checkKnown(map, key: "school", known: ["id", "name", "region"])
        guard let id = string(map["id"], key: "school.id", required: true) else { return nil }
        if id.isEmpty || id.count > 64 || id.contains(where: { $0.isWhitespace || $0 == "/" }) {
            problem(
                "school.id", "\"\(id)\" is not a usable school id",
                "use the id the registry gave, e.g. KZ-AST-0042 (no spaces or slashes)")
        }
        return .init(
            id: id, name: string(map["name"], key: "school.name"), region: string(map["region"], key: "school.region"))
    }

    mutating func readStorage(_ node: Node?) -> AgentConfiguration.Storage? {
        guard let node else {
            problem("storage", "is missing", "add `storage: { root: /var/lib/kuzet/recordings }`")
            return nil
        }
        guard let map = mapping(node, key: "storage") else { return nil }
        checkKnown(map, key: "storage", known: ["root", "format", "segment_seconds"])
        let root = string(map["root"], key: "storage.root", required: true)
        if let root, !root.hasPrefix("/") && !root.hasPrefix(".") && root.isEmpty {
            problem("storage.root", "is empty", "give the folder recordings go to, e.g. /var/lib/kuzet/recordings")
        }
        var format = AgentConfiguration.Storage.Format.fmp4
        if let text = string(map["format"], key: "storage.format") {
            if let parsed = AgentConfiguration.Storage.Format(rawValue: text) {
                format = parsed
            } else {
                problem("storage.format", "\"\(text)\" is not a known format", "use fmp4 (default) or mpegts")
            }
        }
        let seconds =
            integer(
                map["segment_seconds"], key: "storage.segment_seconds", range: 2...3600,
                fix: "use a value from 2 to 3600 (60 is usual)") ?? 60
        guard let root else { return nil }
        return .init(root: resolve(root), format: format, segmentSeconds: seconds)
    }

    mutating func readRetention(_ node: Node?) -> AgentConfiguration.Retention {
        var retention = AgentConfiguration.Retention()
        guard let node, let map = mapping(node, key: "retention") else { return retention }
        checkKnown(map, key: "retention", known: ["days", "min_free_percent"])
        if let days = integer(
            map["days"], key: "retention.days", range: 1...3650, fix: "use a whole number of days, at least 30")
        {
            if days < AgentConfiguration.Retention.legalMinimumDays {
                problem(
                    "retention.days",
                    "\(days) is below the legal minimum of \(AgentConfiguration.Retention.legalMinimumDays) days of footage a school must keep",
                    "set retention.days to 30 or more (add disk, or record some cameras from their sub stream: see `kuzet-agent check`)"
                )
            } else {
                retention.days = days
            }
        }
        if let percent = number(map["min_free_percent"], key: "retention.min_free_percent") {
            if (0.5...50).contains(percent) {
                retention.minFreePercent = percent
            } else {
                problem(
                    "retention.min_free_percent", "\(percent) is out of range",
                    "use a percentage from 0.5 to 50 (5 is usual)")
            }
        }
        return retention
    }

    mutating func readRegistry(_ node: Node) -> AgentConfiguration.Registry? {
        guard let map = mapping(node, key: "registry") else { return nil }
        checkKnown(
            map, key: "registry",
            known: ["url", "token_file", "interval_seconds", "ca_file", "client_cert", "client_key", "outbox"])
        let url = string(map["url"], key: "registry.url", required: true)
        if let url, !(url.hasPrefix("https://") || url.hasPrefix("http://")) || URL(string: url)?.host == nil {
            problem(
                "registry.url", "\"\(url)\" is not an http(s) URL",
                "use the registry's heartbeat URL, e.g. https://registry.example/api/v1/heartbeats")
        } else if let url, url.hasPrefix("http://"), let host = URL(string: url)?.host, !LoopbackHost.contains(host) {
            // The token and the school's state would cross the network in plain text.
            problem(
                "registry.url",
                "\"\(CredentialRedaction.redact(url))\" is plain http:// to another machine (the token would travel unencrypted)",
                "use https:// (with registry.ca_file if the registry's certificate is from your own authority); http:// is only for a registry on this box (127.0.0.1)"
            )
        }
        let interval =
            integer(
                map["interval_seconds"], key: "registry.interval_seconds", range: 1...3600,
                fix: "use 1 to 3600 seconds (30 is usual)") ?? 30
        let clientCert = string(map["client_cert"], key: "registry.client_cert").map(resolve)
        let clientKey = string(map["client_key"], key: "registry.client_key").map(resolve)
        if (clientCert == nil) != (clientKey == nil) {
            problem(
                "registry.client_cert", "is given without its pair (client_cert and client_key go together)",
                "set both registry.client_cert and registry.client_key, or neither")
        }
        guard let url else { return nil }
        return .init(
            url: url, tokenFile: string(map["token_file"], key: "registry.token_file").map(resolve),
            intervalSeconds: interval,
            caFile: readableFile(map["ca_file"], key: "registry.ca_file"), clientCert: clientCert, clientKey: clientKey,
            outbox: string(map["outbox"], key: "registry.outbox").map(resolve) ?? "/var/lib/kuzet/outbox"
        )
    }

    mutating func readCentre(_ node: Node) -> AgentConfiguration.Centre? {
        guard let map = mapping(node, key: "centre") else { return nil }
        checkKnown(map, key: "centre", known: ["push", "max_kbps", "ca_file"])
        var centre = AgentConfiguration.Centre()
        var pushProtocol: PushProtocol?
        if let push = string(map["push"], key: "centre.push") {
            pushProtocol = PushProtocol.of(url: push)
            if pushProtocol != nil {
                centre.push = push
            } else {
                problem(
                    "centre.push", "\"\(CredentialRedaction.redact(push))\" is not an \(PushProtocol.schemes()) URL",
                    "give the ЦОУ ingest URL, e.g. rtmp://cou.example/live/{school}/{camera}")
            }
        }
        centre.caFile = readableFile(map["ca_file"], key: "centre.ca_file")
        if centre.caFile != nil, let pushProtocol, !pushProtocol.verifiesCertificate {
            // FFmpeg 5.1's RTSP client opens its TLS connection without options: it cannot verify.
            let verified = PushProtocol.schemes(where: \.verifiesCertificate)
            problem(
                "centre.ca_file", "only applies to an \(verified) push (centre.push is \(pushProtocol.scheme)://)",
                "use an \(verified) ingest URL, or remove centre.ca_file")
        }
        if let kbps = integer(
            map["max_kbps"], key: "centre.max_kbps", range: 64...10_000_000,
            fix: "give the uplink budget in kbit/s, e.g. 8000")
        {
            centre.maxKbps = kbps
        }
        return centre
    }

    mutating func readRelay(_ node: Node) -> AgentConfiguration.Relay? {
        guard let map = mapping(node, key: "relay") else { return nil }
        checkKnown(
            map, key: "relay",
            known: [
                "listen", "username", "password", "password_file", "max_clients", "max_clients_per_camera",
                "max_connections",
                "max_connections_per_address", "request_timeout_seconds",
            ])
        let username = string(map["username"], key: "relay.username")
        let password = secret(map, key: "relay")
        if (username == nil) != (password == nil) {
            problem(
                "relay.username", "relay credentials are incomplete",
                "set both relay.username and relay.password (or password_file), or neither")
        }
        let maxClients =
            integer(
                map["max_clients"], key: "relay.max_clients", range: 1...10_000,
                fix: "give the most clients the relay serves at once, e.g. 100")
            ?? AgentConfiguration.Relay.defaultMaxClients
        let maxPerCamera =
            integer(
                map["max_clients_per_camera"], key: "relay.max_clients_per_camera", range: 1...10_000,
                fix: "give the most clients one camera stream serves at once, e.g. 20")
            ?? AgentConfiguration.Relay.defaultMaxClientsPerCamera
        let maxConnections = integer(
            map["max_connections"], key: "relay.max_connections", range: 1...20_000,
            fix:
                "give the most RTSP connections the relay keeps open, e.g. \(AgentConfiguration.Relay.defaultMaxConnections(maxClients: maxClients))"
        )
        let maxPerAddress =
            integer(
                map["max_connections_per_address"], key: "relay.max_connections_per_address", range: 1...20_000,
                fix:
                    "give the most RTSP connections one client address may keep open, e.g. 32 (a centre pulling 16 cameras' main and sub streams)"
            )
            ?? AgentConfiguration.Relay.defaultMaxConnectionsPerAddress
        let requestTimeout =
            integer(
                map["request_timeout_seconds"], key: "relay.request_timeout_seconds", range: 1...3600,
                fix: "give the seconds a client has to send a whole request, e.g. 10")
            ?? AgentConfiguration.Relay.defaultRequestTimeoutSeconds
        guard let listen = listenAddress(map["listen"], key: "relay.listen", required: true) else { return nil }
        if !listen.isLoopback && username == nil && password == nil {
            // The relay serves every camera: on the school's network it must ask who is pulling.
            problem(
                "relay.listen", "\(listen) is reachable from the network but the relay has no credentials",
                "set relay.username and relay.password_file (or listen on 127.0.0.1)")
        }
        return .init(
            listen: listen, username: username, password: password, maxClients: maxClients,
            maxClientsPerCamera: maxPerCamera,
            maxConnections: maxConnections, maxConnectionsPerAddress: maxPerAddress,
            requestTimeoutSeconds: requestTimeout)
    }

    mutating func readStatus(_ node: Node?) -> AgentConfiguration.Status {
        guard let node, let map = mapping(node, key: "status") else { return .init() }
        checkKnown(map, key: "status", known: ["listen", "password", "password_file", "time_zone"])
        var timeZone = PageTimeZone.almaty
        if let name = string(map["time_zone"], key: "status.time_zone") {
            if let zone = PageTimeZone(name) {
                timeZone = zone
            } else {
                problem(
                    "status.time_zone", "\"\(name.prefix(64))\" is not a zone",
                    "give an IANA name such as Asia/Almaty or an offset such as UTC+5")
            }
        }
        return .init(
            listen: listenAddress(map["listen"], key: "status.listen") ?? AgentConfiguration.Status().listen,
            password: secret(map, key: "status"), timeZone: timeZone
        )
    }

    mutating func readCameras(_ node: Node?, centre: AgentConfiguration.Centre?) -> [AgentConfiguration.Camera] {
        guard let node else { return [] }
        if case .scalar(let scalar) = node, scalar.string.isEmpty || scalar.string == "null" || scalar.string == "~" {
            return []
        }
        guard let sequence = node.sequence else {
            problem("cameras", "is not a list", "write cameras as a list: `cameras:` then `  - id: entrance` …")
            return []
        }
        var cameras: [AgentConfiguration.Camera] = []
        var seen = Set<String>()
        for (index, item) in sequence.enumerated() {
            guard let map = item.mapping else {
                problem("cameras[\(index)]", "is not a mapping", "give each camera as `- id: …` with `url: rtsp://…`")
                continue
            }
            let id = map["id"]?.string ?? ""
            let key = id.isEmpty ? "cameras[\(index)]" : "cameras[\(id)]"
            checkKnown(
                map, key: key,
                known: [
                    "id", "name", "url", "sub_url", "username", "password", "password_file", "transport", "record",
                    "push", "on_demand_close_seconds",
                ])
            if id.isEmpty {
                problem("\(key).id", "is missing", "give the camera an id of a-z, 0-9, - and _ (e.g. entrance)")
            } else if !CameraID.isValid(id) {
                problem(
                    "\(key).id", "\"\(id)\" has characters other than a-z, 0-9, - and _",
                    "rename it, e.g. \(CameraID.suggestion(for: id))")
            } else if !seen.insert(id).inserted {
                problem("\(key).id", "is used by more than one camera", "give every camera its own id")
            }
            let url = string(map["url"], key: "\(key).url", required: true)
            if let url { checkStreamURL(url, key: "\(key).url") }
            let subURL = string(map["sub_url"], key: "\(key).sub_url")
            if let subURL { checkStreamURL(subURL, key: "\(key).sub_url") }
            var transport = AgentConfiguration.Camera.Transport.tcp
            if let text = string(map["transport"], key: "\(key).transport") {
                if let parsed = AgentConfiguration.Camera.Transport(rawValue: text.lowercased()) {
                    transport = parsed
                } else {
                    problem("\(key).transport", "\"\(text)\" is not tcp or udp", "use tcp (default) or udp")
                }
            }
            let record = streamChoice(map["record"], key: "\(key).record", default: .main)
            let push = streamChoice(map["push"], key: "\(key).push", default: nil)
            if record == .sub && subURL == nil {
                problem("\(key).record", "is `sub` but the camera has no sub_url", "add sub_url or record: main")
            }
            if push == .sub && subURL == nil {
                problem("\(key).push", "is `sub` but the camera has no sub_url", "add sub_url or push: main")
            }
            if push != nil && centre?.push == nil {
                problem(
                    "\(key).push", "is set but centre.push is not",
                    "set centre.push to the ЦОУ ingest URL, or push: false")
            }
            let onDemandClose =
                integer(
                    map["on_demand_close_seconds"], key: "\(key).on_demand_close_seconds", range: 1...3600,
                    fix: "give the seconds a record: false camera stays open after its last viewer leaves, e.g. 20")
                ?? AgentConfiguration.Camera.defaultOnDemandCloseSeconds
            let camera = AgentConfiguration.Camera(
                id: id, url: url ?? "", subURL: subURL, username: string(map["username"], key: "\(key).username"),
                password: secret(map, key: key), transport: transport, record: record, push: push,
                onDemandCloseSeconds: onDemandClose
            )
            cameras.append(camera)
        }
        return cameras
    }

    // MARK: Values

    mutating func checkStreamURL(_ url: String, key: String) {
        guard let parsed = URLComponents(string: url), let scheme = parsed.scheme?.lowercased(),
            parsed.host?.isEmpty == false
        else {
            problem(
                key, "\"\(CredentialRedaction.redact(url))\" is not a URL",
                "give the camera's RTSP URL, e.g. rtsp://192.168.1.64:554/Streaming/Channels/101")
            return
        }
        if !["rtsp", "rtsps"].contains(scheme) {
            problem(
                key, "\"\(CredentialRedaction.redact(url))\" is not an rtsp:// URL",
                "give the camera's RTSP URL (run `kuzet-agent probe` or `discover` to find it)")
        }
        if parsed.password != nil {
            problem(key, "has a password inside the URL", "move it to username/password_file so it is never shown")
        }
    }

    mutating func streamChoice(_ node: Node?, key: String, default value: AgentConfiguration.Camera.StreamChoice?)
        -> AgentConfiguration.Camera.StreamChoice?
    {
        guard let node else { return value }
        if let flag = node.bool { return flag ? .main : nil }
        let text = node.string ?? ""
        if let choice = AgentConfiguration.Camera.StreamChoice(rawValue: text.lowercased()) { return choice }
        problem(key, "\"\(text)\" is not main, sub or false", "use main, sub or false")
        return value
    }

    /// `password:` or `password_file:` (read now; a missing file is a problem).
    mutating func secret(_ map: Node.Mapping, key: String) -> String? {
        if let inline = string(map["password"], key: "\(key).password") {
            if map["password_file"] != nil {
                problem("\(key).password", "and password_file are both set", "keep one of them")
            }
            return inline
        }
        guard let file = string(map["password_file"], key: "\(key).password_file") else { return nil }
        let path = resolve(file)
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            problem(
                "\(key).password_file", "\(path) cannot be read", "create it (mode 0600) with the password on one line")
            return nil
        }
        return text.trimmingCharacters(in: .newlines)
    }

    /// A PEM file the agent reads at run time (e.g. a `ca_file`): resolved, and refused now if it
    /// cannot be read, rather than at the first connection.
    mutating func readableFile(_ node: Node?, key: String) -> String? {
        guard let file = string(node, key: key) else { return nil }
        let path = resolve(file)
        guard FileManager.default.isReadableFile(atPath: path) else {
            problem(key, "\(path) cannot be read", "give the path of a readable PEM file")
            return nil
        }
        return path
    }

    mutating func listenAddress(_ node: Node?, key: String, required: Bool = false) -> ListenAddress? {
        guard let text = string(node, key: key, required: required) else { return nil }
        guard let address = ListenAddress(parsing: text) else {
            problem(key, "\"\(text)\" is not HOST:PORT", "use e.g. 127.0.0.1:8080 or 0.0.0.0:8554")
            return nil
        }
        return address
    }

    mutating func mapping(_ node: Node, key: String) -> Node.Mapping? {
        guard let map = node.mapping else {
            problem(key, "is not a mapping", "write it as `\(key):` followed by indented `key: value` lines")
            return nil
        }
        return map
    }

    mutating func checkKnown(_ map: Node.Mapping, key: String, known: Set<String>) {
        for name in map.keys.compactMap(\.string) where !known.contains(name) {
            let full = key.isEmpty ? name : "\(key).\(name)"
            let near = known.min { Self.distance($0, name) < Self.distance($1, name) }
            problem(
                full, "is not a known key",
                near.map { "did you mean \(key.isEmpty ? $0 : "\(key).\($0)")?" } ?? "remove it")
        }
    }

    mutating func string(_ node: Node?, key: String, required: Bool = false) -> String? {
        guard let node else {
            if required { problem(key, "is missing", "add it (see deploy/config/agent.yaml)") }
            return nil
        }
        guard case .scalar(let scalar) = node else {
            problem(key, "is not a single value", "give one value")
            return nil
        }
        return scalar.string
    }

    mutating func integer(_ node: Node?, key: String, range: ClosedRange<Int>, fix: String) -> Int? {
        guard let node else { return nil }
        guard let value = node.int else {
            problem(key, "\"\(node.string ?? "?")\" is not a whole number", fix)
            return nil
        }
        guard range.contains(value) else {
            problem(key, "\(value) is out of range", fix)
            return nil
        }
        return value
    }

    mutating func number(_ node: Node?, key: String) -> Double? {
        guard let node else { return nil }
        guard let value = node.float ?? node.int.map(Double.init) else {
            problem(key, "\"\(node.string ?? "?")\" is not a number", "give a number")
            return nil
        }
        return value
    }

    func resolve(_ path: String) -> String {
        path.hasPrefix("/") ? path : (baseDirectory as NSString).appendingPathComponent(path)
    }

    static func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a)
        let b = Array(b)
        var row = Array(0...b.count)
        for i in 1...max(a.count, 1) where !a.isEmpty {
            var previous = row[0]
            row[0] = i
            for j in 1...max(b.count, 1) where !b.isEmpty {
                let current = row[j]
                row[j] = min(row[j] + 1, row[j - 1] + 1, previous + (a[i - 1] == b[j - 1] ? 0 : 1))
                previous = current
            }
        }
        return row[b.count]
    }
}
