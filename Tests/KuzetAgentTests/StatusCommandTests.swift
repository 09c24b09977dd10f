import Foundation
import KuzetAgent
import KuzetTestKit
import Testing

@Suite(.serialized, .timeLimit(.minutes(3)))
struct StatusCommandTests {
    @Test func printsATableOfTheRunningAgent() async throws {
        let agent = try await StatusTestAgent(password: "integrator-pw")
        defer { agent.stop() }
        let process = try ExternalProcess(
            BuiltExecutable.agent, ["status", "--url", agent.baseURL],
            environment: ["KUZET_STATUS_PASSWORD": "integrator-pw"])
        #expect(try await offPool { process.waitForExit(timeout: 30) } == 0, "\(process.output)")
        let output = process.output
        #expect(output.contains("School No. 42 (KZ-AST-0042) — PROBLEMS"), "\(output)")
        #expect(output.contains("entrance  live"), "\(output)")
        #expect(output.contains("problem: camera yard: no video"), "\(output)")
    }

    @Test func printsJSONOnRequest() async throws {
        let agent = try await StatusTestAgent()
        defer { agent.stop() }
        let (status, output) = try await offPool {
            try run(BuiltExecutable.agent, ["status", "--url", agent.baseURL, "--format", "json"], timeout: 30)
        }
        #expect(status == 0)
        let report = try StatusReport.decoder.decode(StatusReport.self, from: Data(output.utf8))
        #expect(report.cameras.map(\.id) == ["entrance", "yard"])
    }

    @Test func saysWhatToDoWhenNoAgentAnswers() async throws {
        let (status, output) = try await offPool {
            try run(BuiltExecutable.agent, ["status", "--url", "http://127.0.0.1:\(freeLoopbackPort())"], timeout: 30)
        }
        #expect(status == 1)
        #expect(output.contains("no agent answers at"), "\(output)")
    }

    @Test func saysAPasswordIsNeeded() async throws {
        let agent = try await StatusTestAgent(password: "integrator-pw")
        defer { agent.stop() }
        let (status, output) = try await offPool {
            try run(BuiltExecutable.agent, ["status", "--url", agent.baseURL], timeout: 30)
        }
        #expect(status == 1)
        #expect(output.contains("KUZET_STATUS_PASSWORD"), "\(output)")
    }
}
