import Foundation
import KuzetCurl
import KuzetTestKit

/// The real `kuzet-registry` (built with the package) on SQLite in a test folder, serving HTTPS
/// with the test's certificates, optionally requiring client certificates.
final class RealRegistry: Sendable {
    let process: ExternalProcess
    let port: Int
    let database: String
    let adminToken: String

    var heartbeatsURL: String { "https://127.0.0.1:\(port)/api/v1/heartbeats" }

    static var executable: String {
        if let given = ProcessInfo.processInfo.environment["KUZET_REGISTRY_BINARY"] { return given }
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("kuzet-registry").path
        if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/kuzet-registry").path
    }

    /// Whether the package's `kuzet-registry` is the real one (it serves with `--tls-client-ca`),
    /// not the skeleton's placeholder: the tests against it are enabled only then.
    static let isAvailable: Bool = {
        guard FileManager.default.isExecutableFile(atPath: executable),
            let help = try? run(executable, ["serve", "--help"], timeout: 30)
        else { return false }
        return help.output.contains("--tls-client-ca")
    }()

    /// Registers the world's school with a new token (written to `world.tokenFile`) and starts serving.
    static func start(world: RegistryWorld, mutualTLS: Bool, port: Int = 0, database: String? = nil) throws
        -> RealRegistry
    {
        let database = database ?? "sqlite:" + world.folder.file("registry.sqlite")
        let adminToken: String
        if database.hasPrefix("sqlite:"), !FileManager.default.fileExists(atPath: String(database.dropFirst(7))) {
            let school = try run(
                executable,
                [
                    "token", "create", "--role", "school", "--school", Fixtures.school, "--name", "School No. 42",
                    "--region", "Astana", "--database", database,
                ])
            guard school.status == 0, let token = school.output.split(separator: "\n").last.map(String.init) else {
                throw TestKitError("kuzet-registry token create failed: \(school.output)")
            }
            try (token + "\n").write(toFile: world.tokenFile, atomically: true, encoding: .utf8)
            let admin = try run(executable, ["token", "create", "--role", "admin", "--database", database])
            guard admin.status == 0, let token = admin.output.split(separator: "\n").last.map(String.init) else {
                throw TestKitError("kuzet-registry token create --role admin failed: \(admin.output)")
            }
            adminToken = token
            try adminToken.write(toFile: world.folder.file("admin-token"), atomically: true, encoding: .utf8)
        } else {
            adminToken = try String(contentsOfFile: world.folder.file("admin-token"), encoding: .utf8)
        }
        var arguments = [
            "serve", "--database", database, "--listen", "127.0.0.1:\(port)", "--tls-cert",
            world.serverIdentity.certificate, "--tls-key",
            world.serverIdentity.key,
        ]
        if mutualTLS { arguments += ["--tls-client-ca", world.authority.certificate] }
        let (launcher, launched) = DiesWithTheTest.wrap(executable, arguments)
        let process = try ExternalProcess(launcher, launched, name: "kuzet-registry", logDirectory: world.folder.path)
        var bound: Int?
        _ = eventually(timeout: 30) {
            if let line = process.output.split(separator: "\n").first(where: { $0.contains("listening on") }),
                let digits = line.split(separator: ":").last.map({ $0.prefix { $0.isNumber } }), let value = Int(digits)
            {
                bound = value
            }
            return bound != nil || !process.isRunning
        }
        guard let bound else {
            process.stop(signal: SIGKILL)
            throw TestKitError("kuzet-registry did not start: \(process.output.prefix(2000))")
        }
        return RealRegistry(process: process, port: bound, database: database, adminToken: adminToken)
    }

    private init(process: ExternalProcess, port: Int, database: String, adminToken: String) {
        self.process = process
        self.port = port
        self.database = database
        self.adminToken = adminToken
    }

    /// `GET /api/v1/schools/{id}` as the admin, over the same libcurl client the agent uses.
    func school(world: RegistryWorld) async throws -> [String: Any] {
        let client = HTTPClient(
            configuration: .init(
                tls: TLSConfiguration(
                    caFile: world.authority.certificate, clientCertificate: world.clientIdentity.certificate,
                    clientKey: world.clientIdentity.key)))
        let response = try await client.perform(
            HTTPRequest(
                url: "https://127.0.0.1:\(port)/api/v1/schools/\(Fixtures.school)",
                headers: [("Accept", "application/json"), ("Authorization", "Bearer \(adminToken)")]))
        guard response.status == 200,
            let object = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
        else {
            throw TestKitError("GET school: HTTP \(response.status) \(response.bodyText.prefix(300))")
        }
        return object
    }

    /// The highest sequence the registry stored for the school.
    func lastSequence(world: RegistryWorld) async -> UInt64? {
        guard let detail = try? await school(world: world), let school = detail["school"] as? [String: Any] else {
            return nil
        }
        return (school["last_sequence"] as? NSNumber)?.uint64Value
    }

    /// Sequences of the registry's recent history (newest 20), ascending.
    func historySequences(world: RegistryWorld) async throws -> [UInt64] {
        let history = try await school(world: world)["history"] as? [[String: Any]] ?? []
        return history.compactMap { ($0["sequence"] as? NSNumber)?.uint64Value }.sorted()
    }

    func stop() { process.stop(signal: SIGTERM, timeout: 5) }
    deinit { process.stop(signal: SIGKILL, timeout: 2) }
}

extension LogRecorder {
    /// What the registry's receipts said, summed over every delivered batch the uplink logged.
    func receiptTotals() -> (accepted: Int, duplicates: Int, delivered: [ClosedRange<UInt64>]) {
        var accepted = 0
        var duplicates = 0
        var ranges: [ClosedRange<UInt64>] = []
        for entry in entries where entry.message == "Heartbeats delivered" {
            accepted += Int(entry.metadata["registry.accepted"] ?? "") ?? 0
            duplicates += Int(entry.metadata["registry.duplicates"] ?? "") ?? 0
            if let first = UInt64(entry.metadata["uplink.first_sequence"] ?? ""),
                let last = UInt64(entry.metadata["uplink.last_sequence"] ?? "")
            {
                ranges.append(first...last)
            }
        }
        return (accepted, duplicates, ranges)
    }
}
