import ArgumentParser
import KuzetAgent

struct ExportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Cuts one playable file from the recordings.")

    func run() async throws {
        throw CommandFailure.runtime("export: not built yet — see the open issue")
    }
}
