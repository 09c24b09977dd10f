import Crypto
import Foundation

/// The Merkle Tree Hash of RFC 6962 §2.1, exactly: leaf = SHA-256(0x00 ‖ data),
/// node = SHA-256(0x01 ‖ left ‖ right), a list of n > 1 leaves split at the largest power of two
/// below n; the empty tree's hash is SHA-256 of nothing. Audit paths as in §2.1.1 (the sibling
/// nearest the leaf first); ``verify(leaf:index:treeSize:path:root:)`` is RFC 9162 §2.1.3.2.
public enum MerkleTree {
    /// An audit path from outside longer than this is refused before any hashing (2^64 leaves).
    public static let maxPathLength = 64

    public static func leafHash(_ data: some DataProtocol) -> MerkleHash {
        var hasher = SHA256()
        hasher.update(data: [0x00])
        hasher.update(data: data)
        return MerkleHash(digest: hasher.finalize())
    }

    public static func nodeHash(_ left: MerkleHash, _ right: MerkleHash) -> MerkleHash {
        var hasher = SHA256()
        hasher.update(data: [0x01])
        hasher.update(data: left.bytes)
        hasher.update(data: right.bytes)
        return MerkleHash(digest: hasher.finalize())
    }

    public static let emptyRoot = MerkleHash(digest: SHA256.hash(data: [UInt8]()))

    /// The root over leaves already hashed with ``leafHash(_:)``.
    public static func root(leafHashes: [MerkleHash]) -> MerkleHash {
        var accumulator = MerkleAccumulator()
        for leaf in leafHashes { accumulator.append(leafHash: leaf) }
        return accumulator.root
    }

    /// The audit path of leaf `index` (RFC 6962 §2.1.1), the sibling nearest the leaf first.
    /// Precondition: `index < leafHashes.count`.
    public static func auditPath(index: Int, leafHashes: [MerkleHash]) -> [MerkleHash] {
        precondition(index >= 0 && index < leafHashes.count, "audit path of leaf \(index) of \(leafHashes.count)")
        var path = [MerkleHash]()
        var slice = leafHashes[...]
        var index = index
        // Walk down from the root, collecting the other side's hash, then reverse (leaf first).
        while slice.count > 1 {
            let split = largestPowerOfTwo(below: slice.count)
            let left = slice.prefix(split)
            let right = slice.dropFirst(split)
            if index < split {
                path.append(root(leafHashes: Array(right)))
                slice = left
            } else {
                path.append(root(leafHashes: Array(left)))
                slice = right
                index -= split
            }
        }
        return path.reversed()
    }

    /// True when `path` proves that `leaf` (a leaf hash) is leaf `index` of a tree of `treeSize`
    /// leaves whose root is `root`. Never traps on outside values.
    public static func verify(
        leaf: MerkleHash, index: Int, treeSize: Int, path: [MerkleHash], root: MerkleHash
    ) -> Bool {
        guard index >= 0, treeSize > 0, index < treeSize, path.count <= maxPathLength else { return false }
        var fn = UInt64(index)
        var sn = UInt64(treeSize - 1)
        var hash = leaf
        for sibling in path {
            if sn == 0 { return false }
            if fn & 1 == 1 || fn == sn {
                hash = nodeHash(sibling, hash)
                while fn & 1 == 0 && fn != 0 {
                    fn >>= 1
                    sn >>= 1
                }
            } else {
                hash = nodeHash(hash, sibling)
            }
            fn >>= 1
            sn >>= 1
        }
        return sn == 0 && hash == root
    }

    /// The largest power of two strictly below `n` (n > 1).
    static func largestPowerOfTwo(below n: Int) -> Int {
        var k = 1
        while k << 1 < n { k <<= 1 }
        return k
    }
}
