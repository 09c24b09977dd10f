import Foundation
import KuzetCore
import KuzetSegmentStore
import KuzetTestKit
import Testing

/// Issue 26, must-show 1, on the real `kuzet-agent run`: its wall clock (and only its wall clock:
/// ``WallClockShift``) is stepped back an hour, then a day ahead of real time, while two real RTSP
/// cameras record into it and a real `kuzet-registry` (on real time) takes its heartbeats. Every
/// figure here is measured on the test's monotonic clock or the kernel's real time.
@Suite(.serialized) struct SteppedClockProcessTests {
    /// The timeline: as it was, an hour back, a day ahead of real time.
    static let steps: [(name: String, offset: Double)] = [
        ("before any step", 0), ("one hour back", -3600), ("one day ahead", 86_400),
    ]

    /// Recording runs on through both steps with no hole over 2 s by media time (the pictures'
    /// own numbers, segments read in the order they were written), the media recorded matches
    /// the monotonic time elapsed, heartbeats keep reaching the registry (dated by the stepped
    /// clock), and the agent's CPU stays where it was.
    @Test(.timeLimit(.minutes(3)))
    func recordingAndHeartbeatsRunOnThroughAWallClockStepBackAndForward() throws {
        let lab = try SteppedClockLab()
        let pictures = try SteppedClockLab.clip.get().pictures
        let agent = try lab.startAgent()
        defer { agent.stop(signal: SIGKILL) }
        let recording = MonotonicInstant.now()
        var windows: [(name: String, offset: Double, from: Double, to: Double)] = []
        var cpu: [Double] = []
        for step in Self.steps {
            try lab.clock.step(to: step.offset)
            let from = Date().timeIntervalSince1970
            // CPU over the 4 s right after the step: a wait computed on the wall clock spins here.
            cpu.append(
                try #require(ProcessCPU.share(pid: agent.pid, over: 4), "the agent ended: \(agent.output.suffix(2000))")
            )
            Thread.sleep(forTimeInterval: 5)
            windows.append((step.name, step.offset, from, Date().timeIntervalSince1970))
        }
        let stop = SteppedClockLab.terminate(agent)
        let elapsed = recording.elapsedSeconds
        print(
            "stepped clock, SIGTERM recording after the forward step: exit \(String(describing: stop.status)) after \(stop.seconds.map { String(format: "%.2f", $0) } ?? "more than 5") s"
        )
        #expect(stop.status == 0, "exit \(String(describing: stop.status)): \(agent.output.suffix(2000))")
        #expect((stop.seconds ?? 99) < 5, "SIGTERM after the forward step: \(String(describing: stop.seconds)) s")

        // Warnings are expected (the clock is not trusted, it stepped); an error is not (a refused
        // heartbeat was one).
        let said = agent.output.split(separator: "\n").filter { $0.contains(" error ") || $0.contains(" warning ") }
        for line in said { print("stepped clock, agent said: \(line.prefix(300))") }
        #expect(!said.contains { $0.contains(" error ") }, "\(said.joined(separator: "\n").suffix(3000))")
        for camera in ["cam1", "cam2"] {
            let files = try RecordingChecks.segmentsInWrittenOrder(root: lab.root, camera: camera)
            let numbers = try NumberedPictures.numbers(in: files, codec: .h264, scratch: lab.directory.path)
            let hole = NumberedPictures.largestHole(numbers, modulo: pictures)
            let media = Double(numbers.count) / Double(SteppedClockLab.fps)
            print(
                "stepped clock, \(camera): \(files.count) segments, \(numbers.count) pictures (\(String(format: "%.1f", media)) s) over \(String(format: "%.1f", elapsed)) s monotonic; largest hole \(hole) pictures"
            )
            #expect(files.count >= 6, "\(camera): \(files.count) segments")
            #expect(hole <= 2 * SteppedClockLab.fps, "\(camera): \(hole) pictures missing in a row")
            #expect(abs(media - elapsed) < 3, "\(camera): \(media) s of pictures in \(elapsed) s")
        }
        // The steps reached the agent: it saw both, and names footage a day ahead after the second
        // (after the first, names go on from the footage's own time, so they never run backwards).
        #expect(agent.output.contains("the wall clock stepped back by 3600 s"), "\(agent.output.suffix(2000))")
        #expect(agent.output.contains("the wall clock stepped forward by 90000 s"), "\(agent.output.suffix(2000))")
        let starts = SegmentStore(root: lab.root).segments(camera: "cam1").map(\.name.start.timeIntervalSince1970)
        #expect(starts.contains { $0 > Date().timeIntervalSince1970 + 86_000 }, "no segment named a day ahead")

        for (window, share) in zip(windows, cpu) {
            print("stepped clock, \(window.name): agent CPU \(String(format: "%.1f", share * 100)) % of a core")
            #expect(share < 0.5, "\(window.name): the agent used \(share * 100) % of a core")
            #expect(share <= cpu[0] + 0.25, "\(window.name): CPU \(share) against \(cpu[0]) before any step")
        }
        // Heartbeats reach the registry in every stretch, each dated by the agent's stepped clock
        // (one queued just before a step may carry the earlier time).
        var counts: [Int] = []
        var heartbeats: [(received: Double, sent: Double, lastStep: Double?)] = []
        let arrived = eventually(timeout: 10) {
            heartbeats = (try? lab.heartbeats()) ?? []
            counts = windows.map { window in
                heartbeats.filter {
                    $0.received >= window.from && $0.received <= window.to
                        && abs($0.sent - $0.received - window.offset) < 30
                }.count
            }
            return counts.allSatisfy { $0 >= 3 }
        }
        print("stepped clock: heartbeats per 9-s stretch dated by the stepped clock: \(counts)")
        #expect(arrived, "heartbeats per stretch \(counts): \(agent.output.suffix(2000))")
        // And they told the registry of each step as the agent measured it (-3600 s, then +90,000 s).
        let steps = heartbeats.compactMap(\.lastStep)
        #expect(steps.contains { abs($0 + 3600) < 5 }, "steps reported: \(Set(steps))")
        #expect(steps.contains { abs($0 - 90_000) < 5 }, "steps reported: \(Set(steps))")
    }

