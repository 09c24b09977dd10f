import Foundation
import KuzetCommitment
import KuzetCore
import KuzetProtocol
import KuzetSegmentStore
import Logging
import Metrics
import ServiceLifecycle
import Synchronization

/// Issue 21 on the box: commits every closed segment to its camera's journal (hashing happens on
/// a thread of its own, never on the recorder's), commits at start what a crash left uncommitted,
/// signs each camera's closed UTC days, and answers the registry's challenges. Heartbeats take
/// what it has ready through ``takeForHeartbeat()``.
///
/// Bounded: at most ``maxQueued`` closed segments wait (beyond that the service rescans the
/// store instead, so nothing is lost), ``maxChallenges`` challenges and answers are held.
public final class CommitmentService: Service, SegmentEvents, Sendable {
    public struct Settings: Sendable {
        public var storageRoot: String
        public var schoolID: String
        public var cameras: [String]
        /// A day is signed once it ended this long ago (its last segments have closed).
        public var dayGrace: TimeInterval
        /// How often the service looks for work it was not woken for (days to sign).
        public var tick: Duration = .seconds(1)
        /// The retention the box claims (`retention.days`): a day's journal is kept at least this
        /// long after the day ended, and while any footage of it remains.
        public var retentionDays: Int = 30
        /// Seconds between two looks for journals to remove (``pruneSpentDays()``).
        public var pruneEvery: TimeInterval = 3600
        /// Whether the wall clock can be trusted (issue 26): journals are not removed by age while
        /// it cannot, as retention does not delete footage by age then.
        public var clockTrusted: @Sendable () -> Bool = { true }

        public init(storageRoot: String, schoolID: String, cameras: [String], segmentSeconds: Int) {
            self.storageRoot = storageRoot
            self.schoolID = schoolID
            self.cameras = cameras
            self.dayGrace = TimeInterval(2 * segmentSeconds + 60)
        }
    }

    static let maxQueued = 1024
    static let dayMillis: Int64 = 86_400_000
    static let maxChallenges = 16
    /// Per heartbeat: the wire format's limits.
    static let dayRootsPerHeartbeat = 64
    static let answersPerHeartbeat = 4

    struct State {
        var open: Set<String> = []
        var closed: [SegmentFile] = []
        var rescan = false
        var challenges: [RetentionChallenge] = []
        var answers: [ChallengeAnswer] = []
        var unsent: [CommitmentJournal.SignedDay] = []
        /// Handed to a heartbeat not yet known to be on disk.
        var inFlight: [CommitmentJournal.SignedDay] = []
        var lastDayCheck: Date?
        var lastPrune: Date?
    }

    public let settings: Settings
    public let deviceKey: DeviceKey?
    let journal: CommitmentJournal
    let store: SegmentStore
    let now: @Sendable () -> Date
    let logger: Logger
    let started: Date
    let state = Mutex(State())
    /// `/metrics`: what provable retention costs the box — segments and bytes hashed, and the CPU
    /// time spent hashing and journaling them (the hashing thread's own, not wall time).
    private let segmentsCounter = Counter(label: "kuzet_commitment_segments_total")
    private let bytesCounter = Counter(label: "kuzet_commitment_bytes_total")
    private let cpuCounter = FloatingPointCounter(label: "kuzet_commitment_cpu_seconds_total")

