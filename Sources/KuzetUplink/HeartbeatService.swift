import Foundation
import KuzetCore
import KuzetProtocol
import Logging
import Metrics
import ServiceLifecycle

/// Produces a heartbeat every interval (and soon after a state change), queues it durably in the
/// ``Outbox``, and drains the outbox to the registry in order, in batches, with backoff.
///
/// Two loops run until shutdown: the producer (timer + state-change triggers) and the sender.
/// Time is injected (`clock` for waiting, `now` for the wall-clock time a heartbeat carries), so
/// tests can run hours of intervals quickly.
public final class HeartbeatService: Service, Sendable {
    public struct Configuration: Sendable {
        public var schoolID: String
        /// The school's name and region from the configuration, sent with every heartbeat.
        public var school: SchoolInfo?
        public var agentVersion: String
        /// SHA-256 of the agent's configuration without secrets (`Heartbeat.configFingerprint`).
        public var configFingerprint: String? = nil
        /// `registry.interval_seconds`.
        public var interval: Duration
        /// After ``HeartbeatService/stateChanged()`` the heartbeat goes out this much later, so
        /// changes that come together (several cameras at once) share one heartbeat. Under 5 s.
        public var stateChangeDelay: Duration
        /// Heartbeats per POST.
        public var batchLimit: Int
        public var backoffInitial: Duration
        public var backoffCap: Duration
        /// Issue 22: where the police commands a heartbeat receipt carries go (the command
        /// channel's fallback; it runs each id once).
        public var receiptCommands: (@Sendable ([AgentCommand]) -> Void)? = nil

        public init(
            schoolID: String, school: SchoolInfo? = nil, agentVersion: String, interval: Duration,
            stateChangeDelay: Duration = .seconds(1),
            batchLimit: Int = 100, backoffInitial: Duration = .seconds(1), backoffCap: Duration = .seconds(300)
        ) {
            self.schoolID = schoolID
            self.school = school
            self.agentVersion = agentVersion
            self.interval = interval
            self.stateChangeDelay = stateChangeDelay
            self.batchLimit = batchLimit
            self.backoffInitial = backoffInitial
            self.backoffCap = backoffCap
        }
    }

    enum Trigger: Sendable { case tick, changed }

    public let configuration: Configuration
    let outbox: Outbox
    let client: RegistryClient
    let provider: any HeartbeatSnapshotProvider
    let sleep: @Sendable (Duration) async throws -> Void
    let elapsed: @Sendable () -> Duration
    let now: @Sendable () -> Date
    let logger: Logger
    let triggers: AsyncStream<Trigger>
    let triggerContinuation: AsyncStream<Trigger>.Continuation
    let wakeups: AsyncStream<Void>
    let wakeupContinuation: AsyncStream<Void>.Continuation
    let statusBox: StatusBox

    let queuedGauge = Gauge(label: "kuzet_uplink_queued_heartbeats")
    let deliveredCounter = Counter(label: "kuzet_uplink_delivered_heartbeats_total")
    let failureCounter = Counter(label: "kuzet_uplink_delivery_failures_total")
    let parkedCounter = Counter(label: "kuzet_uplink_parked_heartbeats_total")

