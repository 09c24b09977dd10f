import ArgumentParser
import KuzetAgent

struct DiscoverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "discover", abstract: "Finds ONVIF cameras and DVR/encoder channels on the network.")

    func run() async throws {
        throw CommandFailure.runtime("discover: not built yet — see the open issue")
    }
}
