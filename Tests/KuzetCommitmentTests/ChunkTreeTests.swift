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
