/// One camera's segments of one UTC day, in start order (ties: file name order, which the
/// caller gives), as the tree whose root the agent signs.
public struct DayTree: Sendable {
    public let records: [SegmentRecord]
    public let leafHashes: [MerkleHash]
    public let root: MerkleHash

    public init(records: [SegmentRecord]) {
        self.records = records
        self.leafHashes = records.map(\.leafHash)
        self.root = MerkleTree.root(leafHashes: leafHashes)
    }

    public func auditPath(segment index: Int) -> [MerkleHash] {
        MerkleTree.auditPath(index: index, leafHashes: leafHashes)
    }
}
