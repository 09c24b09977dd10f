import ArgumentParser
import KuzetAgent

struct ProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "probe", abstract: "Lists the streams of one device (ONVIF device-service URL or rtsp:// URL).")

    func run() async throws {
        throw CommandFailure.runtime("probe: not built yet — see the open issue")
    }
}
