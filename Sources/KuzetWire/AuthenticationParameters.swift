/// The `key=value, key="quoted, value"` list of a Digest challenge or answer (RFC 7616 §3.3),
/// keys lower-cased, at most ``maximumCount`` pairs and ``maximumLength`` bytes of text.
public enum AuthenticationParameters {
    public static let maximumCount = 32
    public static let maximumLength = 8 * 1024

    public static func parse(_ text: Substring) throws(WireError) -> [String: String] {
        guard text.utf8.count <= maximumLength else { throw .badAuthorization }
        var result: [String: String] = [:]
        var rest = text
        while true {
            rest = rest.drop { $0 == " " || $0 == "," || $0 == "\t" }
            if rest.isEmpty { return result }
            guard result.count < maximumCount, let equals = rest.firstIndex(of: "=") else { throw .badAuthorization }
            let key = String(rest[..<equals].filter { $0 != " " && $0 != "\t" }).lowercased()
            rest = rest[rest.index(after: equals)...].drop { $0 == " " || $0 == "\t" }
            var value = ""
            if rest.first == "\"" {
                rest = rest.dropFirst()
                var closed = false
                while let character = rest.first {
                    rest = rest.dropFirst()
                    if character == "\"" {
                        closed = true
                        break
                    }
                    if character == "\\", let escaped = rest.first {
                        value.append(escaped)
                        rest = rest.dropFirst()
                    } else {
                        value.append(character)
                    }
                }
                guard closed else { throw .badAuthorization }
            } else {
                let comma = rest.firstIndex(of: ",") ?? rest.endIndex
                value = String(rest[..<comma].filter { $0 != " " && $0 != "\t" })
                rest = rest[comma...]
            }
            guard !key.isEmpty else { throw .badAuthorization }
            result[key] = value
        }
    }

    /// The parameters after a scheme name (`Digest …`, case-insensitive); nil for another scheme.
    static func parse(_ header: String, scheme: String) throws(WireError) -> [String: String]? {
        let trimmed = header.drop { $0 == " " || $0 == "\t" }
        guard trimmed.count > scheme.count, WireHeaders.same(String(trimmed.prefix(scheme.count)), scheme),
            trimmed.dropFirst(scheme.count).first == " "
        else { return nil }
        return try parse(trimmed.dropFirst(scheme.count + 1))
    }
}
