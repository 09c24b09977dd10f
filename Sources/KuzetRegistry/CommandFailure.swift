import Foundation
import KuzetCore

/// An error a `kuzet-registry` command reports and exits with: one line per problem in the contract's
/// form `where: what is wrong — what to do`, exit 1 (runtime) or 2 (usage/configuration).
public struct CommandFailure: Error, CustomStringConvertible {
    public var lines: [String]
    public var exitCode: Int32

    public init(lines: [String], exitCode: Int32) {
        self.lines = lines.map(CredentialRedaction.redact)
        self.exitCode = exitCode
    }

    public static func runtime(_ line: String) -> CommandFailure { .init(lines: [line], exitCode: 1) }
    public static func usage(_ line: String) -> CommandFailure { .init(lines: [line], exitCode: 2) }

    public var description: String { lines.joined(separator: "\n") }
}
