import Foundation

/// The segment root: the RFC 6962 tree over a file's bytes cut in chunks of ``chunkSize`` (the
/// last one may be shorter; an empty file has no chunks and the empty tree's root). The file is
/// read one chunk at a time: memory stays one chunk plus a few hashes, whatever its length.
public enum ChunkTree {
    public static let chunkSize = 65_536

    /// What a segment file hashes to.
    public struct Digest: Sendable, Hashable {
        public var root: MerkleHash
        public var bytes: Int64
        public var chunkCount: Int
        public init(root: MerkleHash, bytes: Int64, chunkCount: Int) {
            self.root = root
            self.bytes = bytes
            self.chunkCount = chunkCount
        }
    }

    /// A chunk of a file and its audit path to the file's root.
    public struct ChunkProof: Sendable {
        public var digest: Digest
        public var index: Int
        public var chunk: [UInt8]
        public var path: [MerkleHash]
    }

    /// The number of chunks a file of `bytes` bytes has.
    public static func chunkCount(bytes: Int64) -> Int {
        Int((bytes + Int64(chunkSize) - 1) / Int64(chunkSize))
    }

    /// The expected length of chunk `index` of a file of `bytes` bytes.
    public static func chunkLength(index: Int, bytes: Int64) -> Int {
        Int(min(Int64(chunkSize), bytes - Int64(index) * Int64(chunkSize)))
    }

    public static func root(of file: URL) throws -> Digest {
        var accumulator = MerkleAccumulator()
        let bytes = try forEachChunk(of: file) { _, chunk in accumulator.append(leafHash: MerkleTree.leafHash(chunk)) }
        return Digest(root: accumulator.root, bytes: bytes, chunkCount: Int(accumulator.count))
    }

    /// Chunk `index` of `file` with its audit path. Holds the chunks' leaf hashes (32 bytes per
    /// 64 KiB of file) and the one chunk asked for.
    public static func proof(of file: URL, chunk index: Int) throws -> ChunkProof {
        var leaves = [MerkleHash]()
        var wanted = [UInt8]()
        let bytes = try forEachChunk(of: file) { number, chunk in
            leaves.append(MerkleTree.leafHash(chunk))
            if number == index { wanted = Array(chunk) }
        }
        let digest = Digest(root: MerkleTree.root(leafHashes: leaves), bytes: bytes, chunkCount: leaves.count)
        guard index >= 0, index < leaves.count else {
            throw CommitmentError(
                "\(file.lastPathComponent): no chunk \(index) in \(leaves.count) — the file is shorter than committed")
        }
        return ChunkProof(
            digest: digest, index: index, chunk: wanted, path: MerkleTree.auditPath(index: index, leafHashes: leaves))
    }

    /// Calls `body` with each chunk in order; returns the file's length.
    private static func forEachChunk(of file: URL, _ body: (Int, ArraySlice<UInt8>) throws -> Void) throws -> Int64 {
        let handle: FileHandle
        do {
            handle = try FileHandle(forReadingFrom: file)
        } catch {
            throw CommitmentError(
                "\(file.path): cannot be read (\(error.localizedDescription)) — check it exists and is readable")
        }
        defer { try? handle.close() }
        var total: Int64 = 0
        var number = 0
        var buffer = [UInt8]()
        buffer.reserveCapacity(chunkSize)
        while true {
            // A read may return less than asked before the end: fill the chunk before hashing it.
            while buffer.count < chunkSize {
                guard let data = try handle.read(upToCount: chunkSize - buffer.count), !data.isEmpty else { break }
                buffer.append(contentsOf: data)
            }
            if buffer.isEmpty { break }
            try body(number, buffer[...])
            total += Int64(buffer.count)
            number += 1
            let full = buffer.count == chunkSize
            buffer.removeAll(keepingCapacity: true)
            if !full { break }
        }
        return total
    }
}
