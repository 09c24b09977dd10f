import Foundation

/// What the agent commits to for one closed segment: the day tree's leaf data. UTF-8, exactly
/// `kuzet-segment-v1\n<camera>\n<start>\n<bytes>\n<chunk count>\n<segment root hex>`.
/// ``parse(_:)`` reads it from outside (an answer, a journal, a proof file) and accepts only
/// what ``text`` writes: bounded, canonical, the chunk count agreeing with the length.
public struct SegmentRecord: Sendable, Hashable {
    public static let tag = "kuzet-segment-v1"
    public static let maxCameraBytes = 128
    public static let maxRecordBytes = 512

    public var camera: String
    /// The segment's start, milliseconds since 1970 (UTC).
    public var startMilliseconds: Int64
    public var bytes: Int64
    public var chunkCount: Int
    public var root: MerkleHash

    public init(camera: String, startMilliseconds: Int64, digest: ChunkTree.Digest) {
        self.camera = camera
        self.startMilliseconds = startMilliseconds
        self.bytes = digest.bytes
        self.chunkCount = digest.chunkCount
        self.root = digest.root
    }

    public var start: Date { Date(timeIntervalSince1970: Double(startMilliseconds) / 1000) }
    /// The UTC day whose tree this record belongs to.
    public var day: String { CommitmentTime.day(milliseconds: startMilliseconds) }

    public var text: String {
        [
            Self.tag, camera, CommitmentTime.timestamp(milliseconds: startMilliseconds), String(bytes),
            String(chunkCount), root.hex,
        ].joined(separator: "\n")
    }

    /// The leaf hash of this record in its day tree.
    public var leafHash: MerkleHash { MerkleTree.leafHash(Array(text.utf8)) }

    /// A camera id the record can carry: 1…128 bytes of UTF-8, no control characters.
    public static func isValidCamera(_ camera: String) -> Bool {
        let utf8 = camera.utf8
        return !utf8.isEmpty && utf8.count <= maxCameraBytes && !utf8.contains(where: { $0 < 0x20 || $0 == 0x7f })
    }

    /// Reads a record from outside bytes; the error says which field is wrong.
    public static func parse(_ bytes: some Collection<UInt8>) throws(CommitmentError) -> SegmentRecord {
        guard bytes.count <= maxRecordBytes else {
            throw CommitmentError("segment record: \(bytes.count) bytes, at most \(maxRecordBytes)")
        }
        guard let text = String(validating: bytes, as: UTF8.self) else {
            throw CommitmentError("segment record: not UTF-8")
        }
        let fields = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard fields.count == 6, fields[0] == tag else {
            throw CommitmentError("segment record: not six lines starting \(tag)")
        }
        let camera = String(fields[1])
        guard isValidCamera(camera) else {
            throw CommitmentError(
                "segment record: camera id empty, over \(maxCameraBytes) bytes or with control characters")
        }
        guard let start = CommitmentTime.parseTimestamp(fields[2]) else {
            throw CommitmentError("segment record: start \"\(fields[2].prefix(32))\" is not YYYY-MM-DDTHH:MM:SS.mmmZ")
        }
        guard let length = canonicalNumber(fields[3]), let chunks = canonicalNumber(fields[4]) else {
            throw CommitmentError("segment record: byte or chunk count is not a plain decimal number")
        }
        guard ChunkTree.chunkCount(bytes: length) == chunks else {
            throw CommitmentError("segment record: \(chunks) chunks do not fit \(length) bytes")
        }
        guard let root = MerkleHash(hex: fields[5]) else {
            throw CommitmentError("segment record: root is not 64 lower-case hex digits")
        }
        return SegmentRecord(
            camera: camera, startMilliseconds: start,
            digest: ChunkTree.Digest(root: root, bytes: length, chunkCount: Int(chunks)))
    }

    public static func parse(_ text: String) throws(CommitmentError) -> SegmentRecord { try parse(Array(text.utf8)) }

    /// 0, or digits without a leading zero, below 2^53 (far above any file's length).
    private static func canonicalNumber(_ text: Substring) -> Int64? {
        guard !text.isEmpty, text.count <= 16, text.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
            text == "0" || text.first != "0", let value = Int64(text), value < 1 << 53
        else { return nil }
        return value
    }
}
