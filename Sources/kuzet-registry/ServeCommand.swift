import ArgumentParser
import Foundation
import KuzetCore
import KuzetRegistry
import Logging
import ServiceLifecycle

struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve", abstract: "Serves the heartbeat API, the read API and the dashboard.")

    @Option(
        help:
            "sqlite:PATH or postgres://user:password@host:5432/database (default: $KUZET_REGISTRY_DATABASE, else sqlite:kuzet-registry.sqlite)"
    )
    var database: String?

    @Option(
        help:
            "HOST:PORT to listen on; port 0 picks a free one, the bound address is printed (default: $KUZET_REGISTRY_LISTEN, else 0.0.0.0:8443)."
    )
    var listen: String?

    @Option(name: .customLong("tls-cert"), help: "PEM certificate chain: serve HTTPS.")
    var tlsCert: String?

    @Option(name: .customLong("tls-key"), help: "PEM private key of --tls-cert.")
    var tlsKey: String?

    @Option(name: .customLong("tls-client-ca"), help: "PEM CA: require client certificates signed by it (mTLS).")
    var tlsClientCA: String?

    @Option(name: .customLong("offline-after-intervals"), help: "OFFLINE after this many missed reporting intervals.")
    var offlineAfterIntervals: Double = 3

    @Option(name: .customLong("minimum-retention-days"), help: "RETENTION_BELOW_MINIMUM under this many days.")
    var minimumRetentionDays: Double = 30

    @Option(name: .customLong("clock-skew-seconds"), help: "CLOCK_SKEW when an agent's clock is off by more than this.")
    var clockSkewSeconds: Double = 120

    @Option(name: .customLong("max-body-bytes"), help: "Largest heartbeat request accepted.")
    var maxBodyBytes: Int = 1 << 20

    @Option(
        name: .customLong("history-rows-per-hour"),
        help:
            "Heartbeats a school may add to history per hour; beyond, 429 with Retry-After (at least 1000, one batch).")
    var historyRowsPerHour: Int = Registry.defaultHistoryRowsPerHour

    @Option(
        name: .customLong("history-bytes-per-hour"),
        help:
            "Bytes of heartbeat JSON a school may add to history per hour; beyond, 429 with Retry-After (at least --max-body-bytes)."
    )
    var historyBytesPerHour: Int = Registry.defaultHistoryBytesPerHour

    @Option(
        name: .customLong("header-timeout"),
        help:
            "Seconds a client has to send a request's head (from its first byte, or from connecting); then 408 and close."
    )
    var headerTimeout: Double = 10

    @Option(
        name: .customLong("body-timeout"),
        help: "Seconds a client has to send a request's body after its head; then 408 and close.")
    var bodyTimeout: Double = 60

    @Option(
        name: .customLong("idle-timeout"),
        help: "Seconds a connection may wait for its next request after an answer; then it is closed.")
    var idleTimeout: Double = 75

    @Option(
        name: .customLong("max-connections"),
        help: "Open connections at most; one more is answered 503 and closed (keep LimitNOFILE above it).")
    var maxConnections: Int = 16_384

    @Option(
        name: .customLong("history-days"),
        help: "Keep each heartbeat's history this many days after it arrived (0: keep forever).")
    var historyDays: Double = 30

    @Option(
        name: .customLong("access-log"),
        help: "Log a line per request: off, errors (status ≥ 400: refused heartbeats, bad tokens; the default) or all.")
    var accessLog: AccessLog = .errors

    @Option(
        name: .customLong("trusted-proxy"),
        help:
            "IP address of a reverse proxy in front of the registry (repeatable; default: $KUZET_REGISTRY_TRUSTED_PROXIES, comma-separated): the access log then names the client from its X-Forwarded-For."
    )
    var trustedProxies: [String] = []

    @Option(
        name: .customLong("census-interval"),
        help:
            "Seconds between two counts of the schools by region and flag that /metrics shows (the store is not queried per scrape)."
    )
    var censusInterval: Double = 15

    @Option(
        name: .customLong("time-zone"),
        help:
            "Zone the dashboard shows times in: an IANA name or a fixed offset such as UTC+5 (default: $KUZET_REGISTRY_TIME_ZONE, else Asia/Almaty). The API and CSV keep ISO 8601."
    )
    var timeZone: String?

    // Issue 22: police commands.
    @Option(
        name: .customLong("evidence-dir"),
        help:
            "Folder for the clips and snapshots agents upload (default: $KUZET_REGISTRY_EVIDENCE_DIR, else kuzet-evidence beside the SQLite file or in the current directory)."
    )
    var evidenceDir: String?

    @Option(name: .customLong("max-clip-bytes"), help: "Largest clip or snapshot an agent may upload; beyond, 413.")
    var maxClipBytes: Int64 = 2 << 30

    @Option(
        name: .customLong("max-command-polls"),
        help: "Agents' command long-polls open at most on this instance; one more is answered 503 with Retry-After.")
    var maxCommandPolls: Int = 20_000
    @Option(
        name: .customLong("challenge-interval"),
        help:
            "Hours between two retention challenges of a school, on average (random times between half and one and a half of it)."
    )
    var challengeIntervalHours: Double = 6

    // Session 16, task P: records kept for a while, pruned by `RecordPruner`.
    @Option(
        name: .customLong("keep-day-roots-days"),
        help:
            "Keep signed day roots this many days after their day (at least --minimum-retention-days: challenges ask for days the school keeps)."
    )
    var keepDayRootsDays: Double = RecordKeeping().dayRootDays

    @Option(
        name: .customLong("keep-challenges-days"),
        help: "Keep retention challenges this many days after they were issued (each school's newest failed one stays)."
    )
    var keepChallengesDays: Double = RecordKeeping().challengeDays

    @Option(
        name: .customLong("keep-commands-days"),
        help:
            "Keep police commands this many days after their last update (those that brought evidence stay as long as the audit log)."
    )
    var keepCommandsDays: Double = RecordKeeping().commandDays

    @Option(
        name: .customLong("keep-audit-days"),
        help:
            "Keep the audit log of police commands, and the clips and snapshots in --evidence-dir, this many days (365…36500; default 1095, three years)."
    )
    var keepAuditDays: Double = RecordKeeping().auditDays

    @Option(
        name: .customLong("prune-interval"),
        help:
            "Seconds between two prunings of records older than their --keep-…-days and of the evidence folder (the first within a minute of start)."
    )
    var pruneInterval: Double = 3600

    @Flag(
        name: .customLong("insecure-http"),
        help:
            "Serve plain HTTP on an address other machines reach (without it, plain HTTP is refused unless --listen is loopback)."
    )
    var insecureHTTP = false

    func run() async throws {
        let database = DatabaseOption.resolve(database)
        let listen = OptionDefault.resolve(listen, environment: "KUZET_REGISTRY_LISTEN", otherwise: "0.0.0.0:8443")
        let location = try DatabaseLocation(parsing: database)
        let (host, port) = try ListenAddress.parse(listen)
        var problems: [String] = []
        if (tlsCert == nil) != (tlsKey == nil) {
            problems.append("--tls-cert/--tls-key: only one given — give both to serve HTTPS, or neither")
        }
        if let refusal = PlainHTTPPolicy.refusal(host: host, tls: tlsCert != nil, insecureHTTP: insecureHTTP) {
            problems.append(refusal)
        }
        if tlsClientCA != nil && tlsCert == nil {
            problems.append("--tls-client-ca: needs --tls-cert and --tls-key — mTLS runs over HTTPS")
        }
        if !(offlineAfterIntervals > 0 && offlineAfterIntervals <= 1000) {
            problems.append("--offline-after-intervals: \(offlineAfterIntervals) — give a number above 0 (default 3)")
        }
        if !(minimumRetentionDays > 0 && minimumRetentionDays <= 3650) {
            problems.append("--minimum-retention-days: \(minimumRetentionDays) — give 1…3650 (the legal minimum is 30)")
        }
        if !(clockSkewSeconds > 0) {
            problems.append("--clock-skew-seconds: \(clockSkewSeconds) — give a number of seconds above 0")
        }
        if !(challengeIntervalHours >= 0.01 && challengeIntervalHours <= 24 * 30) {
            problems.append(
                "--challenge-interval: \(String(format: "%g", challengeIntervalHours)) — give 0.01…720 hours (default 6)"
            )
        }
        if !(historyDays >= 0 && historyDays <= 3650) {
            problems.append(
                "--history-days: \(String(format: "%g", historyDays)) — give 0…3650 (0 keeps history forever; default 30)"
            )
        }
        problems += keepingProblems()
        if !(1024...(256 << 20)).contains(maxBodyBytes) {
            problems.append("--max-body-bytes: \(maxBodyBytes) — give 1024…268435456")
        }
        if historyRowsPerHour < 1000 {
            problems.append(
                "--history-rows-per-hour: \(historyRowsPerHour) — give at least 1000 (an agent's batch holds up to 1000)"
            )
        }
        if historyBytesPerHour < maxBodyBytes {
            problems.append(
                "--history-bytes-per-hour: \(historyBytesPerHour) — give at least --max-body-bytes (\(maxBodyBytes))")
        }
        for (flag, seconds) in [
            ("--header-timeout", headerTimeout), ("--body-timeout", bodyTimeout), ("--idle-timeout", idleTimeout),
        ]
        where !(seconds >= 1 && seconds <= 3600) {
            problems.append("\(flag): \(String(format: "%g", seconds)) — give 1…3600 seconds")
        }
        if !(censusInterval >= 0.1 && censusInterval <= 3600) {
            problems.append(
                "--census-interval: \(String(format: "%g", censusInterval)) — give 0.1…3600 seconds (default 15)")
        }
        if !(16...1_000_000).contains(maxConnections) {
            problems.append("--max-connections: \(maxConnections) — give 16…1000000 (and LimitNOFILE above it)")
        }
        let proxies =
            trustedProxies.isEmpty
            ? (ProcessInfo.processInfo.environment["KUZET_REGISTRY_TRUSTED_PROXIES"] ?? "").split(separator: ",").map {
                $0.trimmingCharacters(in: .whitespaces)
            }.filter { !$0.isEmpty }
            : trustedProxies
        for proxy in proxies where !RegistryServer.isIPAddress(proxy) {
            problems.append(
                "--trusted-proxy: \"\(proxy.prefix(60))\" is not an IP address — give the proxy's address as it connects, e.g. 127.0.0.1 or ::1"
            )
        }
        let zoneName = OptionDefault.resolve(
            timeZone, environment: "KUZET_REGISTRY_TIME_ZONE", otherwise: PageTimeZone.defaultName)
        let pageTimeZone = PageTimeZone(zoneName)
        if pageTimeZone == nil {
            problems.append(
                "--time-zone: \"\(zoneName.prefix(64))\" is not a zone — give an IANA name such as Asia/Almaty or an offset such as UTC+5"
            )
        }
        if !(1 << 20...1 << 40).contains(maxClipBytes) {
            problems.append("--max-clip-bytes: \(maxClipBytes) — give 1048576…1099511627776")
        }
        if !(1...1_000_000).contains(maxCommandPolls) {
            problems.append("--max-command-polls: \(maxCommandPolls) — give 1…1000000 (below --max-connections)")
        }
        let evidenceDirectory = OptionDefault.resolve(
            evidenceDir, environment: "KUZET_REGISTRY_EVIDENCE_DIR",
            otherwise: {
                if case .sqlite(let path) = location {
                    return ((path as NSString).deletingLastPathComponent as NSString).appendingPathComponent(
                        "kuzet-evidence")
                }
                return "kuzet-evidence"
            }())
        do {
            try FileManager.default.createDirectory(atPath: evidenceDirectory, withIntermediateDirectories: true)
        } catch {
            problems.append(
                "--evidence-dir \(evidenceDirectory): cannot create it (\(error.localizedDescription)) — give a writable folder"
            )
        }
        if !problems.isEmpty { throw CommandFailure(lines: problems, exitCode: 2) }

        let logger = Logger(label: "kuzet.registry")
        if PlainHTTPPolicy.isExposed(host: host, tls: tlsCert != nil) {
            logger.warning(
                "--insecure-http: serving plain HTTP on \(listen) — tokens and the dashboard cookie cross the network unencrypted; give --tls-cert and --tls-key"
            )
        }
        let (store, service) = try RegistryStores.open(location, logger: logger)
        var registry = Registry(
            store: store,
            policy: FlagPolicy(
                offlineAfterIntervals: offlineAfterIntervals, minimumRetentionDays: minimumRetentionDays,
                clockSkewSeconds: clockSkewSeconds),
            maximumBodyBytes: maxBodyBytes, historyRowsPerHour: historyRowsPerHour,
            historyBytesPerHour: historyBytesPerHour, logger: logger)
        registry.pageTimeZone = pageTimeZone ?? .almaty
        registry.commandWaiters = CommandWaiters(maximum: maxCommandPolls)
        registry.evidence = EvidenceStore(directory: evidenceDirectory, maximumBytes: maxClipBytes)
        registry.retentionProofs.challengeInterval = challengeIntervalHours * 3600
        let tls = tlsCert.map { RegistryTLS(certificatePath: $0, keyPath: tlsKey ?? "", clientCAPath: tlsClientCA) }
        var server = RegistryServer(
            registry: registry, host: host, port: port, tls: tls, accessLog: accessLog, trustedProxies: proxies,
            logger: logger)
        server.connectionLimits = ConnectionLimits(
            headerTimeout: .milliseconds(Int64(headerTimeout * 1000)),
            bodyTimeout: .milliseconds(Int64(bodyTimeout * 1000)),
            idleTimeout: .milliseconds(Int64(idleTimeout * 1000)), maximumConnections: maxConnections)
        do {
            var services: [any Service] = service.map { [$0] } ?? []
            services.append(
                SchoolCensusService(registry: registry, interval: .milliseconds(Int64(censusInterval * 1000))))
            services.append(PendingCommandWatch(registry: registry))
            var keeping = RecordKeeping()
            keeping.dayRootDays = keepDayRootsDays
            keeping.challengeDays = keepChallengesDays
            keeping.commandDays = keepCommandsDays
            keeping.auditDays = keepAuditDays
            services.append(
                RecordPruner(
                    store: store, keeping: keeping, evidence: registry.evidence,
                    interval: .milliseconds(Int64(pruneInterval * 1000)),
                    logger: Logger(label: "kuzet.registry.pruning")))
            if historyDays > 0 {
                services.append(
                    HistoryPruner(store: store, days: historyDays, logger: Logger(label: "kuzet.registry.history")))
            }
            try await server.run(services: services, location: location) { address in
                printLine("kuzet-registry listening on \(address)")
            }
        } catch let failure as CommandFailure {
            throw failure
        } catch {
            throw CommandFailure.runtime(
                "serve \(listen): \(String(describing: error).prefix(300)) — check the address is free and the database reachable"
            )
        }
    }
}

