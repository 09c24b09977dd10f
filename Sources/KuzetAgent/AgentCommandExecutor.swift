import Crypto
import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetMedia
import KuzetProtocol
import KuzetRecorder
import KuzetRetention
import KuzetUplink
import Logging

/// Runs the police commands of issue 22 on this box: `live` (the camera pushed to
/// `centre.push` for the duration, admitted against ``UplinkBudget``), `clip` (the recordings
/// cut by the export, then uploaded resumably at what the budget leaves) and `snapshot` (a JPEG
/// of the next keyframe, uploaded the same way). A command cut by a restart is taken up again
/// (``resume(_:startedAt:reporter:)``): the clip or snapshot file left in ``workFolder`` is
/// uploaded from the registry's offset, a live view pushes for the rest of its duration.
struct AgentCommandExecutor: CommandExecutor {
    let configuration: AgentConfiguration
    let runtime: AgentRuntime
    let budget: UplinkBudget
    let upload: ResumableUpload
    /// Where clips and snapshots wait for their upload (`registry.outbox`/command-files).
    let workFolder: String
    var tuning = AgentRuntime.Tuning()
    /// How long to wait for a stream opened for a command to show its rate.
    var rateWait: Double = 4
    let logger: Logger

    func execute(_ command: AgentCommand, reporter: CommandReporter) async {
        switch command.kind {
        case .live: await live(command, reporter: reporter)
        case .clip: await clip(command, reporter: reporter)
        case .snapshot: await snapshot(command, reporter: reporter)
        }
    }

    func resume(_ command: AgentCommand, startedAt: Date, reporter: CommandReporter) async {
        switch command.kind {
        case .live:
            let end = startedAt.addingTimeInterval(Double(command.durationSeconds ?? 0))
            await live(command, reporter: reporter, seconds: max(1, Int(end.timeIntervalSinceNow.rounded(.up))))
        case .clip: await clip(command, reporter: reporter, reuse: true)
        case .snapshot: await snapshot(command, reporter: reporter, reuse: true)
        }
    }

    func abandon(_ command: AgentCommand) {
        for name in ["\(command.id).mp4", "\(command.id).mp4.partial", "\(command.id).jpg"] {
            try? FileManager.default.removeItem(atPath: (workFolder as NSString).appendingPathComponent(name))
        }
    }

    private func camera(_ id: String) -> AgentConfiguration.Camera? {
        configuration.cameras.first { $0.id == id }
    }

    private func unknownCamera(_ id: String) -> String {
        "camera \(id): not in this agent's configuration — use one of: "
            + configuration.cameras.map(\.id).joined(separator: ", ")
    }

    // MARK: live

