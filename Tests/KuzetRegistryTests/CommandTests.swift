import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import NIOCore
import Testing

@Suite("kuzet-registry commands", .serialized, .timeLimit(.minutes(3)))
struct CommandTests {
    @Test("token create prints the token alone on the last stdout line and the server accepts it")
    func tokenCreateAndServe() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-registry-cli")
        let database = "sqlite:" + directory.file("registry.sqlite")
        let token = try RegistryExecutable.createToken([
            "--role", "school", "--school", "KZ-AST-0042", "--name", "School No. 42", "--region", "Astana",
            "--database", database,
        ])
        #expect(token.hasPrefix("kzs_") && token.count > 40 && !token.contains(" "))
        let viewer = try RegistryExecutable.createToken(["--role", "viewer", "--database", database])
        let server = try RegistryProcess(["--database", database])
        #expect(server.url.hasPrefix("http://127.0.0.1:"))
        let heartbeat = Sample(schoolID: "KZ-AST-0042").heartbeat(1, at: Date()).json
        let post = try curl([
            "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json", "--data-binary",
            String(decoding: heartbeat, as: UTF8.self), server.url + "/api/v1/heartbeats",
        ])
        #expect(post.status == 200, "\(post.body)")
        let report = try curl(["-H", "Authorization: Bearer \(viewer)", server.url + "/api/v1/report?format=csv"])
        #expect(report.body.contains("Astana,1,1,100.0,1,100.0,1,100.0"), "\(report.body)")
        // The token is in no log line and not in the database file.
        #expect(!server.process.output.contains(token))
        let bytes =
            (FileManager.default.contents(atPath: directory.file("registry.sqlite")) ?? Data())
            + (FileManager.default.contents(atPath: directory.file("registry.sqlite-wal")) ?? Data())
        #expect(bytes.range(of: Data(token.utf8)) == nil)
    }

    @Test(
        "token revoke, with the database from KUZET_REGISTRY_DATABASE: the revoked token is refused, the others still work"
    )
    func tokenRevoke() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-registry-revoke")
        let environment = ["KUZET_REGISTRY_DATABASE": "sqlite:" + directory.file("registry.sqlite")]
        func token(_ arguments: [String]) throws -> String {
            let (status, output) = try RegistryExecutable.run(
                ["token", "create"] + arguments, environment: environment)
            guard status == 0, let last = output.split(separator: "\n").last else {
                throw TestKitError("token create failed (\(status)): \(output)")
            }
            return String(last)
        }
        let revoked = try token(["--role", "viewer"])
        let kept = try token(["--role", "viewer", "--region", "Astana"])
        let list = try RegistryExecutable.run(["token", "list"], environment: environment)
        #expect(list.status == 0 && list.output.split(separator: "\n").count == 2, "\(list.output)")
        let prefix = String(AccessToken.hash(revoked).prefix(10))
        #expect(list.output.contains(prefix))

        let revoke = try RegistryExecutable.run(["token", "revoke", prefix], environment: environment)
        #expect(revoke.status == 0, "\(revoke.output)")
        #expect(revoke.output.contains("revoked \(prefix)") && revoke.output.contains("viewer"), "\(revoke.output)")
        let again = try RegistryExecutable.run(["token", "revoke", prefix], environment: environment)
        #expect(
            again.status == 1 && again.output.contains("no token's hash starts with it")
                && again.output.contains(" — "), "\(again.output)")
        let short = try RegistryExecutable.run(["token", "revoke", "abc"], environment: environment)
        #expect(short.status == 2 && short.output.contains("at least 8 hex characters"), "\(short.output)")

        let server = try RegistryProcess(["--database", environment["KUZET_REGISTRY_DATABASE"]!])
        #expect(try curl(["-H", "Authorization: Bearer \(revoked)", server.url + "/api/v1/report"]).status == 401)
        #expect(try curl(["-H", "Authorization: Bearer \(kept)", server.url + "/api/v1/report"]).status == 200)

        // The server now remembers `kept`; revoked from another process, it is refused within seconds.
        let keptPrefix = String(AccessToken.hash(kept).prefix(10))
        let second = try RegistryExecutable.run(["token", "revoke", keptPrefix], environment: environment)
        #expect(
            second.status == 0 && second.output.contains("running instances refuse it within 2 s"), "\(second.output)")
        let revokedAt = Date()
        var status = try curl(["-H", "Authorization: Bearer \(kept)", server.url + "/api/v1/report"]).status
        while status == 200, Date().timeIntervalSince(revokedAt) < 8 {
            Thread.sleep(forTimeInterval: 0.1)
            status = try curl(["-H", "Authorization: Bearer \(kept)", server.url + "/api/v1/report"]).status
        }
        #expect(status == 401)
        #expect(
            Date().timeIntervalSince(revokedAt) < 5,
            "the running server still took the revoked token \(Date().timeIntervalSince(revokedAt)) s later")
    }

    @Test(
        "school remove deletes the school and its tokens, also against a running server that holds the token; an unknown id exits 1, a malformed one 2"
    )
    func schoolRemove() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-registry-remove")
        let database = "sqlite:" + directory.file("registry.sqlite")
        let token = try RegistryExecutable.createToken([
            "--role", "school", "--school", "KZ-AST-0099", "--region", "Astana", "--database", database,
        ])
        let sample = Sample(schoolID: "KZ-AST-0099")
        func post(_ sequence: UInt64, to server: RegistryProcess) throws -> (status: Int, body: String) {
            let heartbeat = sample.heartbeat(sequence, at: Date()).json
            return try curl([
                "-H", "Authorization: Bearer \(token)", "-H", "Content-Type: application/json",
                "--data-binary", String(decoding: heartbeat, as: UTF8.self), server.url + "/api/v1/heartbeats",
            ])
        }
        // A server that has just recognised the token (and remembers it for a minute).
        let running = try RegistryProcess(["--database", database])
        let before = try post(1, to: running)
        #expect(before.status == 200, "\(before.body)")

        let removed = try RegistryExecutable.run(["school", "remove", "KZ-AST-0099", "--database", database])
        #expect(removed.status == 0, "\(removed.output)")
        #expect(
            removed.output.contains("removed school KZ-AST-0099") && removed.output.contains("1 token(s)")
                && removed.output.contains("1 heartbeat(s)"), "\(removed.output)")

        let after = try post(2, to: running)
        #expect(after.status == 401, "the running server refuses the removed school's heartbeat: \(after.body)")
        #expect(
            after.body.contains("school_removed") && after.body.contains("KZ-AST-0099 was removed"), "\(after.body)")
        let unknown = try RegistryExecutable.run(["school", "remove", "KZ-AST-0099", "--database", database])
        #expect(
            unknown.status == 1 && unknown.output.contains("ID KZ-AST-0099: no such school")
                && unknown.output.contains(" — "),
            "the refused heartbeat did not register the school again: \(unknown.output)")
        let malformed = try RegistryExecutable.run(["school", "remove", "bad id!", "--database", database])
        #expect(malformed.status == 2 && malformed.output.contains("is not a school id"), "\(malformed.output)")

        let fresh = try RegistryProcess(["--database", database])
        let refused = try post(3, to: fresh)
        #expect(refused.status == 401, "a new server does not know the token at all: \(refused.body)")
    }

    @Test("SIGTERM while the PostgreSQL server is unreachable stops serve at once, saying why")
    func stopWhileDatabaseUnreachable() throws {
        let port = freeLoopbackPort() // nothing listens there
        let process = try ExternalProcess(
            try RegistryExecutable.path,
            ["serve", "--database", "postgres://kuzet@127.0.0.1:\(port)/kuzet", "--listen", "127.0.0.1:0"],
            environment: [:])
        Thread.sleep(forTimeInterval: 2)
        #expect(process.process.isRunning, "still waiting for the database: \(process.output)")
        let stopped = Date()
        kill(process.pid, SIGTERM)
        let status = process.waitForExit(timeout: 10)
        if status == nil { process.stop(signal: SIGKILL) }
        #expect(status == 1, "\(process.output)")
        #expect(Date().timeIntervalSince(stopped) < 5)
        #expect(process.output.contains("stopped (SIGTERM/SIGINT) while waiting for the database"), "\(process.output)")
    }

    @Test("bad usage exits 2 with one `where: what — what to do` line per problem")
    func badUsage() throws {
        let cases: [([String], String)] = [
            (["token", "create", "--role", "teacher"], "--role: \"teacher\" is not a role"),
            (["token", "create", "--role", "school", "--region", "Astana"], "--school: missing"),
            (
                ["token", "create", "--role", "school", "--school", "bad id!", "--region", "Astana"],
                "--school: \"bad id!\" is not a school id"
            ),
            (
                ["token", "create", "--role", "school", "--school", "KZ-AST-0042"],
                "--region: missing — a school token needs --region R"
            ),
            (
                ["token", "create", "--role", "admin", "--region", "Astana"],
                "--region: an admin token reads every region"
            ),
            (["serve", "--database", "mysql://x"], "--database: \"mysql://x\" is not a database URL"),
            (["serve", "--listen", "nowhere"], "--listen: \"nowhere\" has no port"),
            (["serve", "--tls-cert", "/tmp/x.pem"], "--tls-cert/--tls-key: only one given"),
            (["serve", "--history-days=-1"], "--history-days: -1 — give 0…3650"),
        ]
        for (arguments, expected) in cases {
            let (status, output) = try RegistryExecutable.run(arguments)
            #expect(status == 2, "\(arguments): \(output)")
            #expect(output.contains(expected), "\(arguments): \(output)")
            #expect(output.contains(" — "), "\(arguments): \(output)")
        }
    }

    @Test("a database that cannot be opened exits 1 saying what to check")
    func runtimeFailure() throws {
        let (status, output) = try RegistryExecutable.run([
            "token", "create", "--role", "admin", "--database", "sqlite:/nonexistent-dir/x/registry.sqlite",
        ])
        #expect(status == 1, "\(output)")
        #expect(output.contains("sqlite:/nonexistent-dir/x/registry.sqlite") && output.contains(" — "), "\(output)")
    }

    @Test("--help exits 0 and lists the subcommands")
    func help() throws {
        let (status, output) = try RegistryExecutable.run(["--help"])
        #expect(status == 0)
        #expect(output.contains("serve") && output.contains("token"))
    }
}
