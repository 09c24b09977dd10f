import Foundation
import KuzetCommitment
import KuzetCore
import KuzetProtocol
import KuzetSegmentStore
import KuzetTestKit
import Testing

/// Issue 21 with the real `kuzet-agent`: segments are committed by the running agent (and by its
/// startup scan after `kill -9`), closed days are signed, and `export --evidence` / `verify`
/// prove footage untouched — and name what is not.
@Suite(.serialized) struct ProvableRetentionProcessTests {
    /// A configuration with a registry nobody listens on (heartbeats queue; the device key is made).
    func config(
        root: String, directory: TemporaryDirectory, cameras: [(String, String)], segmentSeconds: Int = 120,
        statusPort: Int? = nil
    ) throws -> String {
        let tokenFile = directory.file("token")
        try "school-token".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let path = directory.file("agent.yaml")
        try """
        school: { id: KZ-TEST-21 }
        storage: { root: \(root), segment_seconds: \(segmentSeconds) }
        registry: { url: "http://127.0.0.1:\(freeLoopbackPort())/api/v1/heartbeats", token_file: \(tokenFile), outbox: \(directory.file("state/outbox")), interval_seconds: 1 }
        \(statusPort.map { "status: { listen: 127.0.0.1:\($0) }" } ?? "")
        cameras:
        \(cameras.map { "  - { id: \($0.0), url: \"\($0.1)\" }" }.joined(separator: "\n"))
        """.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    func agent(_ arguments: [String]) throws -> (status: Int32, stdout: String, stderr: String) {
        try RetentionFixtures.runSeparately(BuiltExecutable.agent, arguments, timeout: 120)
    }

    /// Must show 5: ten minutes over several segments of yesterday, committed and signed by the
    /// running agent, exported as evidence; `verify` passes, then names a changed byte, a segment
    /// of another camera and one of another day.
    @Test(.timeLimit(.minutes(5)))
    func evidenceVerifiesAndNamesAChangedSegmentAndOnesOfAnotherCameraOrDay() throws {
        let directory = try TemporaryDirectory()
        let root = directory.file("rec")
        let pieces = try RetentionFixtures.makeConsecutiveSegments(
            in: directory.path, count: 6, seconds: 120, size: "160x120", rate: 10)
        let today = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)
        let yesterday = today.addingTimeInterval(-86_400 + 10 * 3600)
        let twoDaysAgo = yesterday.addingTimeInterval(-86_400)
        for (index, piece) in pieces.enumerated() {
            let offset = Double(index) * 120
            try RetentionFixtures.place(
                piece, root: root, camera: "cam1", start: yesterday.addingTimeInterval(offset), seconds: 120)
            try RetentionFixtures.place(
                piece, root: root, camera: "cam2", start: yesterday.addingTimeInterval(offset + 7), seconds: 120)
            try RetentionFixtures.place(
                piece, root: root, camera: "cam1", start: twoDaysAgo.addingTimeInterval(offset), seconds: 120)
        }
        // Cameras nobody serves (loopback, closed port): the agent only commits and signs here.
        let closed = "rtsp://127.0.0.1:\(freeLoopbackPort())/none"
        let path = try config(root: root, directory: directory, cameras: [("cam1", closed), ("cam2", closed)])
        let running = try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", path], name: "agent", logDirectory: directory.path)
        let day = CommitmentTime.day(yesterday)
        let rootFile = root + "/.commitments/cam1/\(day).root"
        #expect(
            eventually(timeout: 60) {
                ["cam1/\(day)", "cam2/\(day)", "cam1/\(CommitmentTime.day(twoDaysAgo))"].allSatisfy {
                    FileManager.default.fileExists(atPath: root + "/.commitments/\($0).root")
                }
            }, "\(running.output.suffix(2000))")
        running.stop()
        #expect(FileManager.default.fileExists(atPath: rootFile))
        let key = try DeviceKey.loadOrCreate(path: directory.file("state/device-key")).publicKey.base64

