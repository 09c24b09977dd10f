import Foundation
import KuzetCommitment
import KuzetTestKit
import Testing

/// A segment's root over its 64 KiB chunks, read from a real file. The expected roots were
/// computed outside Swift (Python's hashlib, RFC 6962 written out) over bytes `i mod 251`.
@Suite struct ChunkTreeTests {
    static func pattern(_ count: Int) -> Data { Data((0..<count).map { UInt8($0 % 251) }) }

    static func write(_ data: Data, in directory: TemporaryDirectory, name: String = "segment.mp4") throws -> URL {
        let url = URL(fileURLWithPath: directory.file(name))
        try data.write(to: url)
        return url
    }

    @Test(arguments: [
        (0, 0, "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        (1, 1, "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7"),
        (65_536, 1, "75d3913244a9f7c765bea2770eb800c391c49cc1b62f7ce0ee9c192d1f1b9864"),
        (200_000, 4, "c7146da68f4593e15ffb60072286355de3701e079f247e426a08e67e61c35722"),
    ])
    func fileRootMatchesAnIndependentComputation(size: Int, chunks: Int, root: String) throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-chunks")
        let digest = try ChunkTree.root(of: Self.write(Self.pattern(size), in: directory))
        #expect(digest.root.hex == root)
        #expect(digest.chunkCount == chunks)
        #expect(digest.bytes == Int64(size))
    }

    /// The recorder hashes a segment as it is written, in runs of whatever size the muxer hands
    /// the disk: that must give the root read back from the finished file.
    @Test(arguments: [0, 1, 65_535, 65_536, 65_537, 200_000, 5 * 65_536 + 17])
    func bytesHashedAsWrittenGiveTheRootReadBack(size: Int) throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-chunks")
        let data = [UInt8](Self.pattern(size))
        let readBack = try ChunkTree.root(of: Self.write(Data(data), in: directory))
        var generator = SeededGenerator(seed: UInt64(size) + 1)
        for maxRun in [1, 4_096, 65_536, 100_000] {
            var builder = ChunkTree.Builder()
            var offset = 0
            while offset < data.count {
                let run = min(Int.random(in: 1...maxRun, using: &generator), data.count - offset)
                data[offset..<offset + run].withUnsafeBytes { builder.append($0) }
                offset += run
            }
            #expect(builder.digest == readBack, "runs of up to \(maxRun) bytes")
        }
    }

    @Test func everyChunkProofLeadsToTheFileRootAndHoldsTheChunksBytes() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-chunks")
        let data = Self.pattern(5 * 65_536 + 17)
        let file = try Self.write(data, in: directory)
        let digest = try ChunkTree.root(of: file)
        for index in 0..<digest.chunkCount {
            let proof = try ChunkTree.proof(of: file, chunk: index)
            #expect(proof.digest == digest)
            let start = index * ChunkTree.chunkSize
            #expect(Data(proof.chunk) == data[start..<min(start + ChunkTree.chunkSize, data.count)])
            #expect(proof.chunk.count == ChunkTree.chunkLength(index: index, bytes: digest.bytes))
            #expect(
                MerkleTree.verify(
                    leaf: MerkleTree.leafHash(proof.chunk), index: index, treeSize: digest.chunkCount, path: proof.path,
                    root: digest.root))
        }
        #expect(throws: CommitmentError.self) { try ChunkTree.proof(of: file, chunk: digest.chunkCount) }
    }

    @Test func oneFlippedByteChangesTheRoot() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-chunks")
        var data = Self.pattern(3 * 65_536)
        let before = try ChunkTree.root(of: Self.write(data, in: directory))
        data[100_000] ^= 0x01
        let after = try ChunkTree.root(of: Self.write(data, in: directory))
        #expect(before.root != after.root)
        #expect(before.bytes == after.bytes)
    }

    @Test func aMissingFileIsAnErrorThatNamesIt() throws {
        let error = #expect(throws: CommitmentError.self) {
            try ChunkTree.root(of: URL(fileURLWithPath: "/nonexistent/kuzet/segment.mp4"))
        }
        #expect(error?.message.contains("/nonexistent/kuzet/segment.mp4") == true)
    }
}

/// A small deterministic generator (SplitMix64), so a failing case repeats.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