extension ServeCommand {
    /// `--keep-…-days` and `--prune-interval` out of range, each with what to give.
    func keepingProblems() -> [String] {
        var problems: [String] = []
        func days(_ value: Double) -> String { String(format: "%g", value) }
        if !(keepDayRootsDays >= minimumRetentionDays && keepDayRootsDays <= 36_500) {
            problems.append(
                "--keep-day-roots-days: \(days(keepDayRootsDays)) — give \(days(minimumRetentionDays))…36500 (at least --minimum-retention-days, which challenges reach; default 90)"
            )
        }
        for (flag, value) in [
            ("--keep-challenges-days", keepChallengesDays), ("--keep-commands-days", keepCommandsDays),
        ]
        where !(value >= 8 && value <= 36_500) {
            problems.append("\(flag): \(days(value)) — give 8…36500 (default 90)")
        }
        if !(keepAuditDays >= 365 && keepAuditDays <= 36_500) {
            problems.append(
                "--keep-audit-days: \(days(keepAuditDays)) — give 365…36500 (police access to footage is kept at least a year; default 1095)"
            )
        }
        if !(pruneInterval >= 1 && pruneInterval <= 86_400) {
            problems.append("--prune-interval: \(days(pruneInterval)) — give 1…86400 seconds (default 3600)")
        }
        return problems
    }
}

