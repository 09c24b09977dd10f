import Foundation
import KuzetCurl
import KuzetTestKit
import Testing

/// HTTPClient against a real HTTP server (Python http.server) on loopback.
@Suite struct HTTPClientTests {
    @Test func getReturnsStatusHeadersAndBody() async throws {
        let server = try RecordingHTTPServer()
        let response = try await HTTPClient().perform(HTTPRequest(url: server.baseURL + "/echo"))
        #expect(response.status == 200)
        #expect(response.header("content-type") == "application/json")
        let echo = try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
        #expect(echo["method"] as? String == "GET")
    }

    @Test func postSendsBodyAndHeadersUnchanged() async throws {
        let server = try RecordingHTTPServer()
        let body = Data((0..<5000).map { UInt8($0 % 251) }) // binary, larger than curl's Expect threshold
        let response = try await HTTPClient().perform(
            HTTPRequest(
                method: .post, url: server.baseURL + "/echo",
                headers: [("Content-Type", "application/octet-stream"), ("X-Kuzet", "yes")], body: body))
        #expect(response.status == 200)
        let seen = try #require(server.requests().last)
        #expect(seen.method == "POST")
        #expect(seen.header("X-Kuzet") == "yes")
        #expect(seen.header("Expect") == nil)
        let echo = try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
        #expect(echo["body_length"] as? Int == 5000)
    }

    @Test func errorStatusIsAResponseNotAnError() async throws {
        let server = try RecordingHTTPServer()
        try server.enqueue(status: 503, headers: ["Retry-After": "7"], body: "busy")
        let response = try await HTTPClient().perform(HTTPRequest(url: server.baseURL + "/anything"))
        #expect(response.status == 503)
        #expect(response.header("retry-after") == "7")
        #expect(response.bodyText == "busy")
    }

