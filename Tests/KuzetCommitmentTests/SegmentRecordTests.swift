import KuzetCommitment
import Testing

/// The day tree's leaf data: written exactly as the wire format says, read back only when canonical.
@Suite struct SegmentRecordTests {
    static let root = MerkleHash(hex: String(repeating: "ab", count: 32))!
    static let record = SegmentRecord(
        camera: "entrance", startMilliseconds: CommitmentTime.parseTimestamp("2026-12-04T10:00:00.250Z")!,
        digest: ChunkTree.Digest(root: root, bytes: 200_000, chunkCount: 4))
    static let text =
        "kuzet-segment-v1\nentrance\n2026-12-04T10:00:00.250Z\n200000\n4\n" + String(repeating: "ab", count: 32)

    @Test func recordTextIsExactlyTheWireFormat() {
        #expect(Self.record.text == Self.text)
        #expect(Self.record.day == "2026-12-04")
        // SHA-256(0x00 ‖ text), computed with Python's hashlib.
        #expect(Self.record.leafHash.hex == "a42f50dccc8c3dce845b0937ae635cde4b2c98f2a937f098b7550c6c617f182a")
    }

    @Test func aWrittenRecordParsesBackEqual() throws {
        #expect(try SegmentRecord.parse(Self.text) == Self.record)
    }

    @Test(arguments: [
        (
            "wrong tag",
            "kuzet-segment-v2\nentrance\n2026-12-04T10:00:00.250Z\n200000\n4\n" + String(repeating: "ab", count: 32)
        ),
        ("five lines", "kuzet-segment-v1\nentrance\n2026-12-04T10:00:00.250Z\n200000\n4"),
        ("trailing newline", text + "\n"),
        (
            "empty camera",
            "kuzet-segment-v1\n\n2026-12-04T10:00:00.250Z\n200000\n4\n" + String(repeating: "ab", count: 32)
        ),
        (
            "long camera",
            "kuzet-segment-v1\n" + String(repeating: "c", count: 129) + "\n2026-12-04T10:00:00.250Z\n200000\n4\n"
                + String(repeating: "ab", count: 32)
        ),
        (
            "tab in camera",
            "kuzet-segment-v1\nen\ttrance\n2026-12-04T10:00:00.250Z\n200000\n4\n" + String(repeating: "ab", count: 32)
        ),
        (
            "no milliseconds",
            "kuzet-segment-v1\nentrance\n2026-12-04T10:00:00Z\n200000\n4\n" + String(repeating: "ab", count: 32)
        ),
        (
            "offset",
            "kuzet-segment-v1\nentrance\n2026-12-04T10:00:00.250+01:00\n200000\n4\n"
                + String(repeating: "ab", count: 32)
        ),
        (
            "no such day",
            "kuzet-segment-v1\nentrance\n2026-02-30T10:00:00.250Z\n200000\n4\n" + String(repeating: "ab", count: 32)
        ),
        (
            "hour 24",
            "kuzet-segment-v1\nentrance\n2026-12-04T24:00:00.250Z\n200000\n4\n" + String(repeating: "ab", count: 32)
        ),
        (
            "leading zero",
            "kuzet-segment-v1\nentrance\n2026-12-04T10:00:00.250Z\n0200000\n4\n" + String(repeating: "ab", count: 32)
        ),
        (
            "sign",
            "kuzet-segment-v1\nentrance\n2026-12-04T10:00:00.250Z\n+200000\n4\n" + String(repeating: "ab", count: 32)
        ),
        (
            "huge length",
            "kuzet-segment-v1\nentrance\n2026-12-04T10:00:00.250Z\n99999999999999999999\n4\n"
                + String(repeating: "ab", count: 32)
        ),
        (
            "chunks disagree",
            "kuzet-segment-v1\nentrance\n2026-12-04T10:00:00.250Z\n200000\n3\n" + String(repeating: "ab", count: 32)
        ),
        (
            "upper-case root",
            "kuzet-segment-v1\nentrance\n2026-12-04T10:00:00.250Z\n200000\n4\n" + String(repeating: "AB", count: 32)
        ),
        (
            "short root",
            "kuzet-segment-v1\nentrance\n2026-12-04T10:00:00.250Z\n200000\n4\n" + String(repeating: "ab", count: 31)
        ),
        ("over 512 bytes", text + String(repeating: " ", count: 600)),
    ])
    func nonCanonicalOrOversizedRecordsAreRefused(what: String, text: String) {
        #expect(throws: CommitmentError.self, "\(what)") { try SegmentRecord.parse(text) }
    }

    @Test func notUTF8IsRefused() {
        var bytes = Array(Self.text.utf8)
        bytes[20] = 0xff
        #expect(throws: CommitmentError.self) { try SegmentRecord.parse(bytes) }
    }

    @Test func timesAreWrittenAndReadExactlyAcrossDaysAndLeapYears() {
        for text in [
            "1970-01-01T00:00:00.000Z", "2024-02-29T23:59:59.999Z", "2026-12-31T12:34:56.007Z",
            "2100-03-01T00:00:00.000Z",
        ] {
            let ms = CommitmentTime.parseTimestamp(text)
            #expect(ms.map(CommitmentTime.timestamp(milliseconds:)) == text)
            #expect(ms.map(CommitmentTime.day(milliseconds:)) == String(text.prefix(10)))
        }
        #expect(CommitmentTime.parseTimestamp("2026-12-04T10:00:00.000Z") == 1_796_378_400_000)
        #expect(CommitmentTime.parseDay("2026-12-04") == 1_796_342_400_000)
        #expect(CommitmentTime.parseDay("2025-02-29") == nil)
        #expect(CommitmentTime.parseDay("2026-12-4") == nil)
    }
}