/// An option's value, else a non-empty environment variable, else the built-in default. The systemd
/// unit sets the variables, so a PostgreSQL password need not be on the command line (where `ps`
/// shows it).
enum OptionDefault {
    static func resolve(_ option: String?, environment variable: String, otherwise fallback: String) -> String {
        option ?? ProcessInfo.processInfo.environment[variable].flatMap { $0.isEmpty ? nil : $0 } ?? fallback
    }
}

/// `--database`, else `$KUZET_REGISTRY_DATABASE`, else the SQLite file in the current directory.
enum DatabaseOption {
    static func resolve(_ option: String?) -> String {
        OptionDefault.resolve(option, environment: "KUZET_REGISTRY_DATABASE", otherwise: "sqlite:kuzet-registry.sqlite")
    }
}

/// `HOST:PORT` (IPv6 as `[::1]:PORT`).
enum ListenAddress {
    static func parse(_ text: String) throws -> (String, Int) {
        guard let colon = text.lastIndex(of: ":") else {
            throw CommandFailure.usage(
                "--listen: \"\(text)\" has no port — write HOST:PORT, e.g. 0.0.0.0:8443 or 127.0.0.1:0")
        }
        var host = String(text[..<colon])
        if host.hasPrefix("[") && host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard !host.isEmpty, let port = Int(text[text.index(after: colon)...]), (0...65535).contains(port) else {
            throw CommandFailure.usage(
                "--listen: \"\(text)\" is not HOST:PORT — write e.g. 0.0.0.0:8443 (port 0…65535)")
        }
        return (host, port)
    }
}

extension AccessLog: ExpressibleByArgument {}
