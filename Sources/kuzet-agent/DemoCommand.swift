import ArgumentParser
import KuzetAgent

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "demo", abstract: "Runs a registry and an agent with built-in demo cameras on this machine.")

    func run() async throws {
        throw CommandFailure.runtime("demo: not built yet — see the open issue")
    }
}
