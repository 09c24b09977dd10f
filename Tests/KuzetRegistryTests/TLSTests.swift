import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetProtocol
import KuzetRegistry
import KuzetTestKit
import NIOCore
import Testing

/// Certificates made by the real openssl for one test: a CA, a server certificate for 127.0.0.1, a client certificate.
struct TestCertificates {
    let directory: TemporaryDirectory
    var ca: String { directory.file("ca.pem") }
    var serverCert: String { directory.file("server.pem") }
    var serverKey: String { directory.file("server.key") }
    var clientCert: String { directory.file("client.pem") }
    var clientKey: String { directory.file("client.key") }

    init() throws {
        directory = try TemporaryDirectory(prefix: "kuzet-tls")
        let d = directory.path
        let script = """
            set -e
            cd \(d)
            openssl req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.pem -days 2 -subj /CN=kuzet-test-ca 2>/dev/null
            printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\\n' > san.ext
            openssl req -newkey rsa:2048 -nodes -keyout server.key -out server.csr -subj /CN=127.0.0.1 2>/dev/null
            openssl x509 -req -in server.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out server.pem -days 2 -extfile san.ext 2>/dev/null
            openssl req -newkey rsa:2048 -nodes -keyout client.key -out client.csr -subj /CN=KZ-AST-0042 2>/dev/null
            openssl x509 -req -in client.csr -CA ca.pem -CAkey ca.key -CAcreateserial -out client.pem -days 2 2>/dev/null
            """
        let (status, output) = try run("/bin/bash", ["-c", script])
        guard status == 0 else { throw TestKitError("openssl failed: \(output)") }
    }
}

@Suite("HTTPS and mTLS", .serialized, .timeLimit(.minutes(2)))
struct TLSTests {
    @Test("serve --tls-cert/--tls-key answers over HTTPS and prints an https address")
    func https() throws {
        let certificates = try TestCertificates()
        let directory = try TemporaryDirectory(prefix: "kuzet-registry-tls")
        let server = try RegistryProcess([
            "--database", "sqlite:" + directory.file("r.sqlite"), "--tls-cert", certificates.serverCert, "--tls-key",
            certificates.serverKey,
        ])
        #expect(server.url.hasPrefix("https://127.0.0.1:"))
        let health = try curl(["--cacert", certificates.ca, server.url + "/healthz"])
        #expect(health.status == 200 && health.body == "ok\n")
        let plain = try? curl([server.url.replacingOccurrences(of: "https://", with: "http://") + "/healthz"])
        #expect(plain?.status != 200)
    }

    @Test("with --tls-client-ca a client without a certificate is refused and one with a certificate is served")
    func mutualTLS() throws {
        let certificates = try TestCertificates()
        let directory = try TemporaryDirectory(prefix: "kuzet-registry-mtls")
        let server = try RegistryProcess([
            "--database", "sqlite:" + directory.file("r.sqlite"), "--tls-cert", certificates.serverCert, "--tls-key",
            certificates.serverKey,
            "--tls-client-ca", certificates.ca,
        ])
        #expect((try? curl(["--cacert", certificates.ca, server.url + "/healthz"]))?.status != 200)
        let withCertificate = try curl([
            "--cacert", certificates.ca, "--cert", certificates.clientCert, "--key", certificates.clientKey,
            server.url + "/healthz",
        ])
        #expect(withCertificate.status == 200)
    }
}
