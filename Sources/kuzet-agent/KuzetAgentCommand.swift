import ArgumentParser
import Foundation
import KuzetAgent
import KuzetCommandLine
import KuzetCore

/// `kuzet-agent`: the daemon on each school's NVR box, and the integrator's tools.
/// Exit codes (contract): 0 success, 1 runtime failure, 2 bad usage or bad configuration.
@main
struct KuzetAgentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kuzet-agent",
        abstract:
            "Records a school's cameras for 30 days, relays them to the police centre (ЦОУ) and reports to the registry.",
        subcommands: [
            RunCommand.self, CheckCommand.self, DiscoverCommand.self, ProbeCommand.self, ExportCommand.self,
            StatusCommand.self, VerifyCommand.self, HealthCommand.self,
        ]
    )

    static func main() async {
        await runWithContractExitCodes(name: "kuzet-agent")
    }
}
