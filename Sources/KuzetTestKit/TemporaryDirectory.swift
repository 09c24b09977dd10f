import Foundation

/// A folder under the system temp dir, removed when the value is deinitialised.
public final class TemporaryDirectory: Sendable {
    public let path: String

    public init(prefix: String = "kuzet-test") throws {
        let base = (NSTemporaryDirectory() as NSString).appendingPathComponent(
            "\(prefix)-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(atPath: base, withIntermediateDirectories: true)
        self.path = base
    }

    /// A path inside the folder.
    public func file(_ name: String) -> String { (path as NSString).appendingPathComponent(name) }

    deinit { try? FileManager.default.removeItem(atPath: path) }
}