    @Test func refusedConnectionIsACouldNotConnectError() async throws {
        let port = freeLoopbackPort()
        let error = try await #require(throws: HTTPTransportError.self) {
            try await HTTPClient().perform(HTTPRequest(url: "http://127.0.0.1:\(port)/x"))
        }
        #expect(error.kind == .couldNotConnect)
        #expect(error.isTransient)
        #expect(error.description.hasPrefix("GET http://127.0.0.1:\(port)/x: connection refused"))
    }

    @Test func errorMessagesNeverContainCredentialsOrQuery() async throws {
        let port = freeLoopbackPort()
        let error = try await #require(throws: HTTPTransportError.self) {
            try await HTTPClient().perform(
                HTTPRequest(
                    url: "http://admin:hunter2@127.0.0.1:\(port)/onvif?token=abc123",
                    authentication: HTTPAuthentication(username: "admin", password: "s3cret", scheme: .digest)))
        }
        #expect(!error.description.contains("hunter2"))
        #expect(!error.description.contains("s3cret"))
        #expect(!error.description.contains("abc123"))
        #expect(error.description.contains("http://127.0.0.1:\(port)/onvif"))
    }

    @Test func responseLargerThanTheLimitIsAborted() async throws {
        let server = try RecordingHTTPServer()
        let client = HTTPClient(configuration: .init(maxResponseBytes: 10_000))
        let error = try await #require(throws: HTTPTransportError.self) {
            try await client.perform(HTTPRequest(url: server.baseURL + "/big?bytes=200000"))
        }
        #expect(error.kind == .responseTooLarge)
        let fits = try await client.perform(HTTPRequest(url: server.baseURL + "/big?bytes=10000"))
        #expect(fits.body.count == 10_000)
    }

    @Test func hangingServerEndsInATimeout() async throws {
        let server = try RecordingHTTPServer()
        let client = HTTPClient(
            configuration: .init(timeouts: HTTPTimeouts(connect: .seconds(2), total: .milliseconds(1500))))
        let started = ContinuousClock.now
        let error = try await #require(throws: HTTPTransportError.self) {
            try await client.perform(HTTPRequest(url: server.baseURL + "/hang"))
        }
        #expect(error.kind == .timedOut)
        // Bounded by the 1.5 s timeout, not by the server's 300 s hang (generous: the machine is shared).
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func lowSpeedLimitEndsAStalledTransfer() async throws {
        let server = try RecordingHTTPServer()
        let timeouts = HTTPTimeouts(
            connect: .seconds(2), total: .seconds(60), lowSpeedBytesPerSecond: 1, lowSpeedTime: .seconds(1))
        let started = ContinuousClock.now
        let error = try await #require(throws: HTTPTransportError.self) {
            try await HTTPClient(configuration: .init(timeouts: timeouts)).perform(
                HTTPRequest(url: server.baseURL + "/hang"))
        }
        #expect(error.kind == .timedOut)
        #expect(ContinuousClock.now - started < .seconds(30))
    }

    @Test func cancellingTheTaskAbortsTheTransfer() async throws {
        let server = try RecordingHTTPServer()
        let client = HTTPClient(
            configuration: .init(timeouts: HTTPTimeouts(total: .seconds(120), lowSpeedTime: .seconds(120))))
        let task = Task { try await client.perform(HTTPRequest(url: server.baseURL + "/hang")) }
        #expect(await waitUntil(timeout: 10) { !server.requests().isEmpty })
        let started = ContinuousClock.now
        task.cancel()
        let result = await task.result
        #expect(ContinuousClock.now - started < .seconds(30), "the transfer had 120 s left")
        guard case .failure(let error as HTTPTransportError) = result else {
            Issue.record("expected a cancelled transfer, got \(result)")
            return
        }
        #expect(error.kind == .cancelled)
    }

    @Test func digestAuthenticationIsAnsweredAndChecked() async throws {
        let server = try RecordingHTTPServer(digestCredentials: ("operator", "pa55-word"))
        let good = try await HTTPClient().perform(
            HTTPRequest(
                url: server.baseURL + "/digest",
                authentication: .init(username: "operator", password: "pa55-word", scheme: .digest)))
        #expect(good.status == 200)
        #expect(good.bodyText == "digest ok")
        let bad = try await HTTPClient().perform(
            HTTPRequest(
                url: server.baseURL + "/digest",
                authentication: .init(username: "operator", password: "wrong", scheme: .digest)))
        #expect(bad.status == 401)
        // The password never crosses the wire in the clear.
        #expect(
            !server.requests().contains {
                $0.body.contains("pa55-word") || ($0.header("Authorization") ?? "").contains("pa55-word")
            })
    }

    @Test func basicAuthenticationSendsTheCredentials() async throws {
        let server = try RecordingHTTPServer()
        _ = try await HTTPClient().perform(
            HTTPRequest(
                url: server.baseURL + "/echo", authentication: .init(username: "u", password: "p", scheme: .basic)))
        #expect(server.requests().last?.header("Authorization") == "Basic " + Data("u:p".utf8).base64EncodedString())
    }

    @Test func concurrentRequestsDoNotBlockEachOther() async throws {
        let server = try RecordingHTTPServer()
        let client = HTTPClient(
            configuration: .init(timeouts: HTTPTimeouts(total: .seconds(40), lowSpeedTime: .seconds(40))))
        // Eight hanging transfers at once (more than the cooperative pool's threads on 2 cores)
        // must not stop a ninth request from completing long before they time out: transfers
        // run on threads of their own.
        let hanging = (0..<8).map { _ in
            Task { () -> HTTPTransportError.Kind? in
                do { _ = try await client.perform(HTTPRequest(url: server.baseURL + "/hang")) } catch let error
                    as HTTPTransportError
                { return error.kind } catch {}
                return nil
            }
        }
        #expect(await waitUntil(timeout: 20) { server.requests().count == 8 })
        let started = ContinuousClock.now
        let response = try await client.perform(HTTPRequest(url: server.baseURL + "/echo"))
        #expect(response.status == 200)
        #expect(ContinuousClock.now - started < .seconds(20))
        for task in hanging { task.cancel() }
        for task in hanging { #expect(await task.value == .cancelled) }
    }
}
