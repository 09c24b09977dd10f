/// Builds the RFC 6962 root of a list of leaves seen one at a time, holding only the roots of
/// its complete power-of-two subtrees (at most 64 hashes), so a file of any length is hashed in
/// bounded memory. Gives the same root as splitting at the largest power of two: the complete
/// subtrees are the left parts of those splits, joined right to left at the end.
public struct MerkleAccumulator: Sendable {
    /// (root, leaf count) of each complete subtree, largest first.
    private var subtrees: [(hash: MerkleHash, size: UInt64)] = []
    public private(set) var count: UInt64 = 0

    public init() {}

    public mutating func append(leafHash: MerkleHash) {
        var node = (hash: leafHash, size: UInt64(1))
        while let last = subtrees.last, last.size == node.size {
            subtrees.removeLast()
            node = (MerkleTree.nodeHash(last.hash, node.hash), last.size * 2)
        }
        subtrees.append(node)
        count += 1
    }

    public var root: MerkleHash {
        guard var hash = subtrees.last?.hash else { return MerkleTree.emptyRoot }
        for subtree in subtrees.dropLast().reversed() { hash = MerkleTree.nodeHash(subtree.hash, hash) }
        return hash
    }
}
