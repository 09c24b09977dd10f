/// A program's wording in every ``PageLanguage``: one plain-text file per language that a
/// translator can edit, loaded once at start (the files are compiled into the binary).
///
/// The file format: one `key = value` a line; `#` starts a comment line; blank lines are
/// ignored; `{name}` in a value is filled in by the program (keep it, move it as the grammar
/// needs). A value is plain text: the pages escape it.
public struct TextCatalogue: Sendable {
    /// Every language's entries, by key.
    public let entries: [PageLanguage: [String: String]]
    /// Lines that are not `key = value`, or a key given twice (`ru.txt:12: …`); empty when the
    /// files are sound (a test holds the shipped ones to that).
    public let problems: [String]

    /// Reads the files' bytes (UTF-8); a language without a file has no entries.
    public init(files: [PageLanguage: [UInt8]]) {
        var entries: [PageLanguage: [String: String]] = [:]
        var problems: [String] = []
        for language in PageLanguage.allCases {
            let text = String(decoding: files[language] ?? [], as: UTF8.self)
            var table: [String: String] = [:]
            // `\r\n` is one Character in Swift: split on every kind of line end.
            for (number, line) in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline).enumerated()
            {
                if line.allSatisfy({ $0 == " " || $0 == "\t" }) || line.first == "#" { continue }
                let where_ = "\(language.rawValue).txt:\(number + 1)"
                guard let equals = line.firstRange(of: " = ") else {
                    problems.append("\(where_): not `key = value` — write the key, ` = `, then the text")
                    continue
                }
                let key = String(line[..<equals.lowerBound])
                guard !key.isEmpty,
                    key.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "." || $0 == "_") })
                else {
                    problems.append("\(where_): key \"\(key.prefix(40))\" — use letters, digits, dots and underscores")
                    continue
                }
                if table[key] != nil { problems.append("\(where_): \(key) is given twice — keep one") }
                table[key] = String(line[equals.upperBound...])
            }
            entries[language] = table
        }
        self.entries = entries
        self.problems = problems
    }

    /// The text for `key` in `language`, its `{name}` placeholders filled from `values`. A key
    /// missing in `language` falls back to English, then to the key itself (the catalogue test
    /// keeps both from happening in a release).
    public func text(_ key: String, in language: PageLanguage, _ values: [String: String] = [:]) -> String {
        let template = entries[language]?[key] ?? entries[.en]?[key] ?? key
        return Self.fill(template, values)
    }

    /// `template` with each `{name}` replaced by `values[name]` (unknown names are left as they are).
    public static func fill(_ template: String, _ values: [String: String]) -> String {
        guard !values.isEmpty, template.contains("{") else { return template }
        var result = ""
        var rest = Substring(template)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            let afterOpen = rest.index(after: open)
            guard let close = rest[afterOpen...].firstIndex(of: "}"),
                let value = values[String(rest[afterOpen..<close])]
            else {
                result.append("{")
                rest = rest[afterOpen...]
                continue
            }
            result += value
            rest = rest[rest.index(after: close)...]
        }
        return result + rest
    }
}
