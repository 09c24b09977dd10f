import ArgumentParser
import Foundation
import KuzetCore
import KuzetRegistry
import Logging

struct SchoolCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "school",
        abstract: "Removes a school that no longer reports (closed, or registered under a wrong id).",
        subcommands: [SchoolRemoveCommand.self, SchoolKeyCommand.self, SchoolRekeyCommand.self])
}

struct SchoolRemoveCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "remove",
        abstract: "Deletes a school with its state, its heartbeat history and its tokens.",
        discussion: """
            The school leaves the report, the lists and the dashboard at once, and its heartbeats are refused
            (401 school_removed), also by running instances that still remember its token. Its device key, signed
            day roots, challenges and retention proof go too, and its police commands not finished; its finished
            commands and the audit log stay. Creating a school token for the id (`kuzet-registry token create
            --role school --school ID --region R`) registers it again: the first box that reports pins its key.
            """)

    @Argument(help: "The school's id, e.g. KZ-AST-0042.") var id: String
    @Option(help: "sqlite:PATH or postgres://… (default: $KUZET_REGISTRY_DATABASE, else sqlite:kuzet-registry.sqlite)")
    var database: String?

    func run() async throws {
        guard SchoolIdentifier.isValid(id) else {
            throw CommandFailure.usage(
                "ID: \"\(id)\" is not a school id — use 1–64 of A-Z a-z 0-9 . _ -, e.g. KZ-AST-0042")
        }
        let location = try DatabaseLocation(parsing: DatabaseOption.resolve(database))
        let removal = try await RegistryStores.with(location, logger: Logger(label: "kuzet.registry")) {
            try await $0.removeSchool(id: id)
        }
        guard let removal else {
            throw CommandFailure.runtime(
                "ID \(id): no such school in \(location) — the ids are in the dashboard and GET /api/v1/schools")
        }
        printLine(
            "removed school \(id) from \(location): \(removal.tokens) token(s), \(removal.heartbeats) heartbeat(s) of history"
        )
        printLine(
            "forgot its provable retention: \(removal.deviceKeys) device key(s), \(removal.dayRoots) day root(s), \(removal.challenges) challenge(s), \(removal.retentionProofs) retention proof(s)"
        )
        printLine(
            "forgot \(removal.unfinishedCommands) unfinished command(s); kept \(removal.finishedCommandsKept) finished command(s) and the audit log"
        )
    }
}
