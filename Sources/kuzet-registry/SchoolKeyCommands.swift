import ArgumentParser
import Foundation
import KuzetCore
import KuzetRegistry
import Logging

/// `kuzet-registry school key ID`: the device key pinned for a school (issue 21).
struct SchoolKeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "key",
        abstract: "Prints the device key pinned for a school (base64) and its SHA-256 fingerprint.",
        discussion: """
            Compare the fingerprint with the one `kuzet-agent verify` prints for an evidence export: the same
            key signed the day roots the registry holds.
            """)

    @Argument(help: "The school's id, e.g. KZ-AST-0042.") var id: String
    @Option(help: "sqlite:PATH or postgres://… (default: $KUZET_REGISTRY_DATABASE, else sqlite:kuzet-registry.sqlite)")
    var database: String?

    func run() async throws {
        try SchoolKeyCommand.checkID(id)
        let location = try DatabaseLocation(parsing: DatabaseOption.resolve(database))
        let pinned = try await RegistryStores.with(location, logger: Logger(label: "kuzet.registry")) { store in
            try await (store as? any CommitmentStore)?.deviceKey(schoolID: id)
        }
        guard let pinned else {
            throw CommandFailure.runtime(
                "ID \(id): no device key pinned in \(location) — the school's agent has not sent a signed heartbeat yet"
            )
        }
        printLine("key: \(pinned.base64)")
        printLine("sha256: \(pinned.fingerprint)")
        printLine("pinned_at: \(ISO8601DateFormatter().string(from: pinned.pinnedAt))")
        if let requested = pinned.rekeyRequestedAt {
            printLine("rekey_requested_at: \(ISO8601DateFormatter().string(from: requested))")
        }
        if let since = pinned.mismatchSince {
            printLine("mismatch_since: \(ISO8601DateFormatter().string(from: since))")
        }
    }

    static func checkID(_ id: String) throws {
        guard SchoolIdentifier.isValid(id) else {
            throw CommandFailure.usage(
                "ID: \"\(id)\" is not a school id — use 1–64 of A-Z a-z 0-9 . _ -, e.g. KZ-AST-0042")
        }
    }
}

/// `kuzet-registry school rekey ID`: a replaced box may pin its new key (issue 21).
struct SchoolRekeyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rekey",
        abstract: "Lets the next new device key a school's agent signs with be pinned (a replaced box).",
        discussion: """
            Until then, heartbeats not signed by the pinned key are refused (403 device_key_mismatch) and the
            school shows DEVICE_KEY_MISMATCH. The next heartbeat signed by the key it sends pins that key and
            clears the flag; the old key's heartbeats are still accepted until then.
            """)

    @Argument(help: "The school's id, e.g. KZ-AST-0042.") var id: String
    @Option(help: "sqlite:PATH or postgres://… (default: $KUZET_REGISTRY_DATABASE, else sqlite:kuzet-registry.sqlite)")
    var database: String?

    func run() async throws {
        try SchoolKeyCommand.checkID(id)
        let location = try DatabaseLocation(parsing: DatabaseOption.resolve(database))
        let done = try await RegistryStores.with(location, logger: Logger(label: "kuzet.registry")) { store in
            try await (store as? any CommitmentStore)?.requestRekey(schoolID: id, at: Date()) ?? false
        }
        guard done else {
            throw CommandFailure.runtime(
                "ID \(id): no device key pinned in \(location) — nothing to replace; the first key a school sends is pinned"
            )
        }
        printLine("school \(id): the next new device key its agent signs with will be pinned")
    }
}
