import ArgumentParser
import KuzetAgent

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "run", abstract: "The daemon: record, relay, retain, report, serve status.")

    func run() async throws {
        throw CommandFailure.runtime("run: not built yet — see the open issue")
    }
}
