import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetRegistry
import KuzetTestKit
import NIOCore
import Testing

/// The agent's long-poll (`GET /api/v1/agent/commands?wait=S`) over a real loopback connection.
@Suite("Command long-poll", .serialized, .timeLimit(.minutes(3)))
struct CommandPollTests {
    @Test("A waiting poll is answered as soon as a command is issued (latency printed)")
    func answeredWhenIssued() async throws {
        try await withCommandRegistry { registry in
            var latencies: [Double] = []
            for _ in 0..<5 {
                let started = ContinuousClock.now
                async let polled = registry.pollOwnConnection(wait: 25)
                try await Task.sleep(for: .milliseconds(400))
                let issuedAt = ContinuousClock.now
                let id = try await registry.issued(#"{"kind":"live","camera":"cam-1"}"#)
                let ids = try await polled.ids
                let answered = ContinuousClock.now
                #expect(ids == [id])
                #expect(answered - started < .seconds(5), "answered at once, not after the 25 s wait")
                latencies.append(
                    Double((answered - issuedAt).components.attoseconds) / 1e15 + Double(
                        (answered - issuedAt).components.seconds) * 1000)
                #expect(try await registry.status(id, "accepted") == .noContent)
            }
            print(
                "long-poll latency, command issued (POST sent) → poll answered: \(latencies.map { String(format: "%.1f", $0) }.joined(separator: ", ")) ms"
            )
            #expect(latencies.allSatisfy { $0 < 1000 })
        }
    }

    @Test("With nothing pending the poll answers an empty list after its wait; wait above 30 is refused")
    func emptyAfterWait() async throws {
        try await withCommandRegistry { registry in
            let started = ContinuousClock.now
            #expect(try await registry.poll(wait: 2) == [])
            let took = ContinuousClock.now - started
            #expect(took >= .seconds(2) && took < .seconds(4), "\(took)")
            let refused = try await registry.send(.get, "/api/v1/agent/commands?wait=31", token: registry.schoolToken)
            #expect(refused.status == .badRequest && refused.text.contains("0…30"))
            let police = try await registry.send(.get, "/api/v1/agent/commands?wait=0", token: registry.operatorAstana)
            #expect(police.status == .forbidden)
        }
    }

    @Test("A second poll of the same school ends the first with an empty answer")
    func newerPollReplacesOlder() async throws {
        try await withCommandRegistry { registry in
            let started = ContinuousClock.now
            async let first = registry.pollOwnConnection(wait: 20)
            try await Task.sleep(for: .milliseconds(500))
            async let second = registry.pollOwnConnection(wait: 2)
            let firstAnswer = try await first
            #expect(firstAnswer.status == 200 && firstAnswer.ids == [])
            #expect(ContinuousClock.now - started < .seconds(5), "the first ended when the second came")
            #expect(try await second.ids == [])
        }
    }

    @Test("Over the registry-wide cap a poll is refused 503 with Retry-After")
    func capRefuses() async throws {
        try await withCommandRegistry(maximumPolls: 1) { registry in
            let other = try await registry.base.schoolToken("KZ-AST-0001", region: "Astana")
            async let first = registry.pollOwnConnection(wait: 3)
            try await Task.sleep(for: .milliseconds(500))
            let refused = try await registry.pollOwnConnection(wait: 3, token: other)
            #expect(refused.status == 503 && refused.retryAfter == "10", "\(refused)")
            #expect(try await first.ids == [])
            let afterwards = try await registry.send(.get, "/api/v1/agent/commands?wait=0", token: other)
            #expect(afterwards.status == .ok, "room again once the first ended")
        }
    }
}
