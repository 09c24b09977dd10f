import ArgumentParser
import Foundation
import KuzetCore
import KuzetRegistry
import Logging

struct TokenCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "token", abstract: "Creates, lists and revokes access tokens (stored hashed).",
        subcommands: [TokenCreateCommand.self, TokenListCommand.self, TokenRevokeCommand.self])
}

struct TokenCreateCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Creates a token and prints it alone on the last line of stdout (shown once, stored hashed).",
        discussion: """
            --role school --school ID --region R [--name N]: registers the school (or sets its region); the token writes its heartbeats.
            The registry sets a school's region: a heartbeat naming another one is recorded as REGION_MISMATCH, not obeyed.
            --role viewer [--region R]: reads everything, or one region only (police).
            --role operator [--region R]: reads like a viewer and issues commands (live view, clips, snapshots) to the schools of its region (ЦОУ).
            --role admin: reads everything.
            """)

    @Option(help: "school, viewer, operator or admin") var role: String
    @Option(help: "The school's id (role school), e.g. KZ-AST-0042.") var school: String?
    @Option(help: "The school's name (role school).") var name: String?
    @Option(help: "The school's region (role school), or the only region a viewer or operator may read.") var region:
        String?
    @Option(help: "sqlite:PATH or postgres://… (default: $KUZET_REGISTRY_DATABASE, else sqlite:kuzet-registry.sqlite)")
    var database: String?

    func run() async throws {
        guard let role = Role(rawValue: role) else {
            throw CommandFailure.usage("--role: \"\(role)\" is not a role — use school, viewer, operator or admin")
        }
        var problems: [String] = []
        switch role {
        case .school:
            if let school {
                if !SchoolIdentifier.isValid(school) {
                    problems.append(
                        "--school: \"\(school)\" is not a school id — use 1–64 of A-Z a-z 0-9 . _ -, e.g. KZ-AST-0042")
                }
            } else {
                problems.append("--school: missing — a school token needs --school ID")
            }
            if region == nil {
                // The registry, not the school's own heartbeat, decides which region's police see it.
                problems.append(
                    "--region: missing — a school token needs --region R (the region whose police see the school, e.g. Astana)"
                )
            }
        case .viewer, .admin, .operator:
            if school != nil { problems.append("--school: only for --role school — leave it out") }
            if name != nil { problems.append("--name: only for --role school — leave it out") }
            if role == .admin && region != nil {
                problems.append(
                    "--region: an admin token reads every region — leave it out, or use --role viewer --region R")
            }
        }
        for (option, value, maximum) in [("--name", name, 200), ("--region", region, 100)] {
            if let value,
                value.isEmpty || value.count > maximum
                    || value.unicodeScalars.contains(where: { $0.properties.generalCategory == .control })
            {
                problems.append("\(option): must be 1–\(maximum) characters without control characters — fix the value")
            }
        }
        if !problems.isEmpty { throw CommandFailure(lines: problems, exitCode: 2) }
        let location = try DatabaseLocation(parsing: DatabaseOption.resolve(database))
        let token = AccessToken.generate(role: role)
        let principal = Principal(
            role: role, schoolID: role == .school ? school : nil,
            region: role == .admin ? nil : (role == .viewer || role == .operator ? region : nil))
        let registration = school.map { SchoolRegistration(id: $0, name: name, region: region) }
        try await RegistryStores.with(location, logger: Logger(label: "kuzet.registry")) { store in
            let now = Date()
            if role == .school, let registration { try await store.register(registration, at: now) }
            try await store.insert(StoredToken(hash: AccessToken.hash(token), principal: principal, createdAt: now))
        }
        var what = "\(role.rawValue) token"
        if let school { what += " for school \(school)" }
        if let region {
            what += role == .viewer || role == .operator ? " limited to region \(region)" : " (region \(region))"
        }
        printLine("created \(what) in \(location); it is shown only this once:")
        printLine(token)
    }
}

struct TokenListCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list", abstract: "Lists tokens (hash prefix, role, school, region) — never the tokens.")

    @Option(help: "sqlite:PATH or postgres://… (default: $KUZET_REGISTRY_DATABASE, else sqlite:kuzet-registry.sqlite)")
    var database: String?

    func run() async throws {
        let location = try DatabaseLocation(parsing: DatabaseOption.resolve(database))
        let tokens = try await RegistryStores.with(location, logger: Logger(label: "kuzet.registry")) {
            try await $0.tokens()
        }
        for token in tokens { printLine(Self.line(token)) }
    }

    /// Hash prefix, role, school, region, creation time.
    static func line(_ token: StoredToken) -> String {
        "\(token.hash.prefix(12))  \(token.principal.role.rawValue)  \(token.principal.schoolID ?? "-")  \(token.principal.region ?? "-")  \(ISO8601DateFormatter().string(from: token.createdAt))"
    }
}

struct TokenRevokeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "revoke",
        abstract: "Revokes the token whose hash starts with PREFIX (as `token list` shows it).",
        discussion:
            "Running registry instances stop accepting the token within about 2 s (they check every 2 s whether tokens were revoked)."
    )

    @Argument(help: "The start of the token's hash, at least 8 characters, as `token list` prints it.") var prefix:
        String
    @Option(help: "sqlite:PATH or postgres://… (default: $KUZET_REGISTRY_DATABASE, else sqlite:kuzet-registry.sqlite)")
    var database: String?

    func run() async throws {
        let prefix = prefix.lowercased()
        guard prefix.count >= 8, prefix.allSatisfy(\.isHexDigit) else {
            throw CommandFailure.usage(
                "PREFIX: \"\(self.prefix)\" — give at least 8 hex characters of the hash that `kuzet-registry token list` prints"
            )
        }
        let location = try DatabaseLocation(parsing: DatabaseOption.resolve(database))
        let revoked = try await RegistryStores.with(location, logger: Logger(label: "kuzet.registry")) {
            store -> StoredToken in
            let matches = try await store.tokens().filter { $0.hash.hasPrefix(prefix) }
            guard let token = matches.first else {
                throw CommandFailure.runtime(
                    "PREFIX \(prefix): no token's hash starts with it in \(location) — see `kuzet-registry token list`")
            }
            guard matches.count == 1 else {
                throw CommandFailure(
                    lines: ["PREFIX \(prefix): \(matches.count) tokens' hashes start with it — give more characters:"]
                        + matches.map { "  \(TokenListCommand.line($0))" },
                    exitCode: 2)
            }
            _ = try await store.deleteToken(hash: token.hash)
            return token
        }
        printLine("revoked \(TokenListCommand.line(revoked)); running instances refuse it within 2 s")
    }
}
