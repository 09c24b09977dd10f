import Foundation
import Logging

/// Collects what a component logs, so a test can check that a problem is logged clearly, once.
public final class LogRecorder: @unchecked Sendable {
    // @unchecked: `stored` is only touched under `lock`.
    public struct Entry: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]
        /// Message and metadata in one line, for `contains` checks.
        public var line: String {
            "\(message) \(metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))"
        }
    }

    private let lock = NSLock()
    private var stored: [Entry] = []

    public init() {}

    /// A logger writing into this recorder (and nowhere else).
    public func logger(label: String, level: Logger.Level = .debug) -> Logger {
        var logger = Logger(label: label) { _ in Handler(recorder: self) }
        logger.logLevel = level
        return logger
    }

    public var entries: [Entry] { lock.withLock { stored } }

    /// Entries at `level` or above.
    public func entries(atLeast level: Logger.Level) -> [Entry] { entries.filter { $0.level >= level } }

    fileprivate func append(_ entry: Entry) { lock.withLock { stored.append(entry) } }

    struct Handler: LogHandler {
        let recorder: LogRecorder
        var metadata: Logger.Metadata = [:]
        var logLevel: Logger.Level = .trace

        subscript(metadataKey key: String) -> Logger.Metadata.Value? {
            get { metadata[key] }
            set { metadata[key] = newValue }
        }

        func log(event: LogEvent) {
            var merged = metadata
            if let extra = event.metadata { merged.merge(extra) { $1 } }
            recorder.append(
                Entry(level: event.level, message: "\(event.message)", metadata: merged.mapValues { "\($0)" }))
        }
    }
}
