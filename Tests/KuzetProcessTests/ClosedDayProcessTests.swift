import Foundation
import KuzetCommitment
import KuzetSegmentStore
import KuzetTestKit
import Testing

/// Issue 21 must-show 1 with the real processes: `kuzet-agent` records two cameras with its wall
/// clock started 40 s before the next UTC midnight (``WallClockShift``; its monotonic clock, and
/// the registry's clock, stay real), so its day closes during the test. The real `kuzet-registry`
/// then holds a signed root per camera for that day; each verifies with the key the registry
/// pinned and covers exactly the segments the agent recorded that day; one challenge over the
/// closed day is answered and proven. The agent's clock disagrees with the registry's: it says
/// CLOCK_UNTRUSTED, and its day roots are stored all the same (the clock is issue 26's flag).
@Suite(.serialized) struct ClosedDayProcessTests {
    static let school = "KZ-TEST-21D"
    static let cameras = ["cam1", "cam2"]

    /// A `day_roots` row as the registry stored it.
    struct StoredRoot {
        var camera: String
        var day: Int
        var segments: Int
        var root: MerkleHash
        var signature: String
    }

    @Test(.timeLimit(.minutes(6)))
    func aRealAgentsClosedDayIsStoredSignedPerCameraAndVerifiesWithThePinnedKey() throws {
        let directory = try TemporaryDirectory()
        let server = try RTSPCameraServer(mounts: Self.cameras.map { CameraMount(path: "/\($0)") })
        let registry = try RegistryProcess(folder: directory.file("registry"), school: Self.school)
        let database = directory.file("registry/registry.sqlite")
        let registryExecutable = try BuiltExecutable.path("kuzet-registry")

        // The agent's wall clock: 40 s before the next UTC midnight of real time.
        let real = Date().timeIntervalSince1970
        let midnight = (real / 86_400).rounded(.down) * 86_400 + 86_400
        let offset = midnight - real - 40
        let clock = try WallClockShift(in: directory.path, offset: offset)
        let day = CommitmentTime.day(Date(timeIntervalSince1970: midnight - 1))
        let dayNumber = Int(midnight / 86_400) - 1
        let nextDay = CommitmentTime.day(Date(timeIntervalSince1970: midnight))

        let root = directory.file("rec")
        let agent = try startAgent(registry: registry, server: server, clock: clock, root: root, in: directory)
        defer { agent.stop() }

        func storedRoots() -> [StoredRoot] {
            guard
                let (status, output) = try? run(
                    "sqlite3",
                    [
                        "-separator", " ", database,
                        "SELECT camera, day, segments, lower(hex(root)), hex(signature) FROM day_roots WHERE school_id = '\(Self.school)' ORDER BY camera, day",
                    ], timeout: 20), status == 0
            else { return [] }
            return output.split(separator: "\n").compactMap { line in
                let fields = line.split(separator: " ").map(String.init)
                guard fields.count == 5, let day = Int(fields[1]), let segments = Int(fields[2]),
                    let root = MerkleHash(hex: fields[3]), let signature = Data(hexText: fields[4])
                else { return nil }
                return StoredRoot(
                    camera: fields[0], day: day, segments: segments, root: root,
                    signature: signature.base64EncodedString())
            }
        }
        // The day ends 40 s in, is signed once it has been over 2 × 4 s + 60 s (checked once a
        // minute), and reaches the registry in the next heartbeat: about two minutes.
        let started = Date()
        #expect(
            eventually(timeout: 240) { storedRoots().filter { $0.day == dayNumber }.count == Self.cameras.count },
            "registry: \(registry.process.output.suffix(2000)) agent: \(agent.output.suffix(3000))")
        let closedAfter = Date().timeIntervalSince(started)
        let roots = storedRoots()
        #expect(roots.map(\.camera) == Self.cameras, "one root per camera, of that day only: \(roots.map(\.camera))")

        // The key the registry pinned is the agent's, and it verifies each camera's signed root.
        let (keyStatus, keyOutput) = try run(
            registryExecutable, ["school", "key", Self.school, "--database", "sqlite:" + database])
        #expect(keyStatus == 0, "\(keyOutput)")
        let keyLine = keyOutput.split(separator: "\n").first { $0.hasPrefix("key: ") }
        let pinned = try #require(keyLine.flatMap { DevicePublicKey(base64: String($0.dropFirst(5))) }, "\(keyOutput)")
        let keyFile = directory.file("state/device-key")
        #expect(FileManager.default.fileExists(atPath: keyFile))
        #expect(try DeviceKey.loadOrCreate(path: keyFile).publicKey == pinned, "the pinned key is not the agent's")

