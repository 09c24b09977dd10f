import Foundation
import KuzetCore
import KuzetSegmentStore
import KuzetTestKit
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Issue 20, must-show 3, against the real `kuzet-agent` process: the relay is refused on the
/// network without credentials, and with them 500 clients that PLAY and never read touch neither
/// the recording nor a real client's stream.
@Suite(.serialized) struct AgentRelayTests {
    func write(_ text: String, to path: String) throws -> String {
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(.timeLimit(.minutes(1)))
    func aRelayOnAllInterfacesWithoutCredentialsIsRefusedAtStartWithTheFix() throws {
        let directory = try TemporaryDirectory()
        let port = freeLoopbackPort()
        let config = try write(
            """
            school: { id: KZ-TEST-R1 }
            storage: { root: \(directory.file("rec")) }
            relay: { listen: 0.0.0.0:\(port) }
            cameras:
              - id: cam1
                url: rtsp://127.0.0.1:9/cam1
            """, to: directory.file("agent.yaml"))
        for command in ["run", "check"] {
            let (status, output) = try run(BuiltExecutable.agent, [command, "--config", config], timeout: 30)
            #expect(status == 2, "\(command) exited \(status): \(output)")
            #expect(
                output.contains(
                    "relay.listen: 0.0.0.0:\(port) is reachable from the network but the relay has no credentials — set relay.username and relay.password_file"
                ),
                "\(command): \(output)")
        }
        // Nothing was opened on that port.
        #expect(throws: (any Error).self) { close(try connectLoopback(port: port)) }
    }

    /// Samples of the agent's process while the clients hang on it.
    struct ProcessSample {
        var threads: Int
        var rssKiB: Int
        var cpuTicks: Int
        var at: Date

