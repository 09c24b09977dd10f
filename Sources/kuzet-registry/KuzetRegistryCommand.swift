import ArgumentParser
import Foundation
import KuzetCommandLine
import KuzetRegistry
import Logging
import NIOCore
import NIOPosix

/// `kuzet-registry`: the central service schools report to and police read from.
/// Exit codes (contract): 0 success, 1 runtime failure, 2 bad usage or bad configuration.
@main
struct KuzetRegistryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "kuzet-registry",
        abstract:
            "Collects school heartbeats and tells police and the ministry which schools are online, delivering and keeping 30 days.",
        subcommands: [ServeCommand.self, TokenCommand.self, SchoolCommand.self, BackupCommand.self]
    )

    static func main() async {
        // Swift concurrency's jobs run on the server's NIO event loops instead of a second pool of
        // threads: a request's handler no longer hops between the two for every await. On 2 cores
        // this measured about +20 % heartbeats/s at 64 clients (bench/README.md, session 6). Only
        // safe while nothing blocks an event loop: SQLite is written and checkpointed on threads of
        // its own (GRDB's queues, the checkpointer), and the PostgreSQL client never blocks.
        _ = NIOSingletons.unsafeTryInstallSingletonPosixEventLoopGroupAsConcurrencyGlobalExecutor()
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel =
                ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        await runWithContractExitCodes(name: "kuzet-registry")
    }
}

/// Writes a line to stdout at once (stdout may be a pipe a test reads).
func printLine(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
