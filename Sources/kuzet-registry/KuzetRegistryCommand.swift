import ArgumentParser
import Foundation
import KuzetRegistry
import Logging

/// `kuzet-registry`: the central service schools report to and police read from.
/// Exit codes (contract): 0 success, 1 runtime failure, 2 bad usage or bad configuration.
@main
struct KuzetRegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kuzet-registry",
        abstract: "Collects school heartbeats and tells police and the ministry which schools are online, delivering and keeping 30 days.",
        subcommands: [ServeCommand.self, TokenCommand.self]
    )

    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withContractCode: error)
        }
    }

    /// Prints the error the contract's way and exits 1 (runtime) or 2 (usage/configuration).
    static func exit(withContractCode error: any Error) -> Never {
        if let failure = error as? CommandFailure {
            FileHandle.standardError.write(Data((failure.lines.joined(separator: "\n") + "\n").utf8))
            Foundation.exit(failure.exitCode)
        }
        let code = Self.exitCode(for: error)
        if code == .success { Self.exit(withError: error) }  // --help, --version
        if code == .validationFailure || code.rawValue == 64 {
            FileHandle.standardError.write(Data((Self.fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
        FileHandle.standardError.write(Data("kuzet-registry: \(CommandFailure(lines: [String(describing: error)], exitCode: 1).description)\n".utf8))
        Foundation.exit(1)
    }
}

/// Writes a line to stdout at once (stdout may be a pipe a test reads).
func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
