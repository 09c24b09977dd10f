import ArgumentParser
import KuzetAgent

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "status", abstract: "Asks a running agent for its status.")

    func run() async throws {
        throw CommandFailure.runtime("status: not built yet — see the open issue")
    }
}
