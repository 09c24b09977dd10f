import Foundation
import KuzetCore
import Logging
import Synchronization

/// Sends one file (a clip or a snapshot) to the registry for a command, tus-like: the registry
/// says how much it holds (HEAD), the agent sends the rest in chunks of at most 8 MiB (PATCH) at
/// the rate ``UplinkBudget`` leaves after live pushes, and after a cut link or a registry restart
/// it asks again and goes on from there — never from zero. The registry checks the whole file's
/// SHA-256 when the last byte arrives.
public struct ResumableUpload: Sendable {
    public static let maxChunkBytes = 8 << 20
    public static let minChunkBytes = 64 << 10

    public var client: CommandClient
    public var budget: UplinkBudget
    /// Giving up after this long without a byte accepted (the command has long expired for the police by then).
    public var patience: Duration = .seconds(3600)
    /// Called after each accepted chunk with the registry's offset.
    public var progress: @Sendable (Int) -> Void = { _ in }
    let logger: Logger

    public init(client: CommandClient, budget: UplinkBudget, logger: Logger = Logger(label: "kuzet.commands")) {
        self.client = client
        self.budget = budget
        self.logger = logger
    }

    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var description: String
    }

    /// What a finished upload did.
    public struct Outcome: Sendable, Equatable {
        public var bytes: Int
        /// Offsets the upload went on from after an interruption (for the log and the tests).
        public var resumedAt: [Int]
    }

    /// Uploads `path` as the result of command `id`. Returns when the registry holds all of it.
    public func run(id: String, path: String, sha256: String) async throws(Failure) -> Outcome {
        guard let handle = FileHandle(forReadingAtPath: path) else {
            throw Failure(description: "upload \(id): cannot read \(path)")
        }
        defer { try? handle.close() }
        let total: Int
        do { total = Int(try handle.seekToEnd()) } catch {
            throw Failure(description: "upload \(id): cannot read \(path) (\(error))")
        }
        var backoff = Backoff(initial: .milliseconds(500), cap: .seconds(15))
        var lastProgress = ContinuousClock.now
        var resumedAt: [Int] = []
        var offset: Int?
        var interrupted = false
        var first = true
        var conflicts = 0
        while true {
            if Task.isCancelled { throw Failure(description: "upload \(id): stopped (the agent is shutting down)") }
            do {
                if offset == nil {
                    let held = try await client.uploadOffset(id)
                    // After a cut link, or at the first ask when an earlier run of the agent sent part of it.
                    if interrupted || (first && held > 0) {
                        resumedAt.append(held)
                        logger.notice(
                            "upload resumes from the registry's offset",
                            metadata: ["command.id": "\(id)", "upload.offset": "\(held)", "upload.total": "\(total)"])
                    }
                    offset = held
                    interrupted = false
                    first = false
                }
                guard let at = offset else { continue }
                guard at < total else { return Outcome(bytes: total, resumedAt: resumedAt) }
                let allowance = budget.uploadAllowanceKbps()
                guard allowance > 0 else {
                    try? await Task.sleep(for: .milliseconds(250))
                    continue
                }
                let bytesPerSecond = Int(allowance * 1000 / 8)
                // About two seconds of sending per chunk: the rate follows the live pushes closely.
                let size = min(total - at, max(Self.minChunkBytes, min(Self.maxChunkBytes, bytesPerSecond * 2)))
                let chunk: Data
                do {
                    try handle.seek(toOffset: UInt64(at))
                    chunk = try handle.read(upToCount: size) ?? Data()
                } catch {
                    throw Failure(description: "upload \(id): cannot read \(path) at \(at) (\(error))")
                }
                guard chunk.count == size else {
                    throw Failure(description: "upload \(id): \(path) changed while uploading")
                }
                let counter = ProgressCounter(budget: budget)
                let outcome = try await client.upload(
                    id, chunk: chunk, offset: at, total: total, sha256: sha256, maxBytesPerSecond: bytesPerSecond,
                    progress: { counter.sent($0) })
                switch outcome {
                case .accepted(let next):
                    offset = min(next, total)
                    lastProgress = .now
                    backoff.reset()
                    conflicts = 0
                    progress(next)
                case .conflict(let held):
                    // Sent from the registry's own offset and refused again: it holds another file
                    // for this command (another length or checksum), which this upload cannot finish.
                    conflicts += 1
                    if conflicts >= 3 && held == at {
                        throw Failure(
                            description:
                                "upload \(id): the registry refuses this file at its own offset \(held) (it holds another file for the command)"
                        )
                    }
                    logger.notice(
                        "upload offset differs from the registry's: going on from the registry's",
                        metadata: ["command.id": "\(id)", "upload.sent_at": "\(at)", "upload.offset": "\(held)"])
                    resumedAt.append(held)
                    offset = held
                }
            } catch let failure as CommandClient.Failure {
                switch failure.status {
                case 413, 422, 400, 401, 403, 404:
                    throw Failure(description: "upload \(id): \(failure.description)")
                default: break
                }
                if lastProgress.duration(to: .now) > patience {
                    throw Failure(description: "upload \(id): no progress for \(patience) — \(failure.description)")
                }
                if !interrupted {
                    logger.warning(
                        "upload interrupted: asking the registry's offset again when it answers",
                        metadata: ["command.id": "\(id)", "error": "\(failure.description)"])
                }
                interrupted = true
                offset = nil
                let delay = failure.retryAfter ?? backoff.next()
                do { try await Task.sleep(for: delay) } catch {
                    throw Failure(description: "upload \(id): stopped (the agent is shutting down)")
                }
            } catch let failure as Failure {
                throw failure
            } catch {
                throw Failure(description: "upload \(id): \(error)")
            }
        }
    }
}

/// Turns libcurl's "bytes sent so far" into increments for the budget's upload rate.
final class ProgressCounter: Sendable {
    private let budget: UplinkBudget
    private let last = Mutex(0)
    init(budget: UplinkBudget) { self.budget = budget }
    func sent(_ total: Int) {
        let delta = last.withLock { last in
            defer { last = max(last, total) }
            return max(0, total - last)
        }
        if delta > 0 { budget.countUpload(bytes: delta) }
    }
}