        var counts = [String: Int]()
        for camera in Self.cameras {
            let stored = try #require(roots.first { $0.camera == camera && $0.day == dayNumber })
            let statement = DayRootStatement(
                schoolID: Self.school, camera: camera, day: day, segmentCount: stored.segments, root: stored.root)
            #expect(statement.isSigned(stored.signature, by: pinned), "\(camera) \(day): signature does not verify")
            // One byte of the root changed, or of the signature: no longer verifies.
            var bytes = stored.root.bytes
            bytes[bytes.count / 2] ^= 0x01
            var changed = statement
            changed.root = try #require(MerkleHash(bytes: bytes))
            #expect(!changed.isSigned(stored.signature, by: pinned), "a changed root verified")
            var signature = try #require(Data(base64Encoded: stored.signature))
            signature[5] ^= 0x01
            #expect(!statement.isSigned(signature.base64EncodedString(), by: pinned), "a changed signature verified")

            // The root covers exactly the segments recorded on that day, recomputed from the files.
            let files = SegmentStore(root: root).segments(camera: camera)
            let ofDay = files.filter { CommitmentTime.day($0.start) == day }
                .sorted { ($0.start, $0.name.fileName) < ($1.start, $1.name.fileName) }
            let records = try ofDay.map { file in
                SegmentRecord(
                    camera: camera, startMilliseconds: CommitmentTime.milliseconds(file.start),
                    digest: try ChunkTree.root(of: URL(fileURLWithPath: file.path)))
            }
            let tree = DayTree(records: records)
            #expect(stored.segments == ofDay.count, "\(camera): \(stored.segments) signed, \(ofDay.count) on disk")
            #expect(tree.root == stored.root, "\(camera): the signed root is not the tree of the files of \(day)")
            #expect(ofDay.count >= 5, "\(camera): \(ofDay.count) segments before midnight")
            // Recording went on past midnight, into the next day (not signed: it has not closed).
            #expect(files.contains { CommitmentTime.day($0.start) == nextDay }, "\(camera): nothing after midnight")
            counts[camera] = ofDay.count
        }
        // Each day signed once.
        let signedLines = agent.output.split(separator: "\n").filter { $0.contains("commitments: day signed") }
        #expect(signedLines.count == Self.cameras.count, "\(signedLines)")

        // The school as the API shows it: the agent's clock is 40 s short of midnight, the
        // registry's is not; the agent says it cannot vouch for it, and the roots were kept anyway.
        let flags = try schoolFlags(registry)
        if abs(offset) > 60 {
            #expect(flags.contains("CLOCK_UNTRUSTED"), "flags: \(flags)")
        }

