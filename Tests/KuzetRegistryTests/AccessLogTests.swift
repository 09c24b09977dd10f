import Foundation
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Testing

/// `serve --access-log`: which requests get a line, and what a line says (never a token).
@Suite("kuzet-registry serve --access-log", .serialized, .timeLimit(.minutes(3)))
struct AccessLogTests {
    struct Setup {
        let directory: TemporaryDirectory
        let database: String
        let school: String
        let viewer: String
    }

    func setup() throws -> Setup {
        let directory = try TemporaryDirectory(prefix: "kuzet-registry-access")
        let database = "sqlite:" + directory.file("registry.sqlite")
        let school = try RegistryExecutable.createToken([
            "--role", "school", "--school", "KZ-AST-0042", "--region", "Astana", "--database", database,
        ])
        let viewer = try RegistryExecutable.createToken([
            "--role", "viewer", "--region", "Astana", "--database", database,
        ])
        return Setup(directory: directory, database: database, school: school, viewer: viewer)
    }

    /// The access log's lines in the server's output (its label is `kuzet.registry.access`).
    func accessLines(_ server: RegistryProcess) -> [String] {
        server.process.output.split(separator: "\n").map(String.init).filter { $0.contains("kuzet.registry.access") }
    }

    @Test("errors (the default): refused requests are logged with the caller and the reason; accepted ones are not")
    func refusedRequestsAreLogged() throws {
        let setup = try setup()
        let server = try RegistryProcess(["--database", setup.database])
        let heartbeat = String(decoding: Sample(schoolID: "KZ-AST-0042").heartbeat(1, at: Date()).json, as: UTF8.self)
        let accepted = try curl([
            "-H", "Authorization: Bearer \(setup.school)", "-H", "Content-Type: application/json", "--data-binary",
            heartbeat, server.url + "/api/v1/heartbeats",
        ])
        #expect(accepted.status == 200, "\(accepted.body)")
        let wrongToken = try curl([
            "-H", "Authorization: Bearer kzs_not-a-real-token", "-H", "Content-Type: application/json", "--data-binary",
            heartbeat, server.url + "/api/v1/heartbeats?x=1",
        ])
        #expect(wrongToken.status == 401)
        let invalid = try curl([
            "-H", "Authorization: Bearer \(setup.school)", "-H", "Content-Type: application/json", "--data-binary",
            #"{"version": 99}"#, server.url + "/api/v1/heartbeats",
        ])
        #expect(invalid.status == 422 || invalid.status == 400, "\(invalid.body)")
        let forbidden = try curl(["-H", "Authorization: Bearer \(setup.school)", server.url + "/api/v1/report"])
        #expect(forbidden.status == 403)

        // Stopped (SIGTERM, waited for): every line it would write is in its output.
        server.process.stop()
        let lines = accessLines(server)
        #expect(lines.count == 3, "\(lines)")
        let unauthorized = try #require(lines.first { $0.contains("POST /api/v1/heartbeats 401") }, "\(lines)")
        #expect(
            unauthorized.contains("client.address=127.0.0.1") && unauthorized.contains("http.problem=Authorization:"),
            "\(unauthorized)")
        #expect(!unauthorized.contains("x=1"), "the query string is not logged: \(unauthorized)")
        let rejected = try #require(
            lines.first { $0.contains("POST /api/v1/heartbeats 4") && !$0.contains(" 401") }, "\(lines)")
        #expect(
            rejected.contains("caller.role=school") && rejected.contains("caller.school=KZ-AST-0042")
                && rejected.contains("http.problem="), "\(rejected)")
        let refusedRead = try #require(lines.first { $0.contains("GET /api/v1/report 403") }, "\(lines)")
        #expect(refusedRead.contains("caller.school=KZ-AST-0042"), "\(refusedRead)")
        // No token, good or bad, in any line the server wrote.
        let output = server.process.output
        #expect(!output.contains(setup.school) && !output.contains("kzs_not-a-real-token"))
    }

    @Test("all: every request has a line, with its status and time; off: none")
    func allAndOff() throws {
        let setup = try setup()
        let all = try RegistryProcess(["--database", setup.database, "--access-log", "all"])
        #expect(try curl(["-H", "Authorization: Bearer \(setup.viewer)", all.url + "/api/v1/report"]).status == 200)
        all.process.stop()
        let line = try #require(accessLines(all).first { $0.contains("GET /api/v1/report 200") }, "\(accessLines(all))")
        #expect(
            line.contains("caller.role=viewer") && line.contains("caller.region=Astana")
                && line.contains("http.duration_ms="), "\(line)")
        #expect(!all.process.output.contains(setup.viewer))

        let off = try RegistryProcess(["--database", setup.database, "--access-log", "off"])
        #expect(try curl([off.url + "/api/v1/report"]).status == 401)
        #expect(try curl(["-H", "Authorization: Bearer \(setup.viewer)", off.url + "/api/v1/report"]).status == 200)
        off.process.stop()
        #expect(accessLines(off).isEmpty, "\(accessLines(off))")

        let wrong = try RegistryExecutable.run(["serve", "--database", setup.database, "--access-log", "verbose"])
        #expect(wrong.status == 64 || wrong.status == 2, "\(wrong.output)")
        #expect(
            wrong.output.contains("--access-log") && wrong.output.contains("off") && wrong.output.contains("errors"),
            "\(wrong.output)")
    }

    @Test(
        "--trusted-proxy: behind it the line names the client from X-Forwarded-For and the proxy; without it the header is ignored"
    )
    func trustedProxy() throws {
        let setup = try setup()
        // curl plays the proxy: it connects from 127.0.0.1 and sends the header a proxy appends to.
        let proxied = try RegistryProcess([
            "--database", setup.database, "--trusted-proxy", "127.0.0.1", "--trusted-proxy", "::1",
        ])
        let forwarded = ["-H", "X-Forwarded-For: unknown, 198.51.100.23, 127.0.0.1", proxied.url + "/api/v1/report"]
        #expect(try curl(["-H", "Authorization: Bearer kzv_wrong"] + forwarded).status == 401)
        proxied.process.stop()
        let line = try #require(
            accessLines(proxied).first { $0.contains("GET /api/v1/report 401") }, "\(accessLines(proxied))")
        #expect(line.contains("client.address=198.51.100.23") && line.contains("proxy.address=127.0.0.1"), "\(line)")

        // Not from a trusted proxy: anyone can write the header, so the peer's address is logged.
        let direct = try RegistryProcess(["--database", setup.database])
        #expect(try curl(["-H", "X-Forwarded-For: 198.51.100.23", direct.url + "/api/v1/report"]).status == 401)
        direct.process.stop()
        let directLine = try #require(
            accessLines(direct).first { $0.contains("GET /api/v1/report 401") }, "\(accessLines(direct))")
        #expect(
            directLine.contains("client.address=127.0.0.1") && !directLine.contains("198.51.100.23")
                && !directLine.contains("proxy.address"), "\(directLine)")

        // The same from the environment (the systemd unit's env file).
        let fromEnvironment = try RegistryProcess(
            ["--database", setup.database], environment: ["KUZET_REGISTRY_TRUSTED_PROXIES": "10.9.9.9, 127.0.0.1"])
        #expect(
            try curl(
                ["-H", "Authorization: Bearer kzv_wrong"] + forwarded.dropLast() + [
                    fromEnvironment.url + "/api/v1/report"
                ]
            ).status == 401)
        fromEnvironment.process.stop()
        let environmentLine = try #require(
            accessLines(fromEnvironment).first { $0.contains("GET /api/v1/report 401") },
            "\(accessLines(fromEnvironment))")
        #expect(
            environmentLine.contains("client.address=198.51.100.23")
                && environmentLine.contains("proxy.address=127.0.0.1"), "\(environmentLine)")

        let wrong = try RegistryExecutable.run([
            "serve", "--database", setup.database, "--trusted-proxy", "proxy.internal",
        ])
        #expect(wrong.status == 2, "\(wrong.output)")
        #expect(wrong.output.contains("--trusted-proxy: \"proxy.internal\" is not an IP address"), "\(wrong.output)")
    }
}
