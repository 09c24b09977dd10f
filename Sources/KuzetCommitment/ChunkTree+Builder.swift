import Crypto

extension ChunkTree {
    /// The segment root of bytes seen in order, as they are written: the same value
    /// ``ChunkTree/root(of:)`` reads back from the finished file. Each chunk's leaf is hashed
    /// incrementally (nothing is buffered or copied), so memory is one hasher and at most 64
    /// subtree roots, whatever the file's length.
    /// Not Sendable (swift-crypto's `SHA256` is not): one writer at a time.
    public struct Builder {
        private var tree = MerkleAccumulator()
        /// The leaf being hashed: SHA-256 over 0x00 and the chunk's bytes so far.
        private var leaf: SHA256
        /// Bytes of the current chunk hashed so far (0 ..< chunkSize).
        private var filled = 0
        public private(set) var bytes: Int64 = 0

        public init() { leaf = Self.newLeaf() }

        public mutating func append(_ data: UnsafeRawBufferPointer) {
            var rest = data
            while !rest.isEmpty {
                let take = min(rest.count, chunkSize - filled)
                leaf.update(bufferPointer: UnsafeRawBufferPointer(rebasing: rest[..<take]))
                filled += take
                bytes += Int64(take)
                rest = UnsafeRawBufferPointer(rebasing: rest[take...])
                if filled == chunkSize { closeLeaf() }
            }
        }

        /// The digest of everything appended so far (a last, shorter chunk included).
        public var digest: Digest {
            var tree = tree
            if filled > 0 { tree.append(leafHash: MerkleHash(digest: leaf.finalize())) }
            return Digest(root: tree.root, bytes: bytes, chunkCount: Int(tree.count))
        }

        private mutating func closeLeaf() {
            tree.append(leafHash: MerkleHash(digest: leaf.finalize()))
            leaf = Self.newLeaf()
            filled = 0
        }

        private static func newLeaf() -> SHA256 {
            var hasher = SHA256()
            hasher.update(data: [0x00])
            return hasher
        }
    }
}
