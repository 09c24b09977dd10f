import Foundation
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import Testing

/// `serve --header-timeout/--body-timeout/--idle-timeout/--max-connections`, against the real
/// process on loopback: a slow or silent client is answered and let go, and one connection over
/// the cap gets 503 while the others keep being served.
@Suite("kuzet-registry serve connection limits", .serialized, .timeLimit(.minutes(3)))
struct ConnectionLimitTests {
    let directory: TemporaryDirectory
    let database: String
    let school: String
    let viewer: String

    init() throws {
        directory = try TemporaryDirectory(prefix: "kuzet-registry-connections")
        database = "sqlite:" + directory.file("registry.sqlite")
        school = try RegistryExecutable.createToken([
            "--role", "school", "--school", "KZ-AST-0042", "--region", "Astana", "--database", database,
        ])
        viewer = try RegistryExecutable.createToken(["--role", "viewer", "--region", "Astana", "--database", database])
    }

    @Test("a head not complete within --header-timeout gets 408, then the connection is closed")
    func headerTimeout() throws {
        let server = try RegistryProcess(["--database", database, "--header-timeout", "1"])
        let connection = try RawConnection(port: RawConnection.port(of: server.url))
        connection.send("POST /api/v1/heartbeats HTTP/1.1\r\nHost: registry\r\nAuthorization: Bear")
        let started = Date()
        let (text, closed) = connection.readUntilClosed(seconds: 6)
        let elapsed = Date().timeIntervalSince(started)
        #expect(closed && text.hasPrefix("HTTP/1.1 408"), "\(text.prefix(300))")
        #expect(text.contains("request head: not complete within 1 s"))
        #expect(elapsed > 0.8 && elapsed < 4, "closed after \(elapsed) s")
        #expect(try curl([server.url + "/healthz"]).status == 200)
        let metrics = try curl(["-H", "Authorization: Bearer \(viewer)", server.url + "/metrics"])
        #expect(metrics.body.contains("kuzet_registry_requests_timed_out_total 1"), "\(metrics.body.prefix(2000))")
    }

    @Test("a body not complete within --body-timeout gets 408, then the connection is closed")
    func bodyTimeout() throws {
        let server = try RegistryProcess(["--database", database, "--body-timeout", "1"])
        let connection = try RawConnection(port: RawConnection.port(of: server.url))
        connection.send(
            "POST /api/v1/heartbeats HTTP/1.1\r\nHost: registry\r\nAuthorization: Bearer \(school)\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{\"version\":1,"
        )
        let started = Date()
        let (text, closed) = connection.readUntilClosed(seconds: 6)
        let elapsed = Date().timeIntervalSince(started)
        #expect(closed && text.hasPrefix("HTTP/1.1 408"), "\(text.prefix(300))")
        #expect(text.contains("request body: not complete within 1 s"))
        #expect(elapsed > 0.8 && elapsed < 4, "closed after \(elapsed) s")
    }

    @Test("a connection with nothing asked for --idle-timeout after an answer is closed; within it, it is served again")
    func idleTimeout() throws {
        let server = try RegistryProcess(["--database", database, "--idle-timeout", "2"])
        let connection = try RawConnection(port: RawConnection.port(of: server.url))
        connection.send("GET /healthz HTTP/1.1\r\nHost: registry\r\n\r\n")
        let first = connection.readUntilClosed(seconds: 1)
        #expect(!first.closed && first.text.hasPrefix("HTTP/1.1 200"), "\(first.text.prefix(300))")
        // Asked again within the idle time: served on the same connection.
        connection.send("GET /healthz HTTP/1.1\r\nHost: registry\r\n\r\n")
        let second = connection.readUntilClosed(seconds: 1)
        #expect(!second.closed && second.text.hasPrefix("HTTP/1.1 200"), "\(second.text.prefix(300))")
        let started = Date()
        let idle = connection.readUntilClosed(seconds: 6)
        let elapsed = Date().timeIntervalSince(started) + 1
        #expect(idle.closed && idle.text.isEmpty, "\(idle.text.prefix(300))")
        #expect(elapsed > 1.8 && elapsed < 4.5, "closed after \(elapsed) s idle")
    }

    @Test(
        "one connection over --max-connections gets 503 with Retry-After; the open ones are served, and a place that frees is taken again"
    )
    func connectionCap() throws {
        let server = try RegistryProcess(["--database", database, "--max-connections", "16"])
        let port = RawConnection.port(of: server.url)
        var held = try (0..<16).map { _ in try RawConnection(port: port) }
        // Each accepted connection is counted before the next is: let the server take them all.
        Thread.sleep(forTimeInterval: 0.5)
        let over = try RawConnection(port: port)
        over.send("GET /healthz HTTP/1.1\r\nHost: registry\r\n\r\n")
        let (text, closed) = over.readUntilClosed(seconds: 5)
        #expect(closed && text.hasPrefix("HTTP/1.1 503"), "\(text.prefix(300))")
        #expect(text.contains("Retry-After: 5") && text.contains("too_many_connections"))
        // A held connection is still served.
        held[0].send("GET /healthz HTTP/1.1\r\nHost: registry\r\n\r\n")
        #expect(held[0].readUntilClosed(seconds: 1).text.hasPrefix("HTTP/1.1 200"))
        held.removeLast(4)
        Thread.sleep(forTimeInterval: 0.5)
        #expect(try curl([server.url + "/healthz"]).status == 200)
        #expect(server.process.isRunning)
        let metrics = try curl(["-H", "Authorization: Bearer \(viewer)", server.url + "/metrics"])
        #expect(metrics.body.contains("kuzet_registry_connections_refused_total 1"), "\(metrics.body.prefix(2000))")
        #expect(metrics.body.contains("kuzet_registry_connections_open 13"), "\(metrics.body.prefix(2000))")
    }
}