    /// `seconds`: how long to push (the command's duration, or what is left of it when taken up again).
    func live(_ command: AgentCommand, reporter: CommandReporter, seconds: Int? = nil) async {
        guard let camera = camera(command.camera) else {
            return await reporter.final(.refused, unknownCamera(command.camera))
        }
        guard let centre = configuration.centre,
            let url = centre.pushURL(school: configuration.school.id, camera: camera.id)
        else {
            return await reporter.final(
                .refused, "centre.push: not set on this agent — set the ЦОУ ingest URL in centre.push")
        }
        if let push = camera.push {
            return await reporter.final(
                .refused,
                "camera \(camera.id): already pushed to the centre all the time (push: \(push.rawValue)) — watch it at the ingest"
            )
        }
        let stream: StreamChoice = command.stream == "sub" ? .sub : .main
        guard let upstream = CommandUpstream.open(camera: camera, stream: stream, runtime: runtime, tuning: tuning)
        else {
            return await reporter.final(
                .refused, "camera \(camera.id): has no \(stream.rawValue) stream (sub_url not set) — ask for main")
        }
        upstream.start()
        var rate = upstream.bitrateKbps
        let deadline = ContinuousClock.now + .milliseconds(Int(rateWait * 1000))
        while rate <= 0 && ContinuousClock.now < deadline && !Task.isCancelled {
            try? await Task.sleep(for: .milliseconds(200))
            rate = upstream.bitrateKbps
        }
        guard rate > 0 else {
            await BlockingWork.run("kuzet.commands.close") { upstream.close() }
            return await reporter.final(
                .failed,
                "camera \(camera.id): no picture from its \(stream.rawValue) stream within \(Int(rateWait)) s — check the camera is online"
            )
        }
        let reservation: UplinkBudget.Reservation
        switch budget.admitLive(id: command.id, streamKbps: rate) {
        case .success(let value): reservation = value
        case .failure(let refusal):
            await BlockingWork.run("kuzet.commands.close") { upstream.close() }
            logger.notice(
                "live view refused: over the uplink budget",
                metadata: ["command.id": "\(command.id)", "reason": "\(refusal)"])
            return await reporter.final(.refused, refusal.description)
        }
        let push = PushOutput(
            configuration: .init(
                camera: camera.id, url: url, openTimeout: tuning.pushOpenTimeout, backoffCap: tuning.backoffCap,
                caFile: centre.caFile),
            fanout: upstream.fanout, logger: Logger(label: "kuzet.push"))
        push.start()
        let duration = seconds ?? command.durationSeconds ?? 0
        logger.info(
            "live view started",
            metadata: [
                "command.id": "\(command.id)", "camera.id": "\(camera.id)", "live.seconds": "\(duration)",
                "live.kbps": "\(Int(rate))",
            ])
        await reporter.send(.init(state: .running, message: "pushing \(stream.rawValue) for \(duration) s"))
        let end = ContinuousClock.now + .seconds(duration)
        var counted = 0
        var stopped = false
        while ContinuousClock.now < end {
            do { try await Task.sleep(for: min(.seconds(1), ContinuousClock.now.duration(to: end))) } catch {
                stopped = true
                break
            }
            let sent = push.state.bytesSent
            budget.countLive(bytes: sent - counted)
            counted = sent
        }
        await BlockingWork.run("kuzet.commands.close") {
            push.stop()
            upstream.close()
        }
        budget.release(reservation)
        let state = push.state
        logger.info("live view ended", metadata: ["command.id": "\(command.id)", "live.bytes": "\(state.bytesSent)"])
        if stopped {
            return await reporter.final(.failed, "agent stopping: live view ended early", bytes: state.bytesSent)
        }
        if state.bytesSent == 0 {
            return await reporter.final(
                .failed, "centre.push: nothing reached the ingest — \(state.lastError ?? "check the ЦОУ ingest is up")",
                bytes: 0)
        }
        await reporter.final(.done, "pushed \(duration) s", bytes: state.bytesSent)
    }

    // MARK: clip

    /// `reuse`: a clip an earlier run cut (the export renames it into place whole) is uploaded
    /// as it is — the registry holds part of that very file.
    func clip(_ command: AgentCommand, reporter: CommandReporter, reuse: Bool = false) async {
        guard let from = command.from, let to = command.to else {
            return await reporter.final(.refused, "from/to: missing")
        }
        let output = (workFolder as NSString).appendingPathComponent("\(command.id).mp4")
        if reuse && FileManager.default.fileExists(atPath: output) {
            return await send(file: output, command: command, reporter: reporter, note: nil)
        }
        do {
            try FileManager.default.createDirectory(atPath: workFolder, withIntermediateDirectories: true)
        } catch {
            return await reporter.final(.failed, "agent: cannot create \(workFolder) — make registry.outbox writable")
        }
        await reporter.send(.init(state: .running, message: "cutting the clip"))
        let export = FootageExport(
            root: configuration.storage.root, camera: command.camera, from: from, to: to, output: output,
            configuredCameras: configuration.cameras.map(\.id))
        let outcome: FootageExport.Outcome
        do { outcome = try await export.run() } catch {
            return await reporter.final(.failed, error.description)
        }
        await send(file: outcome.output, command: command, reporter: reporter, note: Self.holes(outcome.holes))
    }

