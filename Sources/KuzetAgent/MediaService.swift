import Foundation
import KuzetCore
import Logging
import ServiceLifecycle

/// The media side (``AgentRuntime``) as a service: starts every camera's threads, and on graceful
/// shutdown (SIGTERM/SIGINT) stops the upstreams and waits for open segments to be finished.
public struct MediaService: Service {
    public let runtime: AgentRuntime
    let logger: Logger

    public init(runtime: AgentRuntime, logger: Logger = Logger(label: "kuzet.agent")) {
        self.runtime = runtime
        self.logger = logger
    }

    public func run() async throws {
        runtime.start()
        try? await gracefulShutdown()
        logger.info("stopping: finishing open segments")
        // Stopping joins threads: do it on a thread of its own, not on the cooperative pool.
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let runtime = self.runtime
            Thread.detachNewThread {
                runtime.stop()
                continuation.resume()
            }
        }
        logger.info("stopped")
    }
}
