import Foundation
import KuzetCurl
import KuzetProtocol
import KuzetTestKit
import Testing

@testable import KuzetUplink

@Suite struct RegistryClientTests {
    func response(_ status: Int, headers: [(name: String, value: String)] = [], body: String = "") -> HTTPResponse {
        HTTPResponse(status: status, headers: headers, body: Data(body.utf8))
    }

    @Test func theBatchBodyIsAHeartbeatBatchOfTheStoredJSON() throws {
        let entries = try [Fixtures.heartbeat(7), Fixtures.heartbeat(8, events: [Fixtures.event("x")])].map {
            OutboxEntry(
                sequence: $0.sequence, hasEvents: !$0.events.isEmpty, json: try JSONEncoder.kuzetWire.encode($0))
        }
        let batch = try JSONDecoder.kuzetWire.decode(HeartbeatBatch.self, from: RegistryClient.batchBody(entries))
        #expect(batch.version == WireVersion.current)
        #expect(batch.heartbeats == [Fixtures.heartbeat(7), Fixtures.heartbeat(8, events: [Fixtures.event("x")])])
    }

    @Test func twoHundredsAreDeliveredWithTheReceipt() {
        let body = #"{"accepted":2,"duplicates":1,"highest_sequence":9,"server_time":"2026-11-23T12:00:00Z"}"#
        guard
            case .delivered(let receipt) = RegistryClient.classify(response(200, body: body), url: "u", tokenFile: nil)
        else {
            Issue.record("not delivered")
            return
        }
        #expect(receipt?.duplicates == 1)
        #expect(receipt?.highestSequence == 9)
    }

    @Test func serverErrorsTimeoutsAndRateLimitsAreRetried() {
        for status in [500, 502, 503, 408, 429] {
            #expect(RegistryClient.classify(response(status), url: "u", tokenFile: nil).isRetry, "HTTP \(status)")
        }
    }

    @Test func aRejectedTokenIsRetriedAndNamesTheTokenFileNotTheToken() {
        guard
            case .retry(let reason, _) = RegistryClient.classify(response(401), url: "u", tokenFile: "/etc/kuzet/token")
        else {
            Issue.record("401 must be retried (the token can be fixed), not parked")
            return
        }
        #expect(reason.contains("registry.token_file /etc/kuzet/token"))
    }

    @Test func otherClientErrorsRefuseTheBatch() {
        for status in [400, 404, 413, 422] {
            guard
                case .refused(let got, let reason) = RegistryClient.classify(
                    response(status, body: "heartbeats[0].cameras: bad"), url: "u", tokenFile: nil)
            else {
                Issue.record("HTTP \(status) must refuse")
                continue
            }
            #expect(got == status)
            #expect(reason.contains("heartbeats[0].cameras: bad"))
        }
    }

    @Test func retryAfterIsReadAsSecondsOrAsAnHTTPDate() {
        let now = Date(timeIntervalSince1970: 1_790_000_000)
        #expect(RegistryClient.retryAfter(response(429, headers: [("Retry-After", "120")]), now: now) == .seconds(120))
        let later = now.addingTimeInterval(90)
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        #expect(
            RegistryClient.retryAfter(
                response(503, headers: [("Retry-After", formatter.string(from: later))]), now: now) == .seconds(90))
        #expect(RegistryClient.retryAfter(response(503, headers: [("Retry-After", "soon")]), now: now) == nil)
        #expect(RegistryClient.retryAfter(response(503), now: now) == nil)
    }
}

extension DeliveryOutcome {
    var isRetry: Bool {
        if case .retry = self { return true }
        return false
    }
}
