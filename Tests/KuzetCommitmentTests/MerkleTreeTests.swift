import KuzetCommitment
import Testing

/// RFC 6962's Merkle Tree Hash and audit paths, against the reference vectors of the
/// certificate-transparency test suite (merkle_tree_test.cc: eight leaves, the roots of each
/// prefix, audit paths of the 8-leaf tree).
@Suite struct MerkleTreeTests {
    static let leaves: [[UInt8]] = [
        "", "00", "10", "2021", "3031", "40414243", "5051525354555657", "606162636465666768696a6b6c6d6e6f",
    ].map(bytes(hex:))
    static let roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    static var leafHashes: [MerkleHash] { leaves.map { MerkleTree.leafHash($0) } }

    @Test func emptyTreeIsTheHashOfNothing() {
        #expect(
            MerkleTree.root(leafHashes: []).hex == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
    }

    @Test func rootsOfEveryPrefixMatchTheReferenceVectors() {
        for n in 1...8 {
            #expect(MerkleTree.root(leafHashes: Array(Self.leafHashes.prefix(n))).hex == Self.roots[n - 1], "n = \(n)")
        }
    }

    @Test func auditPathsMatchTheReferenceVectors() {
        let expected: [Int: [String]] = [
            0: [
                "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
                "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
                "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
            ],
            5: [
                "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
                "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
                "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
            ],
        ]
        for (index, path) in expected {
            #expect(MerkleTree.auditPath(index: index, leafHashes: Self.leafHashes).map(\.hex) == path)
        }
    }

    @Test func everyLeafOfEveryTreeUpTo70VerifiesAndNoOtherPositionDoes() {
        let leaves = (0..<70).map { MerkleTree.leafHash([UInt8(truncatingIfNeeded: $0), 7]) }
        for size in 1...70 {
            let tree = Array(leaves.prefix(size))
            let root = MerkleTree.root(leafHashes: tree)
            for index in 0..<size {
                let path = MerkleTree.auditPath(index: index, leafHashes: tree)
                #expect(MerkleTree.verify(leaf: tree[index], index: index, treeSize: size, path: path, root: root))
                let other = (index + 1) % size
                if other != index {
                    #expect(!MerkleTree.verify(leaf: tree[index], index: other, treeSize: size, path: path, root: root))
                }
                // (The tree size itself is bound by the signed statement, not by the path: a
                // leaf on the left can have the same path in a tree one larger.)
                #expect(
                    !MerkleTree.verify(leaf: tree[index], index: index, treeSize: size, path: path, root: leaves[0])
                        || size == 1)
            }
        }
    }

    @Test func aChangedLeafOrSiblingDoesNotVerify() {
        let tree = Self.leafHashes
        let root = MerkleTree.root(leafHashes: tree)
        var path = MerkleTree.auditPath(index: 3, leafHashes: tree)
        #expect(!MerkleTree.verify(leaf: tree[2], index: 3, treeSize: 8, path: path, root: root))
        var flipped = path[1].bytes
        flipped[0] ^= 1
        path[1] = MerkleHash(bytes: flipped)!
        #expect(!MerkleTree.verify(leaf: tree[3], index: 3, treeSize: 8, path: path, root: root))
    }

    @Test func outsideIndexesAndOverlongPathsAreRefusedWithoutTrapping() {
        let root = MerkleTree.root(leafHashes: Self.leafHashes)
        let leaf = Self.leafHashes[0]
        #expect(!MerkleTree.verify(leaf: leaf, index: -1, treeSize: 8, path: [], root: root))
        #expect(!MerkleTree.verify(leaf: leaf, index: 8, treeSize: 8, path: [], root: root))
        #expect(!MerkleTree.verify(leaf: leaf, index: 0, treeSize: 0, path: [], root: root))
        #expect(
            !MerkleTree.verify(
                leaf: leaf, index: 0, treeSize: Int.max, path: Array(repeating: leaf, count: 65), root: root))
        #expect(
            !MerkleTree.verify(
                leaf: leaf, index: Int.max - 1, treeSize: Int.max, path: Array(repeating: leaf, count: 64), root: root))
    }

    @Test func theAccumulatorAgreesWithTheRecursiveDefinition() {
        var accumulator = MerkleAccumulator()
        var seen = [MerkleHash]()
        for value in 0..<300 {
            let leaf = MerkleTree.leafHash([UInt8(truncatingIfNeeded: value), UInt8(value >> 8)])
            accumulator.append(leafHash: leaf)
            seen.append(leaf)
            #expect(accumulator.root == Self.recursiveRoot(seen[...]))
        }
    }

    /// RFC 6962 §2.1 written out as the RFC states it, independent of the accumulator.
    static func recursiveRoot(_ leaves: ArraySlice<MerkleHash>) -> MerkleHash {
        if leaves.count == 1 { return leaves.first! }
        var k = 1
        while k * 2 < leaves.count { k *= 2 }
        return MerkleTree.nodeHash(
            recursiveRoot(leaves.prefix(k)), recursiveRoot(leaves.dropFirst(k)))
    }

    @Test func hashTextIsExactly64LowerCaseHexDigits() {
        let hex = String(repeating: "ab", count: 32)
        #expect(MerkleHash(hex: hex)?.hex == hex)
        #expect(MerkleHash(hex: hex.uppercased()) == nil)
        #expect(MerkleHash(hex: String(hex.dropLast())) == nil)
        #expect(MerkleHash(hex: hex + "0") == nil)
        #expect(MerkleHash(hex: String(hex.dropLast()) + "g") == nil)
        #expect(MerkleHash(hex: String(repeating: "é", count: 32)) == nil)
    }
}

func bytes(hex: String) -> [UInt8] {
    var result = [UInt8]()
    var index = hex.startIndex
    while index < hex.endIndex {
        let next = hex.index(index, offsetBy: 2)
        result.append(UInt8(hex[index..<next], radix: 16)!)
        index = next
    }
    return result
}
