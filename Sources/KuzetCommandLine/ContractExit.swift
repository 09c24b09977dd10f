import ArgumentParser
import Foundation
import KuzetCore

/// How both executables end, as the contract says: 0 success, 1 runtime failure, 2 bad usage or
/// bad configuration; errors on stderr, one line per problem, `where: what is wrong — what to do`.
extension AsyncParsableCommand {
    /// Parses the command line, runs the chosen command and exits with the contract's code.
    /// Sets the file creation mask first (``FileCreationMask``), so nothing the command writes is
    /// world-readable.
    public static func runWithContractExitCodes(name: String) async {
        FileCreationMask.restrict()
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            exit(withContractCode: error, name: name)
        }
    }

    static func exit(withContractCode error: any Error, name: String) -> Never {
        if let failure = error as? CommandFailure {
            FileHandle.standardError.write(Data((failure.lines.joined(separator: "\n") + "\n").utf8))
            Foundation.exit(failure.exitCode)
        }
        let code = exitCode(for: error)
        if code == .success { exit(withError: error) } // --help, --version
        if code == .validationFailure || code.rawValue == 64 {
            FileHandle.standardError.write(Data((fullMessage(for: error) + "\n").utf8))
            Foundation.exit(2)
        }
        FileHandle.standardError.write(Data("\(name): \(CommandFailure.describe(error))\n".utf8))
        Foundation.exit(1)
    }
}