        // One challenge over the closed day, planted by an admin, answered by the agent and proven.
        let (tokenStatus, tokenOutput) = try run(
            registryExecutable, ["token", "create", "--role", "admin", "--database", "sqlite:" + database])
        let admin = try #require(tokenOutput.split(separator: "\n").last.map(String.init), "\(tokenOutput)")
        #expect(tokenStatus == 0, "\(tokenOutput)")
        let segment = counts["cam2", default: 1] - 1
        let (curlStatus, planted) = try run(
            "curl",
            [
                "-s", "-m", "20", "-w", "\n%{http_code}", "-X", "POST", "-H", "Authorization: Bearer \(admin)",
                "-H", "Content-Type: application/json", "--data-binary",
                #"{"camera":"cam2","day":"\#(day)","segment_index":\#(segment)}"#,
                registry.base + "/api/v1/schools/\(Self.school)/challenges",
            ], timeout: 30)
        #expect(curlStatus == 0 && planted.hasSuffix("\n201"), "\(planted)")
        var proof = [String: Any]()
        #expect(
            eventually(timeout: 60) {
                proof = (try? retentionProof(registry)) ?? [:]
                return proof["proven_at"] is String
            }, "retention_proof: \(proof) agent: \(agent.output.suffix(2000))")
        #expect(proof["proven_back_to"] as? String == day, "\(proof)")
        #expect(proof["unproven_reason"] == nil, "\(proof)")
        let outcome = try run(
            "sqlite3",
            [
                database,
                "SELECT outcome FROM retention_challenges WHERE school_id = '\(Self.school)' AND camera = 'cam2'",
            ])
        #expect(outcome.output.trimmingCharacters(in: .whitespacesAndNewlines) == "proven", "\(outcome.output)")

        print(
            "issue 21 closed day: agent clock offset \(Int(offset)) s; day \(day) closed and both roots stored "
                + "\(Int(closedAfter)) s after the agent started; segments \(counts.sorted { $0.key < $1.key }); "
                + "flags \(flags); challenge on cam2 segment \(segment) proven")
        withExtendedLifetime((server, agent)) {}
    }

    /// The same box's clock, 12 h ahead, corrected back while it records: its footage is then
    /// named after "now", and its heartbeats are still accepted — before the fix it reported a
    /// negative `achieved_days` and the registry refused every batch. Once the registry confirms
    /// the corrected clock, new footage is named by it (`SegmentNaming`), not 12 h ahead.
    @Test(.timeLimit(.minutes(3)))
    func aClockCorrectedBackAfterRunningAheadKeepsItsHeartbeatsAcceptedAndNamesByTheRightTime() throws {
        let directory = try TemporaryDirectory()
        let server = try RTSPCameraServer(mounts: Self.cameras.map { CameraMount(path: "/\($0)") })
        let registry = try RegistryProcess(folder: directory.file("registry"), school: Self.school)
        let clock = try WallClockShift(in: directory.path, offset: 12 * 3600)
        let root = directory.file("rec")
        let agent = try startAgent(registry: registry, server: server, clock: clock, root: root, in: directory)
        defer { agent.stop() }
        #expect(
            eventually(timeout: 40) {
                Self.cameras.allSatisfy { RecordingChecks.fileNames(root: root, camera: $0).count >= 2 }
                    && (lastSequence(registry) ?? 0) >= 3
            }, "agent: \(agent.output.suffix(3000))")
        try clock.step(to: 0)
        let before = lastSequence(registry) ?? 0
        // Heartbeats every 2 s: at least four more accepted in 20 s.
        #expect(
            eventually(timeout: 20) { (lastSequence(registry) ?? 0) >= before + 4 },
            "accepted up to \(lastSequence(registry) ?? 0) from \(before); agent: \(agent.output.suffix(3000))")
        #expect(!agent.output.contains("HTTP 422"), "\(agent.output.suffix(3000))")
        // Trusted again (the registry's Date agrees): a new segment is named within a minute of now.
        let store = SegmentStore(root: root)
        #expect(
            eventually(timeout: 30) {
                Self.cameras.allSatisfy { camera in
                    store.segments(camera: camera).contains { abs($0.start.timeIntervalSinceNow) < 60 }
                }
            },
            "names: \(store.segments(camera: Self.cameras[0]).suffix(4).map(\.name.fileName)); agent: \(agent.output.suffix(2000))"
        )
        #expect(agent.output.contains("segment names follow the corrected clock"))
        withExtendedLifetime((server, agent)) {}
    }

    /// The real agent recording both cameras (4-s segments) into `root`, with the wall clock `clock` sets.
    func startAgent(
        registry: RegistryProcess, server: RTSPCameraServer, clock: WallClockShift, root: String,
        in directory: TemporaryDirectory
    ) throws -> ExternalProcess {
        let config = directory.file("agent.yaml")
        try """
        school: { id: \(Self.school), region: Astana }
        storage: { root: \(root), segment_seconds: 4 }
        registry:
          url: \(registry.heartbeatsURL)
          token_file: \(registry.schoolTokenFile)
          interval_seconds: 2
          outbox: \(directory.file("state/outbox"))
        cameras:
        \(Self.cameras.map { "  - { id: \($0), url: \"\(server.url(for: "/\($0)"))\" }" }.joined(separator: "\n"))
        """.write(toFile: config, atomically: true, encoding: .utf8)
        return try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", config], name: "agent", environment: try clock.environment,
            logDirectory: directory.path)
    }

    /// The newest heartbeat sequence the registry holds for the school.
    func lastSequence(_ registry: RegistryProcess) -> Int? {
        ((try? schoolDetail(registry))?["school"] as? [String: Any])?["last_sequence"] as? Int
    }

    /// The school's flags from `GET /api/v1/schools/{id}` (the operator's token).
    func schoolFlags(_ registry: RegistryProcess) throws -> [String] {
        let detail = try schoolDetail(registry)
        let school = detail["school"] as? [String: Any] ?? [:]
        return (school["flags"] as? [[String: Any]] ?? []).compactMap { $0["flag"] as? String }
    }

    func retentionProof(_ registry: RegistryProcess) throws -> [String: Any] {
        try schoolDetail(registry)["retention_proof"] as? [String: Any] ?? [:]
    }

    func schoolDetail(_ registry: RegistryProcess) throws -> [String: Any] {
        let (status, body) = try registry.call("GET", "/api/v1/schools/\(Self.school)")
        guard status == 200, let object = try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any]
        else { throw TestKitError("GET /api/v1/schools/\(Self.school): HTTP \(status) \(body.prefix(500))") }
        return object
    }
}

extension Data {
    /// Bytes from hexadecimal text (as `sqlite3`'s `hex()` prints them); nil for anything else.
    init?(hexText text: String) {
        guard text.count % 2 == 0 else { return nil }
        var bytes = [UInt8]()
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            guard let byte = UInt8(text[index..<next], radix: 16) else { return nil }
            bytes.append(byte)
            index = next
        }
        self.init(bytes)
    }
}
