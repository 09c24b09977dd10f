/// School ids (e.g. `KZ-AST-0042`) appear in URLs: 1–64 of `A-Z a-z 0-9 . _ -`, starting with a letter or digit.
public enum SchoolIdentifier {
    public static func isValid(_ id: String) -> Bool {
        guard let first = id.unicodeScalars.first, id.unicodeScalars.count <= 64, isAlphanumeric(first) else {
            return false
        }
        return id.unicodeScalars.allSatisfy { isAlphanumeric($0) || $0 == "-" || $0 == "_" || $0 == "." }
    }

    static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar) || ("0"..."9").contains(scalar)
    }
}
