import Foundation
import KuzetCore
import KuzetRegistry
import Testing

/// A PostgreSQL URL naming another machine uses TLS unless `sslmode=disable` is written out;
/// `allow`/`prefer` (which fall back to plain text silently) are refused with the fix.
@Suite("PostgreSQL TLS by default")
struct PostgresTLSDefaultTests {
    func tls(_ url: String) throws -> PostgresTLS? {
        guard case .postgres(let location) = try DatabaseLocation(parsing: url) else {
            throw CommandFailure.usage("not PostgreSQL")
        }
        return location.tls
    }

    @Test("a host that is not loopback, without sslmode, gets TLS with the certificate and host name checked")
    func remoteHostDefaultsToVerifyFull() throws {
        let remote = try #require(try tls("postgres://kuzet:secret@db.internal:5432/kuzet"))
        #expect(remote.verifiesHostname)
        #expect(
            try tls("postgres://kuzet@10.0.0.5/kuzet?sslrootcert=/etc/kuzet/db-ca.pem")?.rootCertificateFile
                == "/etc/kuzet/db-ca.pem")
    }

    @Test("plain text to another machine only when sslmode=disable is written out")
    func disableWrittenOut() throws {
        #expect(try tls("postgres://kuzet@db.internal/kuzet?sslmode=disable") == nil)
    }

    @Test("a loopback host without sslmode stays plain", arguments: ["127.0.0.1", "localhost", "[::1]", "127.0.0.9"])
    func loopbackStaysPlain(host: String) throws {
        #expect(try tls("postgres://kuzet@\(host):5432/kuzet") == nil)
    }

    @Test("sslmode=allow and prefer are refused, saying what to write instead", arguments: ["allow", "prefer"])
    func fallbackModesRefused(mode: String) {
        for host in ["db.internal", "127.0.0.1"] {
            #expect(
                performing: {
                    _ = try DatabaseLocation(parsing: "postgres://kuzet:secret@\(host)/kuzet?sslmode=\(mode)")
                },
                throws: { error in
                    let text = String(describing: error)
                    return text.contains("sslmode=\(mode) falls back to plain text")
                        && text.contains("sslmode=verify-full")
                        && text.contains("sslmode=disable") && !text.contains("secret")
                })
        }
    }
}
