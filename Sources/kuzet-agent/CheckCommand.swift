import ArgumentParser
import Foundation
import KuzetAgent
import KuzetConfiguration
import KuzetCore
import KuzetMedia
import KuzetRetention

/// `kuzet-agent check --config FILE [--format text|json]`: exit 0 only when the box is compliant.
struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validates the config, then checks the box: cameras, storage for retention.days, registry, clock.")

    enum Format: String, ExpressibleByArgument, CaseIterable { case text, json }

    @Option(help: "The agent configuration file.") var config: String
    @Option(help: "text (default) or json.") var format: Format = .text
    @Option(help: "Seconds to read a stream when measuring its rate (streams without recordings).") var probeSeconds:
        Double = 4

    /// One part of the check (storage here; registry reachability and the clock plug in below).
    struct Outcome: Sendable {
        var name: String
        var compliant: Bool
        var lines: [String]
        /// The part's report for `--format json`.
        var json: Data
    }

    /// The checks after storage: the live-push budget towards the ЦОУ (measured), and the
    /// registry (reachable, and our clock against its clock), and the clock (NTP, trusted or not).
    static func additionalChecks(probeSeconds: Double) -> [(
        name: String, run: @Sendable (AgentConfiguration) async -> BoxChecks.Result?
    )] {
        [
            ("centre", { await BoxChecks.centreBudget($0, probe: StorageCheck.liveProbe(seconds: probeSeconds)) }),
            ("registry", { await BoxChecks.registry($0) }),
            ("clock", { await BoxChecks.clock($0) }),
        ]
    }

    func run() async throws {
        StreamRateProbe.silenceLibraryLog()
        let agent: AgentConfiguration
        do { agent = try AgentConfiguration.load(path: config) } catch { throw CommandFailure.configuration(error) }
        let seconds = probeSeconds
        var outcomes: [Outcome] = []
        do {
            let report = try await StorageCheck(configuration: agent, probe: StorageCheck.liveProbe(seconds: seconds))
                .run()
            outcomes.append(
                Outcome(
                    name: "storage", compliant: report.compliant, lines: report.lines,
                    json: try Self.encoder.encode(report)))
        } catch let failure as StorageCheck.Failure {
            throw CommandFailure.runtime(failure.description)
        }
        for check in Self.additionalChecks(probeSeconds: seconds) {
            guard let result = await check.run(agent) else { continue }
            outcomes.append(
                Outcome(
                    name: check.name, compliant: result.compliant, lines: result.lines,
                    json: try Self.encoder.encode(result)))
        }
        switch format {
        case .text:
            print(outcomes.flatMap(\.lines).joined(separator: "\n"))
        case .json:
            var object = "{\"compliant\":\(outcomes.allSatisfy(\.compliant))"
            for outcome in outcomes {
                object += ",\"\(outcome.name)\":" + String(decoding: outcome.json, as: UTF8.self)
            }
            print(object + "}")
        }
        let failing = outcomes.filter { !$0.compliant }
        if !failing.isEmpty {
            throw CommandFailure.runtime(
                "check: not compliant (\(failing.map(\.name).joined(separator: ", "))) — see the report above: fix what it names (for storage: add disk or apply the plan), then run check again"
            )
        }
    }

    static var encoder: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        encoder.keyEncodingStrategy = .convertToSnakeCase
        return encoder
    }
}
