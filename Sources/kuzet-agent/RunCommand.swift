import ArgumentParser
import Foundation
import KuzetAgent
import KuzetConfiguration
import KuzetCore
import Logging

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run", abstract: "The daemon: record, relay, retain, report, serve status.")

    @Option(name: .long, help: "The agent's YAML configuration file.")
    var config: String

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error.")
    var logLevel: String = "info"

    func run() async throws {
        let configuration: AgentConfiguration
        do {
            configuration = try AgentConfiguration.load(path: config)
        } catch {
            throw CommandFailure.configuration(error)
        }
        AgentApplication.prepareProcess()
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        StatusWiring.bootstrapMetrics()
        try await AgentApplication(configuration: configuration).run()
    }
}
