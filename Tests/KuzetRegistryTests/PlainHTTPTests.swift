import Foundation
import KuzetRegistry
import KuzetTestKit
import Testing

/// Plain HTTP only on loopback unless `serve --insecure-http`; the dashboard cookie is `Secure`
/// under TLS. The non-loopback address is a real one, inside a network namespace the test makes.
@Suite("Plain HTTP and the Secure cookie", .serialized, .timeLimit(.minutes(2)))
struct PlainHTTPTests {
    @Test(
        "plain HTTP is allowed on loopback only, unless TLS or --insecure-http",
        arguments: [
            ("127.0.0.1", false, false, true), ("127.0.0.2", false, false, true), ("::1", false, false, true),
            ("localhost", false, false, true), ("0.0.0.0", false, false, false), ("::", false, false, false),
            ("10.0.0.5", false, false, false), ("registry.internal", false, false, false),
            ("0.0.0.0", true, false, true),
            ("0.0.0.0", false, true, true),
        ])
    func decision(host: String, tls: Bool, insecureHTTP: Bool, allowed: Bool) {
        #expect((PlainHTTPPolicy.refusal(host: host, tls: tls, insecureHTTP: insecureHTTP) == nil) == allowed)
    }

    @Test("serve on a non-loopback address without TLS exits 2 with the fix; with --insecure-http it serves there")
    func refusedAtStartThenServedWhenTold() throws {
        let lab = try NetworkNamespace()
        let directory = try TemporaryDirectory(prefix: "kuzet-registry-plain")
        let executable = try RegistryExecutable.path
        let database = "sqlite:" + directory.file("registry.sqlite")
        let listen = "\(lab.namespaceAddress):0"

        let (status, output) = try run(
            "/usr/sbin/ip",
            ["netns", "exec", lab.name, executable, "serve", "--database", database, "--listen", listen], timeout: 30)
        #expect(status == 2, "\(output)")
        #expect(
            output.contains("--listen \(lab.namespaceAddress): plain HTTP") && output.contains("--insecure-http"),
            "\(output)")
        #expect(!output.contains("listening on"))

        let server = try lab.start(
            executable, ["serve", "--database", database, "--listen", listen, "--insecure-http"], name: "kuzet-registry"
        )
        defer { server.stop() }
        var address: String?
        _ = eventually(timeout: 30) {
            address = RegistryProcess.address(in: server.output)
            return address != nil || !server.isRunning
        }
        let url = try #require(address, "\(server.output)")
        #expect(url.hasPrefix("http://\(lab.namespaceAddress):"))
        #expect(server.output.contains("--insecure-http: serving plain HTTP"), "\(server.output)")
        let health = try curl([url + "/healthz"])
        #expect(health.status == 200 && health.body == "ok\n")
    }

    @Test("the dashboard's cookie is Secure under TLS and HttpOnly, SameSite=Strict either way")
    func secureCookieUnderTLS() throws {
        let certificates = try TestCertificates()
        let directory = try TemporaryDirectory(prefix: "kuzet-registry-cookie")
        let database = "sqlite:" + directory.file("registry.sqlite")
        let viewer = try RegistryExecutable.createToken(["--role", "viewer", "--database", database])
        func cookie(_ server: RegistryProcess, _ options: [String]) throws -> String {
            let response = try curl(options + ["-D", "-", "-o", "/dev/null", server.url + "/?token=\(viewer)"])
            return response.body.split(separator: "\r\n").first { $0.lowercased().hasPrefix("set-cookie:") }.map(
                String.init) ?? ""
        }
        let https = try RegistryProcess([
            "--database", database, "--tls-cert", certificates.serverCert, "--tls-key", certificates.serverKey,
        ])
        let overTLS = try cookie(https, ["--cacert", certificates.ca])
        #expect(
            overTLS.contains("kuzet_session=") && overTLS.contains("; Secure") && overTLS.contains("HttpOnly")
                && overTLS.contains("SameSite=Strict"), "\(overTLS)")
        let plain = try RegistryProcess(["--database", database])
        let onLoopback = try cookie(plain, [])
        #expect(
            onLoopback.contains("kuzet_session=") && !onLoopback.contains("Secure") && onLoopback.contains("HttpOnly"),
            "\(onLoopback)")
    }
}
