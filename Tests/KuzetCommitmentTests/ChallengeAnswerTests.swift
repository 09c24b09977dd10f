import Foundation
import KuzetCommitment
import KuzetProtocol
import KuzetTestKit
import Testing

/// A challenge answered from real segment files and a day's records, checked as the registry
/// checks it: honest answers pass, every kind of tampering is refused with a reason.
@Suite struct ChallengeAnswerTests {
    /// One camera's day of `count` segments of different lengths, written to disk and committed.
    struct Day {
        let directory: TemporaryDirectory
        let files: [URL]
        let tree: DayTree

        init(count: Int = 5, camera: String = "entrance", day: String = "2026-12-04") throws {
            directory = try TemporaryDirectory(prefix: "kuzet-challenge")
            var files = [URL]()
            var records = [SegmentRecord]()
            let dayStart = CommitmentTime.parseDay(day)!
            for index in 0..<count {
                let url = URL(fileURLWithPath: directory.file("segment-\(index).mp4"))
                try Data((0..<(100_000 + index * 40_000)).map { UInt8(($0 * 7 + index) % 256) }).write(to: url)
                files.append(url)
                records.append(
                    SegmentRecord(
                        camera: camera, startMilliseconds: dayStart + Int64(index) * 600_000,
                        digest: try ChunkTree.root(of: url)))
            }
            self.files = files
            self.tree = DayTree(records: records)
        }

        func challenge(_ index: Int, nonce: UInt32 = 7) -> RetentionChallenge {
            RetentionChallenge(
                id: "c\(index)", camera: "entrance", day: "2026-12-04", segmentIndex: index, chunkNonce: nonce,
                expiresAt: Date(timeIntervalSince1970: 1_796_400_000))
        }

        func answer(_ index: Int, nonce: UInt32 = 7, deleted: Bool = false) -> ChallengeAnswer {
            ChallengeAnswerBuilder.answer(
                challenge(index, nonce: nonce), day: tree, segmentFile: deleted ? nil : files[index])
        }

        func verify(_ answer: ChallengeAnswer, nonce: UInt32? = 7) throws(ChallengeAnswerRefusal) -> VerifiedAnswer {
            try ChallengeAnswerVerifier.verify(
                answer, storedDayRoot: tree.root.hex, segmentCount: tree.records.count, chunkNonce: nonce)
        }
    }

    @Test func honestAnswersForEverySegmentAndManyChunksVerify() throws {
        let day = try Day()
        for index in 0..<5 {
            for nonce: UInt32 in [0, 1, 2, 3, 4_000_000_000] {
                let answer = day.answer(index, nonce: nonce)
                #expect(answer.status == .ok)
                let verified = try day.verify(answer, nonce: nonce)
                #expect(verified.record == day.tree.records[index])
                #expect(verified.chunkIndex == Int(nonce) % day.tree.records[index].chunkCount)
            }
        }
    }

    @Test func aFlippedByteInTheChallengedChunkIsRefused() throws {
        let day = try Day()
        let handle = try FileHandle(forUpdating: day.files[2])
        try handle.seek(toOffset: 65_536 + 10)
        try handle.write(contentsOf: Data([0xee]))
        try handle.close()
        let error = #expect(throws: ChallengeAnswerRefusal.self) { try day.verify(day.answer(2, nonce: 1), nonce: 1) }
        #expect(error?.reason.contains("differs from what was committed") == true)
        // Another chunk of the same file fails too: its path is rebuilt from the changed file, so
        // the changed chunk's hash is on it. Any challenge landing on a changed segment fails.
        #expect(throws: ChallengeAnswerRefusal.self) { try day.verify(day.answer(2, nonce: 0), nonce: 0) }
        // Its neighbours are untouched.
        #expect(throws: Never.self) { try day.verify(day.answer(1, nonce: 0), nonce: 0) }
    }

    @Test func aDeletedSegmentIsAnsweredExpiredWithItsProvenRecord() throws {
        let day = try Day()
        let answer = day.answer(1, deleted: true)
        #expect(answer.status == .expired)
        #expect(answer.chunk == nil)
        let verified = try day.verify(answer)
        #expect(verified.status == .expired)
        #expect(verified.record.start == day.tree.records[1].start)
    }

