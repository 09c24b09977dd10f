import Foundation
import KuzetProtocol

/// `kuzet-agent verify DIR`: offline, per segment of an evidence folder, whether it is exactly
/// what the box committed to on that day, under day roots signed by the device key (and that key
/// is the one the registry shows, when given).
public enum EvidenceVerifier {
    public enum Verdict: String, Sendable, Equatable {
        case intact
        case changed
        case notCommitted = "not committed"
        case wrongCameraOrDay = "wrong camera or day"
    }

    public struct Finding: Sendable, Equatable {
        public var file: String
        public var verdict: Verdict
        public var detail: String
    }

    public struct Report: Sendable, Equatable {
        /// Set when the key is missing, unreadable or not the one given.
        public var keyProblem: String?
        public var findings: [Finding]
        public var passed: Bool {
            keyProblem == nil && !findings.isEmpty && findings.allSatisfy { $0.verdict == .intact }
        }
    }

    /// A proof file over this size is not ours.
    public static let maxProofBytes = 32 << 20
    /// A segment may start this long before the exported range and still cover it.
    public static let maxSegmentSeconds: Int64 = 3600

    public static func verify(directory: URL, expectedKey: String?) throws -> Report {
        let proofURL = directory.appendingPathComponent("proof.json")
        let attributes = try? FileManager.default.attributesOfItem(atPath: proofURL.path)
        guard let size = attributes?[.size] as? Int, size <= maxProofBytes,
            let data = FileManager.default.contents(atPath: proofURL.path)
        else {
            throw CommitmentError(
                "\(proofURL.path): missing or over 32 MiB — give the folder `export --evidence` wrote")
        }
        let proof: EvidenceProof
        do {
            proof = try JSONDecoder().decode(EvidenceProof.self, from: data)
        } catch {
            throw CommitmentError("\(proofURL.path): not an evidence proof (\(error))")
        }
        var report = Report(keyProblem: nil, findings: [])
        let key = proof.deviceKey.flatMap(DevicePublicKey.init(base64:))
        if key == nil { report.keyProblem = "the proof carries no readable device key" }
        if let expectedKey, let key, expectedKey != key.base64 {
            report.keyProblem =
                "the proof's device key \(key.base64) (fingerprint \(key.fingerprint)) is not the one given (\(expectedKey)) — the footage was not signed by the box the registry knows"
        }
        var roots = [String: (root: MerkleHash, segments: Int)]()
        for day in proof.dayRoots where day.camera == proof.camera {
            let statement = MerkleHash(hex: day.root).map {
                DayRootStatement(
                    schoolID: proof.schoolID, camera: day.camera, day: day.day, segmentCount: day.segments, root: $0)
            }
            if let statement, let key, statement.isSigned(day.signature, by: key) {
                roots[day.day] = (statement.root, day.segments)
            }
        }
        let from = CommitmentTime.parseTimestamp(proof.from) ?? Int64.min / 2
        let to = CommitmentTime.parseTimestamp(proof.to) ?? Int64.max / 2
        let folder = directory.appendingPathComponent("segments")
        var listed = Set<String>()
        for segment in proof.segments {
            listed.insert(segment.file)
            report.findings.append(
                check(segment, proof: proof, roots: roots, range: from...to, folder: folder))
        }
        let present = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for file in present.sorted() where !listed.contains(file) {
            report.findings.append(.init(file: file, verdict: .notCommitted, detail: "not in the proof file"))
        }
        return report
    }

    static func check(
        _ segment: EvidenceProof.Segment, proof: EvidenceProof, roots: [String: (root: MerkleHash, segments: Int)],
        range: ClosedRange<Int64>, folder: URL
    ) -> Finding {
        func finding(_ verdict: Verdict, _ detail: String) -> Finding {
            Finding(file: segment.file, verdict: verdict, detail: detail)
        }
        guard !segment.file.contains("/"), segment.file != "..", segment.file != "." else {
            return finding(.notCommitted, "not a file name")
        }
        guard let text = segment.record, let record = try? SegmentRecord.parse(text) else {
            return finding(.notCommitted, "no committed record (its day may not be signed yet)")
        }
        guard record.camera == proof.camera, record.day == segment.day,
            record.startMilliseconds <= range.upperBound,
            record.startMilliseconds >= range.lowerBound - maxSegmentSeconds * 1000
        else {
            return finding(
                .wrongCameraOrDay,
                "committed as camera \(record.camera) at \(CommitmentTime.timestamp(milliseconds: record.startMilliseconds)); the evidence is camera \(proof.camera) from \(proof.from) to \(proof.to)"
            )
        }
        guard let day = roots[segment.day] else {
            return finding(.notCommitted, "no day root for \(segment.day) signed by the device key")
        }
        guard let index = segment.segmentIndex, let texts = segment.segmentPath,
            texts.count <= MerkleTree.maxPathLength,
            case let path = texts.compactMap(MerkleHash.init(hex:)), path.count == texts.count,
            MerkleTree.verify(leaf: record.leafHash, index: index, treeSize: day.segments, path: path, root: day.root)
        else {
            return finding(.notCommitted, "its record is not in the signed tree of \(segment.day)")
        }
        let digest: ChunkTree.Digest
        do {
            digest = try ChunkTree.root(of: folder.appendingPathComponent(segment.file))
        } catch {
            return finding(.changed, "the file is missing or unreadable")
        }
        guard digest.root == record.root, digest.bytes == record.bytes else {
            return finding(
                .changed,
                "\(digest.bytes) bytes hashing to \(digest.root.hex.prefix(16))…, committed \(record.bytes) bytes hashing to \(record.root.hex.prefix(16))…"
            )
        }
        return finding(.intact, "segment \(index) of \(day.segments) of \(segment.day)")
    }
}