        func export(camera: String, from: Date, to: Date, into folder: String) throws -> Int32 {
            let iso = ISO8601DateFormatter()
            let result = try agent([
                "export", "--config", path, "--camera", camera, "--from", iso.string(from: from), "--to",
                iso.string(from: to), "--evidence", folder,
            ])
            #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
            return result.status
        }
        let evidence = directory.file("evidence")
        _ = try export(
            camera: "cam1", from: yesterday.addingTimeInterval(60), to: yesterday.addingTimeInterval(660),
            into: evidence)
        let copied = try FileManager.default.contentsOfDirectory(atPath: evidence + "/segments").sorted()
        #expect(copied.count == 6)
        for name in copied {
            #expect(
                FileManager.default.contentsEqual(
                    atPath: evidence + "/segments/" + name, andPath: root + "/cam1/" + name),
                "\(name) is not the original")
        }
        #expect(FileManager.default.fileExists(atPath: evidence + "/clip.mp4"))
        #expect(FileManager.default.fileExists(atPath: evidence + "/proof.json"))

        var result = try agent(["verify", evidence, "--key", key])
        #expect(result.status == 0, "\(result.stdout) \(result.stderr)")
        #expect(result.stdout.contains("verify: 6 of 6 segment(s) intact"), "\(result.stdout)")

        // Another box's key: refused, whatever the segments.
        let otherKey = try DeviceKey.loadOrCreate(path: directory.file("other-key")).publicKey.base64
        result = try agent(["verify", evidence, "--key", otherKey])
        #expect(result.status == 1)
        #expect(result.stdout.contains("key: the proof's device key"), "\(result.stdout)")

        // One byte changed in one segment: that segment is named, the others stay intact.
        let victim = evidence + "/segments/" + copied[3]
        let original = try Data(contentsOf: URL(fileURLWithPath: victim))
        var changed = original
        changed[changed.count / 2] ^= 0x01
        try changed.write(to: URL(fileURLWithPath: victim))
        result = try agent(["verify", evidence, "--key", key])
        #expect(result.status == 1)
        #expect(result.stdout.contains("\(copied[3]): changed"), "\(result.stdout)")
        #expect(result.stdout.contains("verify: 5 of 6 segment(s) intact"), "\(result.stdout)")
        try original.write(to: URL(fileURLWithPath: victim))

        // A genuine segment of another camera, and one of another day, slipped in with their own proofs.
        let otherCamera = directory.file("evidence-cam2")
        _ = try export(
            camera: "cam2", from: yesterday.addingTimeInterval(60), to: yesterday.addingTimeInterval(200),
            into: otherCamera)
        let otherDay = directory.file("evidence-other-day")
        _ = try export(
            camera: "cam1", from: twoDaysAgo.addingTimeInterval(60), to: twoDaysAgo.addingTimeInterval(200),
            into: otherDay)
        var proof = try JSONDecoder().decode(
            EvidenceProof.self, from: Data(contentsOf: URL(fileURLWithPath: evidence + "/proof.json")))
        var slipped = [String]()
        for folder in [otherCamera, otherDay] {
            let foreign = try JSONDecoder().decode(
                EvidenceProof.self, from: Data(contentsOf: URL(fileURLWithPath: folder + "/proof.json")))
            var entry = try #require(foreign.segments.first)
            let name = "slipped-\(slipped.count).mp4"
            try FileManager.default.copyItem(
                atPath: folder + "/segments/" + entry.file, toPath: evidence + "/segments/" + name)
            entry.file = name
            proof.segments.append(entry)
            proof.dayRoots += foreign.dayRoots.filter { root in
                !proof.dayRoots.contains { $0.day == root.day && $0.camera == root.camera }
            }
            slipped.append(name)
        }
        try JSONEncoder().encode(proof).write(to: URL(fileURLWithPath: evidence + "/proof.json"))
        result = try agent(["verify", evidence, "--key", key])
        #expect(result.status == 1)
        for name in slipped {
            #expect(result.stdout.contains("\(name): wrong camera or day"), "\(result.stdout)")
        }
        #expect(result.stdout.contains("verify: 6 of 8 segment(s) intact"), "\(result.stdout)")
        withExtendedLifetime(running) {}
    }

    /// Must show 4 (agent side): `kill -9` while recording, restart; every segment on disk ends
    /// up committed (the torn one by the startup scan, as it is), and twenty challenges over them
    /// are all answered and verified — no false alarm.
    @Test(.timeLimit(.minutes(3)))
    func afterKillMinus9EverySegmentIsCommittedAndTwentyChallengesVerify() throws {
        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1")])
        let directory = try TemporaryDirectory()
        let root = directory.file("rec")
        let statusPort = freeLoopbackPort()
        let path = try config(
            root: root, directory: directory, cameras: [("cam1", cameras.url(for: "/cam1"))], segmentSeconds: 4,
            statusPort: statusPort)
        let first = try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", path], name: "agent", logDirectory: directory.path)
        #expect(eventually(timeout: 30) { RecordingChecks.fileNames(root: root, camera: "cam1").count >= 3 })
        Thread.sleep(forTimeInterval: 2.5)
        first.stop(signal: SIGKILL)
        let beforeRestart = RecordingChecks.fileNames(root: root, camera: "cam1").count
        let second = try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", path], name: "agent2", logDirectory: directory.path)
        #expect(
            eventually(timeout: 30) { RecordingChecks.fileNames(root: root, camera: "cam1").count >= beforeRestart + 2 }
        )
        // What hashing cost is on /metrics: segments, bytes and the hashing thread's CPU time.
        let metrics = (try? curlGet(port: statusPort, path: "/metrics").body) ?? ""
        func counter(_ name: String) -> Double {
            metrics.split(separator: "\n").first { $0.hasPrefix(name + " ") }
                .flatMap { Double($0.split(separator: " ").last ?? "") } ?? 0
        }
        #expect(counter("kuzet_commitment_segments_total") >= 1, "\(metrics.prefix(3000))")
        #expect(counter("kuzet_commitment_bytes_total") > 10_000)
        #expect(counter("kuzet_commitment_cpu_seconds_total") > 0)
        second.stop()

        let files = SegmentStore(root: root).segments(camera: "cam1")
        var entries = [(file: String, record: SegmentRecord)]()
        for day in Set(files.map { CommitmentTime.day($0.start) }) {
            let text = try String(contentsOfFile: root + "/.commitments/cam1/\(day).journal", encoding: .utf8)
            for line in text.split(separator: "\n") {
                let object = try #require(
                    try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: String])
                entries.append((object["file"]!, try SegmentRecord.parse(object["record"]!)))
            }
        }
        #expect(Set(entries.map(\.file)) == Set(files.map(\.name.fileName)), "segments on disk and journal differ")
        #expect(entries.count == files.count, "a segment was committed twice")
        entries.sort { ($0.record.startMilliseconds, $0.file) < ($1.record.startMilliseconds, $1.file) }
        let tree = DayTree(records: entries.map(\.record))
        var verified = 0
        for number in 0..<20 {
            let index = Int.random(in: 0..<entries.count)
            let challenge = RetentionChallenge(
                id: "c\(number)", camera: "cam1", day: entries[index].record.day, segmentIndex: index,
                chunkNonce: UInt32.random(in: 0...UInt32.max), expiresAt: Date().addingTimeInterval(600))
            let file = URL(fileURLWithPath: root + "/cam1/" + entries[index].file)
            let answer = ChallengeAnswerBuilder.answer(challenge, day: tree, segmentFile: file)
            // One day tree over the test's few minutes (a test across UTC midnight would split it).
            var answered = answer
            answered.day = entries[index].record.day
            _ = try ChallengeAnswerVerifier.verify(
                answered, storedDayRoot: tree.root, segmentCount: tree.records.count, chunkNonce: challenge.chunkNonce)
            verified += 1
        }
        #expect(verified == 20)
        withExtendedLifetime(first) {}
    }
}
