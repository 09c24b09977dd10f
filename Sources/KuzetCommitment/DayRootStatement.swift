import Crypto
import Foundation

/// What the agent signs for a closed UTC day of one camera. UTF-8, exactly
/// `kuzet-day-root-v1\n<school id>\n<camera>\n<YYYY-MM-DD>\n<segment count>\n<day root hex>`.
public struct DayRootStatement: Sendable, Hashable {
    public static let tag = "kuzet-day-root-v1"

    public var schoolID: String
    public var camera: String
    public var day: String
    public var segmentCount: Int
    public var root: MerkleHash

    public init(schoolID: String, camera: String, day: String, segmentCount: Int, root: MerkleHash) {
        self.schoolID = schoolID
        self.camera = camera
        self.day = day
        self.segmentCount = segmentCount
        self.root = root
    }

    public init(schoolID: String, camera: String, day: String, tree: DayTree) {
        self.init(schoolID: schoolID, camera: camera, day: day, segmentCount: tree.records.count, root: tree.root)
    }

    public var text: String {
        [Self.tag, schoolID, camera, day, String(segmentCount), root.hex].joined(separator: "\n")
    }

    /// Base64 of the Ed25519 signature over ``text``.
    public func signature(with key: Curve25519.Signing.PrivateKey) throws -> String {
        try key.signatureBase64(for: Array(text.utf8))
    }

    public func isSigned(_ signature: String, by key: DevicePublicKey) -> Bool {
        key.isValidSignature(signature, for: Array(text.utf8))
    }
}