    /// A camera restarted before any step, and across each step (the step lands while the agent is
    /// in reconnect backoff): the agent's attempts, seen at the camera's port, keep the same
    /// schedule — never an hour-long wait, never a spin — and it is back within the backoff cap
    /// of the camera's return. Ends with SIGTERM while in backoff after the forward step.
    @Test(.timeLimit(.minutes(3)))
    func reconnectBackoffAfterACameraRestartIsTheSameAcrossWallClockSteps() throws {
        let lab = try SteppedClockLab(withRegistry: false)
        let camera = try #require(lab.cameras["cam2"])
        let agent = try lab.startAgent()
        defer { agent.stop(signal: SIGKILL) }
        Thread.sleep(forTimeInterval: 2)

        /// The camera goes down; the step (if any) comes 2 s into the backoff; 5 s more of attempts.
        func outage(step offset: Double?) throws -> (attempts: Int, intervals: [Double], quiet: Double) {
            camera.stop()
            let log = try ConnectionAttemptLog(port: camera.port)
            defer { log.close() }
            let down = MonotonicInstant.now()
            Thread.sleep(forTimeInterval: 2)
            if let offset { try lab.clock.step(to: offset) }
            Thread.sleep(forTimeInterval: 5)
            let attempts = log.attempts
            // Silence at the end counts: a wait that lasts the step leaves the log quiet.
            let quiet = (attempts.last ?? down).elapsedSeconds
            return (attempts.count, log.intervals, quiet)
        }

        var baseline = 0
        for (index, step) in Self.steps.enumerated() {
            let seen = try outage(step: index == 0 ? nil : step.offset)
            if index == 0 { baseline = seen.attempts }
            try camera.restart()
            let back = MonotonicInstant.now()
            let online = eventually(timeout: 10) { ((try? camera.sessionCount("/cam2")) ?? 0) >= 1 }
            let reconnect = back.elapsedSeconds
            print(
                "stepped clock, \(step.name): \(seen.attempts) attempts in 7 s, intervals \(seen.intervals.prefix(12).map { String(format: "%.2f", $0) }), quiet at the end \(String(format: "%.2f", seen.quiet)) s; back \(String(format: "%.2f", reconnect)) s after the camera"
            )
            #expect(seen.attempts >= 3, "\(step.name): \(seen.attempts) attempts")
            #expect(
                abs(seen.attempts - baseline) <= 3,
                "\(step.name): \(seen.attempts) attempts, \(baseline) before any step")
            #expect(
                (seen.intervals.min() ?? 1) >= 0.1,
                "\(step.name): attempts \(seen.intervals.prefix(12)) s apart (a spin)")
            #expect(
                (seen.intervals.max() ?? 0) <= 3,
                "\(step.name): attempts \(seen.intervals.prefix(12)) s apart (cap 2 s)")
            #expect(seen.quiet <= 3, "\(step.name): no attempt in the last \(seen.quiet) s")
            #expect(
                online && reconnect < 5,
                "\(step.name): back \(reconnect) s after the camera: \(agent.output.suffix(1500))")
            Thread.sleep(forTimeInterval: 2)
        }
        // Down once more, a day ahead: SIGTERM while the agent waits out its backoff.
        camera.stop()
        let log = try ConnectionAttemptLog(port: camera.port)
        defer { log.close() }
        #expect(eventually(timeout: 5) { log.attempts.count >= 3 })
        let stop = SteppedClockLab.terminate(agent)
        print(
            "stepped clock, SIGTERM in backoff after the forward step: exit \(String(describing: stop.status)) after \(stop.seconds.map { String(format: "%.2f", $0) } ?? "more than 5") s"
        )
        #expect(stop.status == 0, "exit \(String(describing: stop.status)): \(agent.output.suffix(2000))")
        #expect(
            (stop.seconds ?? 99) < 5, "SIGTERM in backoff after the forward step: \(String(describing: stop.seconds)) s"
        )
        #expect(agent.output.contains("the wall clock stepped forward by 90000 s"), "\(agent.output.suffix(2000))")
    }

    /// The states SIGTERM must end the agent in within 5 s (besides the two above: recording after
    /// the forward step, and in backoff after it), with a real registry taking heartbeats; the
    /// first, with no step, is the reference the others' times compare with.
    enum StopState: String, CaseIterable, Sendable, CustomTestStringConvertible {
        case recordingWithNoStep, recordingAfterTheBackStep, inBackoffAfterTheBackStep
        var testDescription: String { rawValue }
    }

    @Test(.timeLimit(.minutes(2)), arguments: StopState.allCases)
    func sigtermStopsTheAgentWithinFiveSeconds(after state: StopState) throws {
        let lab = try SteppedClockLab()
        let agent = try lab.startAgent()
        defer { agent.stop(signal: SIGKILL) }
        if state != .recordingWithNoStep { try lab.clock.step(to: -3600) }
        Thread.sleep(forTimeInterval: 3)
        var log: ConnectionAttemptLog?
        if state == .inBackoffAfterTheBackStep {
            let camera = try #require(lab.cameras["cam2"])
            camera.stop()
            log = try ConnectionAttemptLog(port: camera.port)
            #expect(eventually(timeout: 5) { (log?.attempts.count ?? 0) >= 3 })
        }
        defer { log?.close() }
        let stop = SteppedClockLab.terminate(agent)
        print(
            "stepped clock, SIGTERM \(state.rawValue): exit \(String(describing: stop.status)) after \(stop.seconds.map { String(format: "%.2f", $0) } ?? "more than 5") s"
        )
        #expect(stop.status == 0, "exit \(String(describing: stop.status)): \(agent.output.suffix(2000))")
        #expect((stop.seconds ?? 99) < 5, "\(state.rawValue): \(String(describing: stop.seconds)) s")
        #expect(
            state == .recordingWithNoStep || agent.output.contains("the wall clock stepped back by 3600 s"),
            "\(agent.output.suffix(2000))")
    }
}