    public init(
        settings: Settings, deviceKey: DeviceKey?, now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "kuzet.commitment")
    ) {
        self.settings = settings
        self.deviceKey = deviceKey
        self.journal = CommitmentJournal(storageRoot: settings.storageRoot)
        self.store = SegmentStore(root: settings.storageRoot)
        self.now = now
        self.logger = logger
        self.started = now()
    }

    // MARK: Segment events (the recorder's thread: only bookkeeping here)

    public func segmentOpened(_ segment: SegmentFile) {
        state.withLock { _ = $0.open.insert(segment.path) }
    }

    public func segmentClosed(_ segment: SegmentFile, bytes: Int64, duration: Double) {
        state.withLock {
            $0.open.remove(segment.path)
            if $0.closed.count < Self.maxQueued { $0.closed.append(segment) } else { $0.rescan = true }
        }
    }

    // MARK: Heartbeats

    /// The registry's challenges from a receipt (at most 4 are taken; the same id once).
    public func challengesArrived(_ challenges: [RetentionChallenge]) {
        state.withLock { state in
            for challenge in challenges.prefix(4)
            where state.challenges.count < Self.maxChallenges
                && !state.challenges.contains(where: { $0.id == challenge.id })
                && !state.answers.contains(where: { $0.id == challenge.id })
            {
                state.challenges.append(challenge)
            }
        }
    }

    /// The device key, signed day roots not yet sent (at most 64) and ready answers (at most 4).
    /// Each is handed out once; ``heartbeatQueued(dayRoots:answers:queued:)`` marks the roots
    /// sent once the heartbeat is on disk, or hands them (and the answers) out again.
    public func takeForHeartbeat() -> (deviceKey: String?, dayRoots: [DayRootReport], answers: [ChallengeAnswer]) {
        let (days, answers) = state.withLock { state in
            let days = Array(state.unsent.prefix(Self.dayRootsPerHeartbeat))
            state.unsent.removeFirst(days.count)
            state.inFlight += days
            let answers = Array(state.answers.prefix(Self.answersPerHeartbeat))
            state.answers.removeFirst(answers.count)
            return (days, answers)
        }
        return (deviceKey?.publicKey.base64, days.compactMap(\.report), answers)
    }

    /// The heartbeat carrying `dayRoots` and `answers` is in the outbox (`queued`), or could not
    /// be queued: then they wait for the next one.
    public func heartbeatQueued(dayRoots: [DayRootReport], answers: [ChallengeAnswer], queued: Bool) {
        let days = state.withLock { state in
            let days = state.inFlight.filter { day in
                dayRoots.contains { $0.camera == day.camera && $0.day == day.day }
            }
            state.inFlight.removeAll { day in days.contains { $0.camera == day.camera && $0.day == day.day } }
            if !queued {
                state.unsent.insert(contentsOf: days, at: 0)
                state.answers.insert(contentsOf: answers.prefix(Self.maxChallenges - state.answers.count), at: 0)
            }
            return days
        }
        guard queued else { return }
        for var day in days {
            day.sent = true
            do { try journal.write(day) } catch { logger.warning("commitments: \(error)") }
        }
    }

    // MARK: Running

    public func run() async throws {
        await BlockingWork.run("kuzet.commitment") { self.startupScan() }
        while !Task.isCancelled {
            await BlockingWork.run("kuzet.commitment") { self.work() }
            // The wait ends at shutdown, not at the next tick (an agent stops within seconds).
            let tick = settings.tick
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: tick) } } catch { break }
            if Task.isShuttingDownGracefully { break }
        }
        // What closed while shutting down is committed before the service ends.
        await BlockingWork.run("kuzet.commitment") { self.commitQueued() }
    }

    /// One pass: commit closed segments, sign closed days, answer challenges, remove spent journals.
    func work() {
        commitQueued()
        signClosedDays()
        answerChallenges()
        pruneSpentDays()
    }

    func commitQueued() {
        let (closed, rescan) = state.withLock { state in
            defer {
                state.closed = []
                state.rescan = false
            }
            return (state.closed, state.rescan)
        }
        for segment in closed { commit(segment) }
        if rescan { commitUncommitted(before: now()) }
    }

    /// At start: segments a crash left uncommitted (the one being written when it happened
    /// included: it is committed as it is on disk — a gap is a gap, not a broken chain), and the
    /// signed days not yet sent.
    func startupScan() {
        commitUncommitted(before: started)
        var unsent = [CommitmentJournal.SignedDay]()
        for camera in settings.cameras {
            for day in journal.days(camera: camera) {
                if let signed = journal.signedDay(camera: camera, day: day), !signed.sent { unsent.append(signed) }
            }
        }
        state.withLock { $0.unsent = unsent }
    }

    /// Commits every segment of the configured cameras that started before `limit`, is not
    /// open, and is not in its day's journal.
    func commitUncommitted(before limit: Date) {
        let open = state.withLock { $0.open }
        var committed = 0
        for camera in settings.cameras {
            let segments = store.segments(camera: camera).filter { $0.start < limit && !open.contains($0.path) }
            let byDay = Dictionary(grouping: segments) { CommitmentTime.day($0.start) }
            for (day, files) in byDay {
                let known = Set(journal.entries(camera: camera, day: day).map(\.file))
                for file in files where !known.contains(file.name.fileName) {
                    if commit(file) { committed += 1 }
                }
            }
        }
        if committed > 0 {
            logger.info(
                "commitments: committed segments found uncommitted on disk", metadata: ["segments": "\(committed)"])
        }
    }

    @discardableResult
    func commit(_ segment: SegmentFile) -> Bool {
        let cpu = ThreadCPUTime.seconds()
        defer { cpuCounter.increment(by: max(0, ThreadCPUTime.seconds() - cpu)) }
        do {
            let digest = try ChunkTree.root(of: URL(fileURLWithPath: segment.path))
            let record = SegmentRecord(
                camera: segment.camera, startMilliseconds: CommitmentTime.milliseconds(segment.start), digest: digest)
            if let signed = journal.signedDay(camera: segment.camera, day: record.day) {
                // The day is signed already: the record is kept (export shows it) but its tree is not changed.
                logger.warning(
                    "commitments: \(segment) belongs to a day signed before it was committed (\(signed.segments) segments); it is journaled outside that day's root"
                )
            }
            try journal.append(.init(file: segment.name.fileName, record: record))
            segmentsCounter.increment()
            bytesCounter.increment(by: record.bytes)
            return true
        } catch {
            logger.error("commitments: \(segment) not committed: \(error)")
            return false
        }
    }

    /// Signs every journaled day that ended more than ``Settings/dayGrace`` ago and has no root
    /// yet (checked once a minute).
    func signClosedDays() {
        let now = now()
        let due = state.withLock { state -> Bool in
            guard state.lastDayCheck.map({ now.timeIntervalSince($0) >= 60 || now < $0 }) ?? true else { return false }
            state.lastDayCheck = now
            return true
        }
        guard due else { return }
        let open = state.withLock { $0.open }
        for camera in settings.cameras {
            for day in journal.days(camera: camera) where journal.signedDay(camera: camera, day: day) == nil {
                guard let start = CommitmentTime.parseDay(day) else { continue }
                let end = Date(timeIntervalSince1970: Double(start + 86_400_000) / 1000)
                guard now.timeIntervalSince(end) >= settings.dayGrace else { continue }
                // A segment of that day still being written holds the day open.
                if open.contains(where: { $0.hasPrefix(store.folder(camera: camera) + "/" + day) }) { continue }
                sign(camera: camera, day: day)
            }
        }
    }

    func sign(camera: String, day: String) {
        let entries = journal.entries(camera: camera, day: day)
        let (tree, _) = journal.tree(camera: camera, day: day, count: entries.count)
        let statement = DayRootStatement(schoolID: settings.schoolID, camera: camera, day: day, tree: tree)
        let signed = CommitmentJournal.SignedDay(
            camera: camera, day: day, segments: tree.records.count, root: tree.root.hex,
            signature: deviceKey.map { $0.sign(Array(statement.text.utf8)) }, sent: false)
        do {
            try journal.write(signed)
            state.withLock { $0.unsent.append(signed) }
            logger.info(
                "commitments: day signed",
                metadata: ["camera.id": "\(camera)", "day": "\(day)", "segments": "\(signed.segments)"])
        } catch {
            logger.error("commitments: day \(day) of \(camera) not signed: \(error)")
        }
    }

    func answerChallenges() {
        let challenges = state.withLock { state in
            defer { state.challenges = [] }
            return state.challenges
        }
        for challenge in challenges {
            let answer = answer(challenge)
            state.withLock { state in
                if state.answers.count < Self.maxChallenges { state.answers.append(answer) }
            }
        }
    }

    /// The answer from the signed tree of the day (the journal lines the root covers) and the
    /// segment file, if retention has not deleted it.
    func answer(_ challenge: RetentionChallenge) -> ChallengeAnswer {
        guard settings.cameras.contains(challenge.camera), CommitmentTime.parseDay(challenge.day) != nil,
            let signed = journal.signedDay(camera: challenge.camera, day: challenge.day)
        else {
            return ChallengeAnswerBuilder.answer(challenge, day: nil, segmentFile: nil)
        }
        let (tree, files) = journal.tree(camera: challenge.camera, day: challenge.day, count: signed.segments)
        var file: URL?
        if challenge.segmentIndex >= 0, challenge.segmentIndex < files.count,
            let name = SegmentName(fileName: files[challenge.segmentIndex])
        {
            let path = store.file(camera: challenge.camera, name: name).path
            if FileManager.default.fileExists(atPath: path) { file = URL(fileURLWithPath: path) }
        }
        return ChallengeAnswerBuilder.answer(challenge, day: tree, segmentFile: file)
    }
}
