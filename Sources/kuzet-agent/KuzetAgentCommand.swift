import ArgumentParser
import Foundation
import KuzetAgent

/// `kuzet-agent`: the daemon on each school's NVR box, and the integrator's tools.
/// Exit codes (contract): 0 success, 1 runtime failure, 2 bad usage or bad configuration.
@main
struct KuzetAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kuzet-agent",
        abstract: "Records a school's cameras for 30 days, relays them to the police centre (ЦОУ) and reports to the registry.",
        subcommands: [RunCommand.self, CheckCommand.self, DiscoverCommand.self, ProbeCommand.self, ExportCommand.self, StatusCommand.self]
    )

    static func main() async {
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
        FileHandle.standardError.write(Data("kuzet-agent: \(CommandFailure.describe(error))\n".utf8))
        Foundation.exit(1)
    }
}
