/// Camera ids appear in paths and URLs, so they are kept to `[a-z0-9-_]`.
public enum CameraID {
    public static func isValid(_ id: String) -> Bool {
        !id.isEmpty && id.count <= 64
            && id.unicodeScalars.allSatisfy {
                ("a"..."z").contains($0) || ("0"..."9").contains($0) || $0 == "-" || $0 == "_"
            }
    }

    /// A valid id close to `text` (lower-cased, other characters turned into `-`).
    public static func suggestion(for text: String) -> String {
        let mapped = text.lowercased().unicodeScalars.map { isValid(String($0)) ? Character($0) : "-" }
        let joined = String(mapped).split(separator: "-", omittingEmptySubsequences: true).joined(separator: "-")
        return joined.isEmpty ? "camera-1" : String(joined.prefix(64))
    }
}
