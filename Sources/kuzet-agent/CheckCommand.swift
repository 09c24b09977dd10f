import ArgumentParser
import KuzetAgent

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Validates the config, then checks the box: cameras, storage for retention.days, registry, clock.")

    func run() async throws {
        throw CommandFailure.runtime("check: not built yet — see the open issue")
    }
}