    public init<C: Clock>(
        configuration: Configuration, outbox: Outbox, client: RegistryClient, provider: any HeartbeatSnapshotProvider,
        clock: C = ContinuousClock(), now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "kuzet.uplink")
    ) where C.Duration == Duration {
        self.configuration = configuration
        self.outbox = outbox
        self.client = client
        self.provider = provider
        self.sleep = { try await clock.sleep(for: $0) }
        let start = clock.now
        self.elapsed = { start.duration(to: clock.now) }
        self.now = now
        self.logger = logger
        (triggers, triggerContinuation) = AsyncStream.makeStream(of: Trigger.self, bufferingPolicy: .bufferingNewest(4))
        (wakeups, wakeupContinuation) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
        statusBox = StatusBox(UplinkStatus(queued: outbox.count, acknowledgedSequence: outbox.acknowledgedSequence))
    }

    /// Something the registry should hear about soon changed (a camera went offline, disk
    /// pressure…): a heartbeat follows within ``Configuration/stateChangeDelay``.
    public func stateChanged() {
        triggerContinuation.yield(.changed)
    }

    /// Queues a heartbeat carrying `events` right now; when this returns, they are on disk.
    public func record(_ events: [AgentEvent]) async throws {
        try await produce(extraEvents: events)
    }

    /// How delivery is going.
    public var status: UplinkStatus {
        var status = statusBox.value
        status.queued = outbox.count
        status.acknowledgedSequence = outbox.acknowledgedSequence
        return status
    }

    public func run() async throws {
        logger.info(
            "Uplink started",
            metadata: [
                "registry.url": "\(client.url)", "uplink.queued": "\(outbox.count)",
                "uplink.next_sequence": "\(outbox.nextSequence)",
            ])
        await cancelWhenGracefulShutdown {
            await withDiscardingTaskGroup { group in
                group.addTask { await self.sendLoop() }
                group.addTask { await self.tickLoop() }
                group.addTask { await self.produceLoop() }
            }
        }
        triggerContinuation.finish()
        logger.info("Uplink stopped", metadata: ["uplink.queued": "\(outbox.count)"])
    }

    // MARK: Producing

    func tickLoop() async {
        while !Task.isCancelled {
            do { try await sleep(configuration.interval) } catch { return }
            triggerContinuation.yield(.tick)
        }
    }

    func produceLoop() async {
        let started = AgentEvent(at: now(), kind: .agentStarted, message: "agent \(configuration.agentVersion) started")
        try? await produce(extraEvents: [started])
        for await trigger in triggers.cancelOnGracefulShutdown() {
            if Task.isCancelled { return }
            if trigger == .changed {
                do { try await sleep(configuration.stateChangeDelay) } catch { return }
            }
            try? await produce(extraEvents: [])
        }
    }

    /// One heartbeat from the provider's snapshot, appended (fsync'd) to the outbox.
    func produce(extraEvents: [AgentEvent]) async throws {
        let snapshot = await provider.heartbeatSnapshot()
        let configuration = configuration
        let sentAt = now()
        let uptime = elapsed()
        let uptimeSeconds = Double(uptime.components.seconds) + Double(uptime.components.attoseconds) / 1e18
        let outbox = outbox
        do {
            let heartbeat = try await BlockingWork.run("kuzet.uplink.io") {
                try outbox.append { sequence in
                    Heartbeat(
                        schoolID: configuration.schoolID, sequence: sequence, sentAt: sentAt,
                        agentVersion: configuration.agentVersion,
                        uptimeSeconds: uptimeSeconds,
                        intervalSeconds: max(1, Int(configuration.interval.components.seconds)),
                        school: configuration.school, cameras: snapshot.cameras, storage: snapshot.storage,
                        centre: snapshot.centre, events: extraEvents + snapshot.events,
                        configFingerprint: configuration.configFingerprint, clock: snapshot.clock
                    ).withProofs(of: snapshot)
                }
            }
            queuedGauge.record(outbox.count)
            logger.debug(
                "Heartbeat queued",
                metadata: ["uplink.sequence": "\(heartbeat.sequence)", "uplink.events": "\(heartbeat.events.count)"])
            if statusBox.value.queueProblem != nil {
                logger.info("Heartbeats are queued again", metadata: ["uplink.sequence": "\(heartbeat.sequence)"])
                statusBox.update { $0.queueProblem = nil }
            }
            wakeupContinuation.yield()
            provider.snapshotQueued(snapshot, queued: true)
        } catch {
            provider.snapshotQueued(snapshot, queued: false)
            let problem = "\(error)"
            // Logged when the problem starts or changes, not at every interval.
            if statusBox.value.queueProblem != problem { logger.error("Heartbeat could not be queued: \(problem)") }
            statusBox.update { $0.queueProblem = problem }
            throw error
        }
    }
}

extension Heartbeat {
    /// Issue 21's members, from the snapshot.
    func withProofs(of snapshot: HeartbeatSnapshot) -> Heartbeat {
        var heartbeat = self
        heartbeat.deviceKey = snapshot.deviceKey
        heartbeat.dayRoots = snapshot.dayRoots
        heartbeat.challengeAnswers = snapshot.challengeAnswers
        return heartbeat
    }
}
