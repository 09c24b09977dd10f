import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetTestKit
import NIOCore
import Testing

@testable import KuzetRegistry

/// Session 17, task E: the evidence folder (`serve --evidence-dir`) is pruned with the records:
/// clips and snapshots go with the command row that names them (at the latest after the audit
/// period), partial uploads once nothing takes them. Real files in a temporary folder, real SQLite
/// and PostgreSQL.
@Suite("Evidence pruning", .serialized, .timeLimit(.minutes(6)))
struct EvidencePruningTests {
    static let now = Date(timeIntervalSince1970: 1_790_000_000)
    static let school = "KZ-EVP-0001"

    static func ago(_ days: Double) -> Date { now.addingTimeInterval(-days * 86_400) }

    /// Writes `school/name` in `folder` with some bytes, last modified at `modified`.
    static func write(_ folder: TemporaryDirectory, _ name: String, school: String = school, modified: Date) throws {
        let directory = folder.file(school)
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let path = directory + "/" + name
        try Data(repeating: 0x42, count: 1000).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path)
    }

    /// Writes `school/ID.json` as the registry does (``EvidenceStore/complete``): received at `received`,
    /// the file last modified at `modified`.
    static func sidecar(
        _ folder: TemporaryDirectory, _ id: String, received: Date, modified: Date, school: String = school
    ) throws {
        let path = folder.file("\(school)/\(id).json")
        let record = ["command_id": id, "school_id": school, "received_at": WireDateFormat.format(received)]
        try JSONEncoder().encode(record).write(to: URL(fileURLWithPath: path))
        try FileManager.default.setAttributes([.modificationDate: modified], ofItemAtPath: path)
    }

    static func exists(_ folder: TemporaryDirectory, _ name: String, school: String = school) -> Bool {
        FileManager.default.fileExists(atPath: folder.file(school + "/" + name))
    }

    /// A clip command issued `back` days ago (expiring 15 minutes later), then set to `state` two
    /// minutes later, with its evidence when `evidence`.
    static func command(
        _ store: any RegistryStore, _ id: String, back: Double, state: PoliceCommand.State = .done,
        evidence: Bool = true, school: String = school
    ) async throws {
        let issued = ago(back)
        try await store.insertCommand(
            PoliceCommand(
                id: id, schoolID: school, kind: .clip, camera: "cam-1", from: issued.addingTimeInterval(-600),
                to: issued, issuedAt: issued, expiresAt: issued.addingTimeInterval(900), issuedBy: "operator/Almaty"))
        guard state != .pending else { return }
        let facts = PoliceCommand.Evidence(sha256: String(repeating: "ab", count: 32), bytes: 1000, receivedAt: issued)
        let updated = try await store.updateCommand(
            id: id, state: state, message: nil, bytes: nil, evidence: evidence ? facts : nil,
            at: issued.addingTimeInterval(120))
        #expect(updated)
    }

    static func pruner(_ store: any RegistryStore, _ folder: TemporaryDirectory, batch: Int = 5000) -> RecordPruner {
        RecordPruner(
            store: store, keeping: RecordKeeping(), evidence: EvidenceStore(directory: folder.path), batch: batch,
            now: { now })
    }

    @Test(
        "a clip goes with its command row, at the latest once older than the audit period; one whose row is kept, or received within it, stays",
        arguments: StoreKind.allCases)
    func evidenceGoesWithItsRow(kind: StoreKind) async throws {
        let folder = try TemporaryDirectory(prefix: "kuzet-evidence-prune")
        try await withStore(kind) { store, _ in
            // Past the audit period (1095 days): row and files go.
            try await Self.command(store, "cmd_old", back: 1200)
            // Row past the audit period, its files copied 2 days ago (the copy reset their times).
            try await Self.command(store, "cmd_copied", back: 1200)
            // Past --keep-commands-days (90) but its row brought evidence: kept as long as the audit.
            try await Self.command(store, "cmd_kept", back: 120)
            // A row updated 10 days ago whose file is older than the audit period: the file goes.
            try await Self.command(store, "cmd_stale_file", back: 10)
            let files: [(String, received: Double, modified: Double)] = [
                ("cmd_old", 1200, 1200), ("cmd_copied", 1200, 2), ("cmd_kept", 120, 120),
                ("cmd_stale_file", 1100, 1100),
                // No row (a database restored from an older backup), received 2 days ago: stays.
                ("cmd_no_row", 2, 2),
            ]
            for (id, received, modified) in files {
                try Self.write(folder, "\(id).mp4", modified: Self.ago(modified))
                try Self.sidecar(folder, id, received: Self.ago(received), modified: Self.ago(modified))
            }
            try await Self.command(store, "cmd_snap", back: 1)
            try Self.write(folder, "cmd_snap.jpg", modified: Self.ago(1))
            try Self.write(folder, "cmd_snap.json", modified: Self.ago(1))

            let deleted = try await Self.pruner(store, folder, batch: 1).prune()
            #expect(deleted[.evidenceCommands] == 2)
            for id in ["cmd_old", "cmd_copied", "cmd_stale_file"] {
                #expect(!Self.exists(folder, "\(id).mp4") && !Self.exists(folder, "\(id).json"), "\(id)")
            }
            for name in ["cmd_kept.mp4", "cmd_kept.json", "cmd_snap.jpg", "cmd_snap.json", "cmd_no_row.mp4"] {
                #expect(Self.exists(folder, name), "\(name)")
            }
            #expect(try await store.command(id: "cmd_kept")?.evidence != nil)
            #expect(try await store.command(id: "cmd_old") == nil)
        }
    }

    @Test(
        "partial uploads of finished, failed, expired and forgotten commands go, and a day-old one a day past expiry; a running one stays",
        arguments: StoreKind.allCases)
    func partialUploadsNothingTakesGo(kind: StoreKind) async throws {
        let folder = try TemporaryDirectory(prefix: "kuzet-evidence-prune")
        try await withStore(kind) { store, _ in
            // (id, state, issued days ago, partial last written days ago)
            let partials: [(String, PoliceCommand.State?, Double, Double)] = [
                ("cmd_done", .done, 0.5, 0.5), ("cmd_failed", .failed, 0.5, 0.5),
                ("cmd_refused", .refused, 0.5, 0.5), ("cmd_expired", .expired, 0.5, 0.5),
                // Still pending after its expiry: no agent is given it.
                ("cmd_pending_expired", .pending, 0.5, 0.5),
                // Running, but expired 2 days ago and untouched for 2 days: abandoned.
                ("cmd_abandoned", .running, 2, 2),
                // No row: pruned, or forgotten by `school remove`.
                ("cmd_gone", nil, 0.5, 0.5),
                // Running and still written an hour ago, though it expired 2 days ago.
                ("cmd_running_long", .running, 2, 1.0 / 24),
                // Running, its files 2 days old, but not past its expiry (issued 10 minutes ago).
                ("cmd_running", .running, 10.0 / 1440, 2),
                ("cmd_accepted", .accepted, 0.5 / 1440, 0.5 / 1440),
            ]
            for (id, state, issued, written) in partials {
                if let state { try await Self.command(store, id, back: issued, state: state, evidence: false) }
                for suffix in ["part", "upload"] {
                    try Self.write(folder, "\(id).\(suffix)", modified: Self.ago(written))
                }
            }
            // A `.tmp` left by a write cut short, beside a finished clip's leftovers.
            try Self.write(folder, "cmd_done.upload.tmp", modified: Self.ago(0.5))

            let pruned = try await Self.pruner(store, folder, batch: 3).pruneEvidence(at: Self.now)
            let kept = ["cmd_running_long", "cmd_running", "cmd_accepted"]
            #expect(pruned.partialFiles == (partials.count - kept.count) * 2 + 1)
            #expect(pruned.evidenceFiles == 0 && pruned.failures == 0)
            for (id, _, _, _) in partials {
                for suffix in ["part", "upload"] {
                    #expect(Self.exists(folder, "\(id).\(suffix)") == kept.contains(id), "\(id).\(suffix)")
                }
            }
            #expect(!Self.exists(folder, "cmd_done.upload.tmp"))
        }
    }

    @Test(
        "through the upload route: a failed, an expired and a removed school's partial upload go; the running one stays and completes",
        arguments: StoreKind.allCases)
    func uploadsThroughTheRoute(kind: StoreKind) async throws {
        try await withCommandRegistry(kind) { registry in
            // File times are the machine's: the registry's clock is set to it.
            registry.base.clock.set(Date())
            let data = CommandUploadTests.clip(bytes: 300_000)
            let sha = try sha256sum(data)
            func patch(_ id: String, token: String, offset: Int, _ body: ArraySlice<UInt8>) async throws
                -> HTTPResponse.Status
            {
                try await registry.send(
                    .patch, "/api/v1/agent/uploads/\(id)", token: token,
                    headers: [
                        .contentType: "application/offset+octet-stream",
                        HTTPField.Name("Upload-Offset")!: String(offset),
                        HTTPField.Name("Upload-Length")!: String(data.count), HTTPField.Name("Kuzet-SHA256")!: sha,
                    ], body: Array(body)
                ).status
            }
            let running = try await registry.issued(registry.clipCommand)
            let failed = try await registry.issued(registry.clipCommand)
            #expect(Set(try await registry.poll(wait: 0)) == [running, failed])
            #expect(try await registry.status(running, "running") == .noContent)
            #expect(try await registry.status(failed, "running") == .noContent)
            // Still pending when its expiry passes (the route takes a chunk of a pending command).
            let expired = try await registry.issued(registry.clipCommand)
            // Another school of the region, removed with its upload half done.
            let other = "KZ-AST-0043"
            let otherToken = try await registry.base.schoolToken(other, name: "School 43", region: "Astana")
            let issue = try await registry.send(
                .post, "/api/v1/schools/\(other)/commands", token: registry.operatorAstana, json: registry.clipCommand)
            let removed = try #require(issue.json["id"] as? String, "\(issue.text)")
            for (id, token) in [
                (running, registry.schoolToken), (failed, registry.schoolToken), (expired, registry.schoolToken),
                (removed, otherToken),
            ] {
                #expect(try await patch(id, token: token, offset: 0, data[0..<100_000]) == .noContent, "\(id)")
            }
            #expect(try await registry.status(failed, "failed") == .noContent)
            #expect(try await registry.base.store.removeSchool(id: other) != nil)
            registry.base.clock.advance(by: 16 * 60)

            let pruner = RecordPruner(
                store: registry.base.store, keeping: RecordKeeping(),
                evidence: EvidenceStore(directory: registry.evidence.path), now: registry.base.clock.now)
            let pruned = try await pruner.pruneEvidence(at: registry.base.clock.date)
            #expect(pruned.partialFiles == 6 && pruned.failures == 0, "\(pruned)")
            for (id, school) in [(failed, registry.school), (expired, registry.school), (removed, other)] {
                for suffix in ["part", "upload"] {
                    #expect(
                        !FileManager.default.fileExists(atPath: registry.evidence.file("\(school)/\(id).\(suffix)")))
                }
            }
            #expect(
                FileManager.default.fileExists(atPath: registry.evidence.file("\(registry.school)/\(running).part")))
            #expect(
                try await patch(running, token: registry.schoolToken, offset: 100_000, data[100_000...]) == .noContent)
            let clip = try await registry.send(.get, "/api/v1/clips/\(running)", token: registry.admin)
            #expect(clip.status == .ok && Array(clip.body.readableBytesView) == data)
            // Done now: a second pruning keeps the clip (its row is kept) and finds nothing else.
            let again = try await pruner.pruneEvidence(at: registry.base.clock.date)
            #expect(again.isEmpty, "\(again)")
            #expect(FileManager.default.fileExists(atPath: registry.evidence.file("\(registry.school)/\(running).mp4")))
        }
    }

    @Test("two instances pruning one shared folder at once delete each file once; a file already gone is no error")
    func sharedFolderPrunedTwice() async throws {
        let folder = try TemporaryDirectory(prefix: "kuzet-evidence-prune")
        try await withStore(.postgres) { store, _ in
            for index in 0..<200 {
                try Self.write(
                    folder, String(format: "cmd_gone_%03d.part", index), school: "KZ-EVP-\(1000 + index % 7)",
                    modified: Self.ago(3))
            }
            async let first = Self.pruner(store, folder, batch: 5).pruneEvidence(at: Self.now)
            async let second = Self.pruner(store, folder, batch: 5).pruneEvidence(at: Self.now)
            let (a, b) = try await (first, second)
            #expect(a.partialFiles + b.partialFiles == 200, "each file counted by the one that deleted it")
            #expect(a.failures == 0 && b.failures == 0, "\(a.firstFailure ?? "") \(b.firstFailure ?? "")")
            // Listed by this instance, deleted by another before it got there.
            let missing = EvidenceStore.delete([
                .init(files: [(folder.file("\(Self.school)/cmd_late.part"), Int64(1000))], partial: true)
            ])
            #expect(missing.failures == 0 && missing.partialFiles == 0 && missing.bytes == 0)
        }
    }

    @Test("files the pruning cannot name are left alone, and an empty school folder untouched for a day goes")
    func unknownFilesStay() async throws {
        let folder = try TemporaryDirectory(prefix: "kuzet-evidence-prune")
        try await withStore(.sqlite) { store, _ in
            for name in ["notes.txt", "cmd_x.mov", "bad id.part", ".hidden.part"] {
                try Self.write(folder, name, modified: Self.ago(2000))
            }
            try FileManager.default.createDirectory(
                atPath: folder.file("KZ-EVP-0002"), withIntermediateDirectories: true)
            try FileManager.default.setAttributes(
                [.modificationDate: Self.ago(2)], ofItemAtPath: folder.file("KZ-EVP-0002"))
            let pruned = try await Self.pruner(store, folder).pruneEvidence(at: Self.now)
            #expect(pruned.evidenceFiles == 0 && pruned.partialFiles == 0 && pruned.folders == 1)
            for name in ["notes.txt", "cmd_x.mov", "bad id.part", ".hidden.part"] {
                #expect(Self.exists(folder, name), "\(name)")
            }
            #expect(!FileManager.default.fileExists(atPath: folder.file("KZ-EVP-0002")))
        }
    }

    @Test("serve prunes its --evidence-dir every --prune-interval: a forgotten partial upload goes, a kept file stays")
    func servePrunesTheEvidenceFolder() throws {
        let folder = try TemporaryDirectory(prefix: "kuzet-evidence-serve")
        let evidence = folder.file("evidence")
        try FileManager.default.createDirectory(atPath: evidence + "/" + Self.school, withIntermediateDirectories: true)
        let orphan = evidence + "/\(Self.school)/cmd_forgotten.part"
        let other = evidence + "/\(Self.school)/notes.txt"
        for path in [orphan, other] { try Data("x".utf8).write(to: URL(fileURLWithPath: path)) }
        let server = try RegistryProcess([
            "--database", "sqlite:\(folder.file("r.sqlite"))", "--evidence-dir", evidence, "--prune-interval", "1",
        ])
        #expect(eventually(timeout: 15) { !FileManager.default.fileExists(atPath: orphan) })
        #expect(FileManager.default.fileExists(atPath: other))
        #expect(
            server.process.output.contains("registry.pruned.partial_uploads=1"), "\(server.process.output.suffix(2000))"
        )
        let started = Date()
        server.process.stop()
        #expect(Date().timeIntervalSince(started) < 5, "serve stops promptly with the pruning loop running")
    }
}
