import Foundation

/// An error a command of either executable reports to the user and exits with: one line per problem in the contract's
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

    /// A configuration that did not load: every problem, exit 2.
    public static func configuration(_ error: ConfigurationError) -> CommandFailure {
        .init(lines: error.description.split(separator: "\n").map(String.init), exitCode: 2)
    }

    public var description: String { lines.joined(separator: "\n") }

    /// A one-line, credential-free description of any error.
    public static func describe(_ error: any Error) -> String {
        CredentialRedaction.redact(String(describing: error))
    }
}
