import Foundation
import KuzetCurl
import KuzetTestKit
import Testing

/// HTTPClient over real TLS: a CA and certificates made by the test with openssl, a Python
/// `ssl` server on loopback.
@Suite struct HTTPClientTLSTests {
    let folder: TemporaryDirectory
    let authority: TestCertificateAuthority
    let serverIdentity: TestCertificateAuthority.Identity

    init() throws {
        folder = try TemporaryDirectory(prefix: "kuzet-tls")
        authority = try TestCertificateAuthority(name: "school-ca", in: folder.path)
        serverIdentity = try authority.issueServer()
    }

    @Test func httpsSucceedsWithTheCAFile() async throws {
        let server = try RecordingHTTPServer(tls: serverIdentity)
        let client = HTTPClient(configuration: .init(tls: TLSConfiguration(caFile: authority.certificate)))
        let response = try await client.perform(HTTPRequest(url: server.baseURL + "/echo"))
        #expect(response.status == 200)
    }

    @Test func httpsWithoutTheCAFileIsNotTrusted() async throws {
        let server = try RecordingHTTPServer(tls: serverIdentity)
        let error = try await #require(throws: HTTPTransportError.self) {
            try await HTTPClient().perform(HTTPRequest(url: server.baseURL + "/echo"))
        }
        #expect(error.kind == .tlsCertificateNotTrusted)
        #expect(server.requests().isEmpty)
    }

    @Test func aWrongCAIsRefusedWithAClearError() async throws {
        let other = try TestCertificateAuthority(name: "other-ca", in: folder.path)
        let server = try RecordingHTTPServer(tls: serverIdentity)
        let client = HTTPClient(configuration: .init(tls: TLSConfiguration(caFile: other.certificate)))
        let error = try await #require(throws: HTTPTransportError.self) {
            try await client.perform(HTTPRequest(method: .post, url: server.baseURL + "/echo", body: Data("{}".utf8)))
        }
        #expect(error.kind == .tlsCertificateNotTrusted)
        #expect(!error.isTransient)
        #expect(error.description.contains("TLS: the server's certificate is not trusted"))
        #expect(error.description.contains(other.certificate))
        #expect(server.requests().isEmpty)
    }

    @Test func aMissingCAFileIsReportedAsSuch() async throws {
        let server = try RecordingHTTPServer(tls: serverIdentity)
        let missing = folder.file("no-such-ca.pem")
        let error = try await #require(throws: HTTPTransportError.self) {
            try await HTTPClient(configuration: .init(tls: TLSConfiguration(caFile: missing))).perform(
                HTTPRequest(url: server.baseURL + "/echo"))
        }
        #expect(error.kind == .tlsCAFileUnusable)
        #expect(error.description.contains(missing))
    }

    @Test func mutualTLSPresentsTheClientCertificate() async throws {
        let clientIdentity = try authority.issueClient("KZ-AST-0042")
        let server = try RecordingHTTPServer(tls: serverIdentity, clientCA: authority.certificate)
        let tls = TLSConfiguration(
            caFile: authority.certificate, clientCertificate: clientIdentity.certificate, clientKey: clientIdentity.key)
        let response = try await HTTPClient(configuration: .init(tls: tls)).perform(
            HTTPRequest(url: server.baseURL + "/echo"))
        #expect(response.status == 200)
        #expect(server.requests().last?.clientCommonName == "KZ-AST-0042")
    }

    @Test func mutualTLSRefusesAClientWithoutACertificate() async throws {
        let server = try RecordingHTTPServer(tls: serverIdentity, clientCA: authority.certificate)
        let client = HTTPClient(configuration: .init(tls: TLSConfiguration(caFile: authority.certificate)))
        let error = try await #require(throws: HTTPTransportError.self) {
            try await client.perform(HTTPRequest(url: server.baseURL + "/echo"))
        }
        #expect(error.kind == .tlsRejectedByServer)
        #expect(error.description.contains("client certificate"))
        #expect(server.requests().isEmpty)
    }

    @Test func mutualTLSRefusesAClientCertificateFromAnotherCA() async throws {
        let stranger = try TestCertificateAuthority(name: "stranger-ca", in: folder.path).issueClient("intruder")
        let server = try RecordingHTTPServer(tls: serverIdentity, clientCA: authority.certificate)
        let tls = TLSConfiguration(
            caFile: authority.certificate, clientCertificate: stranger.certificate, clientKey: stranger.key)
        let error = try await #require(throws: HTTPTransportError.self) {
            try await HTTPClient(configuration: .init(tls: tls)).perform(HTTPRequest(url: server.baseURL + "/echo"))
        }
        #expect(error.kind == .tlsRejectedByServer)
        #expect(server.requests().isEmpty)
    }

    @Test func anUnreadableClientKeyIsReportedAsSuch() async throws {
        let server = try RecordingHTTPServer(tls: serverIdentity, clientCA: authority.certificate)
        let clientIdentity = try authority.issueClient("school")
        let tls = TLSConfiguration(
            caFile: authority.certificate, clientCertificate: clientIdentity.certificate,
            clientKey: folder.file("missing.key"))
        let error = try await #require(throws: HTTPTransportError.self) {
            try await HTTPClient(configuration: .init(tls: tls)).perform(HTTPRequest(url: server.baseURL + "/echo"))
        }
        #expect(error.kind == .tlsClientCertificateUnusable)
        #expect(error.description.contains("missing.key"))
    }
}

/// A peer that accepts TCP and then never speaks.
@Suite struct SilentPeerTests {
    @Test func aTLSHandshakeThatNeverStartsEndsInAConnectTimeout() async throws {
        let listener = try SilentTCPListener()
        let client = HTTPClient(configuration: .init(timeouts: HTTPTimeouts(connect: .seconds(1), total: .seconds(30))))
        let started = ContinuousClock.now
        let error = try await #require(throws: HTTPTransportError.self) {
            try await client.perform(HTTPRequest(url: "https://127.0.0.1:\(listener.port)/api/v1/heartbeats"))
        }
        #expect(error.kind == .timedOut)
        #expect(error.isTransient)
        #expect(ContinuousClock.now - started < .seconds(20))
    }
}