    @Test func anUncommittedSegmentIsAnsweredMissingAndRefused() throws {
        let day = try Day()
        let answer = ChallengeAnswerBuilder.answer(day.challenge(9), day: day.tree, segmentFile: nil)
        #expect(answer.status == .missing)
        #expect(throws: ChallengeAnswerRefusal.self) {
            try ChallengeAnswerVerifier.verify(answer, storedDayRoot: day.tree.root, segmentCount: 10)
        }
        #expect(ChallengeAnswerBuilder.answer(day.challenge(0), day: nil, segmentFile: nil).status == .missing)
    }

    @Test func aRecordFromAnotherDayTreeIsRefused() throws {
        let day = try Day()
        let otherCamera = try Day(camera: "yard")
        var answer = otherCamera.answer(1)
        answer.camera = "entrance"
        #expect(throws: ChallengeAnswerRefusal.self) { try day.verify(answer) }
        // The other camera's record under its own name does not lead to this camera's root either.
        #expect(throws: ChallengeAnswerRefusal.self) { try day.verify(otherCamera.answer(1)) }
    }

    @Test func anotherSegmentsRecordOrIndexIsRefused() throws {
        let day = try Day()
        var answer = day.answer(3)
        answer.segmentIndex = 2
        #expect(throws: ChallengeAnswerRefusal.self) { try day.verify(answer) }
        answer = day.answer(3)
        answer.segmentRecord = day.tree.records[2].text
        #expect(throws: ChallengeAnswerRefusal.self) { try day.verify(answer) }
    }

    @Test func theWrongChunkForTheNonceIsRefused() throws {
        let day = try Day()
        let answer = day.answer(4, nonce: 0)
        let error = #expect(throws: ChallengeAnswerRefusal.self) { try day.verify(answer, nonce: 1) }
        #expect(error?.reason.contains("asked") == true)
    }

    @Test func oversizedOrMalformedFieldsAreRefusedBeforeDecoding() throws {
        let day = try Day()
        let honest = day.answer(0)
        var answer = honest
        answer.segmentPath = Array(repeating: String(repeating: "0", count: 64), count: 65)
        #expect(throws: ChallengeAnswerRefusal.self) { try day.verify(answer) }
        answer = honest
        answer.segmentPath = honest.segmentPath!.map { $0.uppercased() }
        #expect(throws: ChallengeAnswerRefusal.self) { try day.verify(answer) }
        answer = honest
        answer.chunk = String(repeating: "A", count: ChallengeAnswerVerifier.maxChunkBase64Length + 4)
        #expect(throws: ChallengeAnswerRefusal.self) { try day.verify(answer) }
        answer = honest
        answer.chunk = Data(count: 10).base64EncodedString()
        #expect(throws: ChallengeAnswerRefusal.self) { try day.verify(answer) }
        answer = honest
        answer.segmentRecord = String(repeating: "x", count: 100_000)
        #expect(throws: ChallengeAnswerRefusal.self) { try day.verify(answer) }
        answer = honest
        answer.chunkPath = nil
        #expect(throws: ChallengeAnswerRefusal.self) { try day.verify(answer) }
        answer = honest
        answer.segmentIndex = Int.max
        #expect(throws: ChallengeAnswerRefusal.self) { try day.verify(answer) }
        #expect(throws: ChallengeAnswerRefusal.self) {
            try ChallengeAnswerVerifier.verify(honest, storedDayRoot: "xyz", segmentCount: 5)
        }
    }

    @Test func anAnswerSurvivesTheWireAndStaysUnder100KB() throws {
        let day = try Day()
        let answer = day.answer(4, nonce: 0)
        let body = try JSONEncoder.kuzetWire.encode(answer)
        #expect(body.count < 100_000)
        let decoded = try JSONDecoder.kuzetWire.decode(ChallengeAnswer.self, from: body)
        #expect(decoded == answer)
        #expect(throws: Never.self) { try day.verify(decoded, nonce: 0) }
    }
}