        init?(pid: Int32) {
            guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
                let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { return nil }
            func field(_ name: String) -> Int? {
                status.split(separator: "\n").first { $0.hasPrefix(name + ":") }
                    .flatMap {
                        Int($0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces).split(separator: " ")[0])
                    }
            }
            // Fields after the command name: state is field 3; utime and stime are fields 14 and 15.
            let rest = stat[stat.index(after: close)...].split(separator: " ")
            guard let threads = field("Threads"), let rss = field("VmRSS"), rest.count > 13, let user = Int(rest[11]),
                let system = Int(rest[12])
            else {
                return nil
            }
            self.threads = threads
            self.rssKiB = rss
            self.cpuTicks = user + system
            self.at = Date()
        }
    }

    /// The largest gap between consecutive video packets of a file, in seconds (ffprobe).
    static func largestPacketGap(_ path: String) throws -> (gap: Double, packets: Int) {
        let (status, output) = try run(
            "ffprobe",
            ["-v", "error", "-select_streams", "v:0", "-show_entries", "packet=pts_time", "-of", "csv=p=0", path],
            timeout: 60)
        guard status == 0 else { throw TestKitError("ffprobe \(path): \(output)") }
        // Lines read `1.480000,` (and blank lines between packets).
        let times = output.split(separator: "\n").compactMap {
            $0.split(separator: ",").first.flatMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        }.sorted()
        return (zip(times, times.dropFirst()).map { $1 - $0 }.max() ?? .infinity, times.count)
    }

    @Test(.timeLimit(.minutes(6)))
    func fiveHundredClientsThatPlayAndNeverReadLeaveTheRecordingAndARealClientUntouched() async throws {
        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1")])
        let directory = try TemporaryDirectory()
        let root = directory.file("rec")
        let relayPort = freeLoopbackPort()
        let statusPort = freeLoopbackPort()
        let password = try write("relay-pw-500\n", to: directory.file("relay.pass"))
        let config = try write(
            """
            school: { id: KZ-TEST-R2 }
            storage: { root: \(root), segment_seconds: 2 }
            relay:
              listen: 127.0.0.1:\(relayPort)
              username: cou
              password_file: \(password)
              max_clients: 600
              max_clients_per_camera: 600
              max_connections_per_address: 600
            status: { listen: 127.0.0.1:\(statusPort) }
            cameras:
              - id: cam1
                url: \(cameras.url(for: "/cam1"))
            """, to: directory.file("agent.yaml"))
        let agent = try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", config], name: "agent", logDirectory: directory.path)
        defer { agent.stop() }
        #expect(
            await waitUntil(timeout: 40) { RecordingChecks.fileNames(root: root, camera: "cam1").count >= 2 },
            "recording started: \(agent.output)")
        let relayClients: @Sendable () -> Int = {
            guard let body = try? curlGet(port: statusPort, path: "/api/v1/status").body,
                let json = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
                let relay = json["relay"] as? [String: Any]
            else { return -1 }
            return relay["clients"] as? Int ?? -1
        }
        // The relay listens (a port taken meanwhile by another process would be logged instead).
        #expect(
            await waitUntil(timeout: 20) { agent.output.contains("relay listening") },
            "the relay did not start: \(agent.output.suffix(2000))")
        let idle = try #require(ProcessSample(pid: agent.pid))

        // 500 viewers log in, PLAY over TCP with a 4 KiB receive window, and never read.
        let started = Date()
        let stalled: [RTSPStalledPlayer]
        do {
            stalled = try await offPool {
                try (0..<500).map { _ in
                    try RTSPStalledPlayer(port: relayPort, path: "/cam1", username: "cou", password: "relay-pw-500")
                }
            }
        } catch {
            Issue.record(
                "a viewer could not PLAY (\(error)); the agent \(agent.isRunning ? "runs" : "has exited"), its log ends: \(agent.output.suffix(3000))"
            )
            throw error
        }
        let loggedIn = Date().timeIntervalSince(started)
        #expect(stalled.allSatisfy { $0.announcedTimeout == 60 })
        #expect(
            await waitUntil(timeout: 20) { relayClients() == 500 },
            "the status page counts 500 relay clients: \(relayClients())")

        // Meanwhile a real client pulls 20 s of the same camera over TCP.
        let seconds = 20
        let output = directory.file("viewer.ts")
        let viewer = try ExternalProcess(
            "ffmpeg",
            [
                "-v", "error", "-y", "-rtsp_transport", "tcp", "-i",
                "rtsp://cou:relay-pw-500@127.0.0.1:\(relayPort)/cam1", "-t", "\(seconds)", "-c", "copy", "-f", "mpegts",
                output,
            ],
            name: "viewer", logDirectory: directory.path)
        defer { viewer.stop(signal: SIGKILL) }
        var samples: [ProcessSample] = []
        var playing: [Int] = [] // relay clients each second while the viewer runs
        while viewer.isRunning && samples.count < 60 {
            if let sample = ProcessSample(pid: agent.pid) { samples.append(sample) }
            playing.append(try await offPool { relayClients() })
            try await Task.sleep(for: .seconds(1))
        }
        #expect(try await offPool { viewer.waitForExit(timeout: 30) } == 0, "the viewer: \(viewer.output)")
        let (frames, errors) = try await offPool { try Self.decode(output) }
        let (gap, packets) = try await offPool { try Self.largestPacketGap(output) }

        // The stalled sessions send nothing, so they end at the 60 s timeout they were given.
        #expect(
            await waitUntil(timeout: 100) { relayClients() == 0 },
            "the silent sessions were closed: \(relayClients()) left")
        let closedAfter = Date().timeIntervalSince(started)
        let closedSlow = agent.output.components(separatedBy: "relay closed a client that stopped reading").count - 1
        let closedSilent =
            agent.output.components(separatedBy: "relay closed a session that sent nothing for its timeout").count - 1
        let stalledEnd = Date()
        try await Task.sleep(for: .seconds(4)) // one more segment after the load
        agent.stop()

        let first = try #require(samples.first)
        let last = try #require(samples.last)
        let cpu =
            Double(last.cpuTicks - first.cpuTicks) / Double(sysconf(Int32(_SC_CLK_TCK)))
            / max(last.at.timeIntervalSince(first.at), 1)
        let maxThreads = samples.map(\.threads).max() ?? 0
        let maxRSS = samples.map(\.rssKiB).max() ?? 0
        print(
            String(
                format:
                    "relay under 500 stalled clients: %d logged in and playing in %.1f s; agent threads %d idle, %d max; RSS %d MiB idle, %d MiB max; CPU %.0f%% of one core while the viewer ran; viewer %d frames in %d s, largest packet gap %.2f s; stalled sessions all closed %.0f s after the first PLAY (%d as slow readers, %d at the session timeout); largest recording gap %.2f s",
                stalled.count, loggedIn, idle.threads, maxThreads, idle.rssKiB / 1024, maxRSS / 1024, cpu * 100, frames,
                seconds, gap, closedAfter,
                closedSlow, closedSilent,
                (try? RecordingChecks.largestGap(RecordingChecks.segments(root: root, camera: "cam1"))) ?? -1)
                + "; relay clients each second of the viewer's run: \(playing)")

        #expect(playing.contains(501), "the viewer played beside the 500 stalled clients: \(playing)")
        #expect(maxThreads - idle.threads <= 4, "threads went from \(idle.threads) to \(maxThreads) for 500 clients")
        #expect(maxRSS - idle.rssKiB <= 400 * 1024, "RSS grew by \((maxRSS - idle.rssKiB) / 1024) MiB")
        // 25 fps for 20 s: the viewer starts at a keyframe (1 s GOP).
        #expect(frames >= seconds * 25 - 40, "the viewer decoded \(frames) frames")
        #expect(errors.isEmpty, "the viewer's stream decodes without errors: \(errors.prefix(5))")
        #expect(gap <= 0.2, "the viewer's stream has a gap of \(gap) s (\(packets) packets)")

        let segments = try RecordingChecks.segments(root: root, camera: "cam1")
        let during = segments.filter { $0.end > started && $0.name.start < stalledEnd }
        #expect(
            Double(during.count) * 2 >= stalledEnd.timeIntervalSince(started) - 4,
            "\(during.count) segments while the clients hung on")
        #expect(RecordingChecks.largestGap(segments) <= 1, "recording gap of \(RecordingChecks.largestGap(segments)) s")
        for segment in during { #expect(try FFprobe.decodesCleanly(segment.path), "\(segment.path)") }
        #expect(
            closedSlow + closedSilent >= 500,
            "each stalled client was closed by the relay and said so: \(closedSlow) slow, \(closedSilent) silent")
        #expect(!agent.output.contains("relay-pw-500"))
        withExtendedLifetime(stalled) {}
    }

    /// Video frames ffprobe decodes from a file, and what the decoder complained about.
    static func decode(_ path: String) throws -> (frames: Int, errors: [String]) {
        let (status, output) = try run(
            "ffprobe",
            [
                "-v", "error", "-select_streams", "v:0", "-count_frames", "-show_entries", "stream=nb_read_frames",
                "-of", "csv=p=0", path,
            ], timeout: 60)
        let lines = output.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        guard status == 0, let frames = lines.compactMap({ Int($0) }).first else {
            throw TestKitError("ffprobe cannot count frames of \(path): \(output)")
        }
        return (frames, lines.filter { Int($0) == nil })
    }
}