    static func holes(_ holes: [DateInterval]) -> String? {
        guard !holes.isEmpty else { return nil }
        let seconds = holes.reduce(0) { $0 + $1.duration }
        return "\(holes.count) part(s) of the range without footage (\(Int(seconds)) s)"
    }

    // MARK: snapshot

    /// `reuse`: a JPEG an earlier run wrote is uploaded as it is; without one, it is taken again.
    func snapshot(_ command: AgentCommand, reporter: CommandReporter, reuse: Bool = false) async {
        let path = (workFolder as NSString).appendingPathComponent("\(command.id).jpg")
        if reuse && FileManager.default.fileExists(atPath: path) {
            return await send(file: path, command: command, reporter: reporter, note: nil)
        }
        guard let camera = camera(command.camera) else {
            return await reporter.final(.refused, unknownCamera(command.camera))
        }
        let stream: StreamChoice = command.stream == "sub" ? .sub : .main
        guard let upstream = CommandUpstream.open(camera: camera, stream: stream, runtime: runtime, tuning: tuning)
        else {
            return await reporter.final(
                .refused, "camera \(camera.id): has no \(stream.rawValue) stream — ask for main")
        }
        let taking = Task { await StatusSnapshots.take(from: upstream.fanout, timeout: 8) }
        upstream.start()
        let jpeg = await taking.value
        await BlockingWork.run("kuzet.commands.close") { upstream.close() }
        guard let jpeg else {
            return await reporter.final(
                .failed, "camera \(camera.id): no keyframe to make a JPEG of within 8 s — check the camera is online")
        }
        do {
            try FileManager.default.createDirectory(atPath: workFolder, withIntermediateDirectories: true)
            try Data(jpeg).write(to: URL(fileURLWithPath: path), options: .atomic)
        } catch {
            return await reporter.final(.failed, "agent: cannot write \(path) — make registry.outbox writable")
        }
        await send(file: path, command: command, reporter: reporter, note: nil)
    }

    // MARK: upload

    /// Uploads `path`; the file goes when the upload ended — unless the agent is stopping, when it
    /// stays for the next start to go on with.
    private func send(file path: String, command: AgentCommand, reporter: CommandReporter, note: String?) async {
        defer { if !Task.isCancelled { try? FileManager.default.removeItem(atPath: path) } }
        let digest: String?
        digest = await BlockingWork.run("kuzet.commands.sha256") { Self.sha256(path: path) }
        guard let digest else { return await reporter.final(.failed, "agent: cannot read \(path) back") }
        let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
        await reporter.send(
            .init(state: .running, message: ["uploading", note].compactMap { $0 }.joined(separator: "; "), bytes: size))
        let started = ContinuousClock.now
        do {
            let outcome = try await upload.run(id: command.id, path: path, sha256: digest)
            let seconds = Double(started.duration(to: .now).components.seconds) + 0.001
            logger.info(
                "command result uploaded",
                metadata: [
                    "command.id": "\(command.id)", "upload.bytes": "\(outcome.bytes)",
                    "upload.kbps": "\(Int(Double(outcome.bytes) * 8 / seconds / 1000))",
                    "upload.resumed_at": "\(outcome.resumedAt)", "upload.sha256": "\(digest)",
                ])
            // The registry marks the command done itself when the checksum of the last byte matches.
        } catch {
            await reporter.final(.failed, error.description)
        }
    }

    /// Lower-case hex SHA-256 of a file, read 1 MiB at a time; the file is fsync'd first, so
    /// what a restart finds is what was announced to the registry.
    static func sha256(path: String) -> String? {
        guard let handle = FileHandle(forReadingAtPath: path) else { return nil }
        defer { try? handle.close() }
        guard (try? handle.synchronize()) != nil else { return nil }
        var hasher = SHA256()
        do {
            // nil or empty: the end of the file (Foundation on Linux gives nil there).
            while let block = try handle.read(upToCount: 1 << 20), !block.isEmpty { hasher.update(data: block) }
        } catch {
            return nil
        }
        return hasher.finalize().map { String(format: "%02x", $0) }.joined()
    }
}
