import Foundation
import KuzetTestKit

/// The built `kuzet-registry` as a process on loopback (plain HTTP, SQLite in a test folder), with
/// a school token for the agent and an operator token of the school's region, and the police API
/// spoken with the real `curl`.
final class RegistryProcess: Sendable {
    let process: ExternalProcess
    let port: Int
    let folder: String
    let schoolTokenFile: String
    let operatorToken: String
    let school: String
    /// The address it listens on, and the network namespace it runs in (`nil`: the test's own;
    /// the API calls are then made from inside that namespace too).
    let address: String
    let namespace: String?
    /// The CA the registry's HTTPS certificate chains to (`nil`: plain HTTP).
    let caFile: String?

    var base: String { "\(caFile == nil ? "http" : "https")://\(address):\(port)" }
    var heartbeatsURL: String { "\(base)/api/v1/heartbeats" }

    init(
        folder: String, school: String, region: String = "Astana", namespace: String? = nil,
        address: String = "127.0.0.1", tls: (identity: TestCertificateAuthority.Identity, caFile: String)? = nil
    ) throws {
        self.namespace = namespace
        self.caFile = tls?.caFile
        self.address = address
        let executable = try BuiltExecutable.path("kuzet-registry")
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let database = "sqlite:" + (folder as NSString).appendingPathComponent("registry.sqlite")
        func token(_ arguments: [String]) throws -> String {
            let (status, output) = try run(executable, ["token", "create"] + arguments + ["--database", database])
            guard status == 0, let token = output.split(separator: "\n").last.map(String.init) else {
                throw TestKitError("kuzet-registry token create \(arguments): \(output)")
            }
            return token
        }
        let schoolToken = try token(["--role", "school", "--school", school, "--region", region])
        schoolTokenFile = (folder as NSString).appendingPathComponent("school.token")
        try (schoolToken + "\n").write(toFile: schoolTokenFile, atomically: true, encoding: .utf8)
        operatorToken = try token(["--role", "operator", "--region", region])
        self.school = school
        self.folder = folder
        let serve =
            [
                "serve", "--database", database, "--listen", "\(address):0", "--evidence-dir",
                (folder as NSString).appendingPathComponent("evidence"),
            ] + (tls.map { ["--tls-cert", $0.identity.certificate, "--tls-key", $0.identity.key] } ?? [])
        let process = try ExternalProcess(
            namespace == nil ? executable : "/usr/sbin/ip",
            (namespace.map { ["netns", "exec", $0, executable] } ?? []) + serve, name: "kuzet-registry",
            logDirectory: folder)
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
        self.process = process
        port = bound
    }

    deinit { process.stop(signal: SIGKILL, timeout: 2) }

    /// One police API call with the operator's token: HTTP status and body.
    func call(_ method: String, _ path: String, json: String? = nil, output: String? = nil, headers: String? = nil)
        throws -> (status: Int, body: String)
    {
        var arguments = [
            "-s", "-m", "30", "-X", method, "-H", "Authorization: Bearer \(operatorToken)", "-w", "\n%{http_code}",
        ]
        if let json { arguments += ["-H", "Content-Type: application/json", "--data-binary", json] }
        if let output { arguments += ["-o", output] }
        if let headers { arguments += ["-D", headers] }
        if let caFile { arguments += ["--cacert", caFile] }
        arguments.append(base + path)
        let (status, text) =
            try namespace.map { try run("/usr/sbin/ip", ["netns", "exec", $0, "curl"] + arguments, timeout: 40) }
            ?? run("curl", arguments, timeout: 40)
        guard status == 0, let newline = text.lastIndex(of: "\n"), let code = Int(text[text.index(after: newline)...])
        else { throw TestKitError("curl \(method) \(path) failed: \(text)") }
        return (code, String(text[..<newline]))
    }

    /// `POST /api/v1/schools/{school}/commands`: the new command's id.
    func issue(_ json: String) throws -> String {
        let (status, body) = try call("POST", "/api/v1/schools/\(school)/commands", json: json)
        guard status == 202, let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let id = object["id"] as? String
        else { throw TestKitError("issuing \(json): HTTP \(status) \(body)") }
        return id
    }

    /// The command as `GET /api/v1/schools/{school}/commands` lists it.
    func command(_ id: String) -> [String: Any]? {
        guard let (status, body) = try? call("GET", "/api/v1/schools/\(school)/commands"), status == 200,
            let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let commands = object["commands"] as? [[String: Any]]
        else { return nil }
        return commands.first { $0["id"] as? String == id }
    }

    func state(_ id: String) -> String? { command(id)?["state"] as? String }
}
