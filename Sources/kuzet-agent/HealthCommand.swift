import ArgumentParser
import Foundation
import KuzetAgent
import KuzetConfiguration
import KuzetCore

/// `kuzet-agent health …`: picture health (issue 23).
struct HealthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "health", abstract: "Picture health: the cameras' reference pictures.",
        subcommands: [ResetReference.self])

    /// `kuzet-agent health reset-reference --config FILE --camera ID`: forgets the camera's reference
    /// picture; the running agent takes its next usable sample as the new one (within one
    /// `health.interval_seconds`) and clears `moved`. Exit 0 also when there was none yet.
    struct ResetReference: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reset-reference",
            abstract: "Forget a camera's reference picture (after turning it on purpose): the next sample becomes it.")

        @Option(help: "The agent configuration file.") var config: String = "/etc/kuzet/agent.yaml"
        @Option(help: "The camera's id (cameras[].id).") var camera: String

        func run() async throws {
            let agent: AgentConfiguration
            do { agent = try AgentConfiguration.load(path: config) } catch { throw CommandFailure.configuration(error) }
            guard agent.cameras.contains(where: { $0.id == camera }) else {
                let known = agent.cameras.map(\.id).joined(separator: ", ")
                throw CommandFailure.usage(
                    "--camera: \"\(camera.prefix(64))\" is not a camera of \(config) — use one of: \(known)")
            }
            let store = PictureReferenceStore(directory: agent.health.stateDirectory)
            do {
                let removed = try store.remove(camera: camera)
                print(
                    removed
                        ? "camera \(camera): reference picture removed — the agent takes the next usable sample as the new one"
                        : "camera \(camera): no reference picture yet — the agent takes the next usable sample as it")
            } catch {
                throw CommandFailure.runtime(
                    "health.state_dir \(store.directory): cannot remove the reference of \(camera) (\(error.localizedDescription)) — run as the agent's user or root"
                )
            }
        }
    }
}
