import Foundation
import KuzetCore

/// Checks a program's ``TextCatalogue`` against its sources: every key in every language, every
/// key the code asks for present, no key the code never names, the same `{placeholders}` in each
/// language as in English. Keys are found in the sources as string literals (`"home.title"`);
/// keys built from a code (`"flag.\(code).name"`) come as `derivedKeys`.
public enum CatalogueAudit {
    /// What is wrong, one line each (`kk: home.title is missing`); empty when the catalogue is whole.
    public static func problems(_ catalogue: TextCatalogue, sources directory: String, derivedKeys: [String]) throws
        -> [String]
    {
        var problems = catalogue.problems
        let source = try swiftSources(in: directory)
        let allKeys = Set(catalogue.entries.values.flatMap(\.keys))
        let literals = Set(source.matches(of: /"([a-z][a-z0-9_]*(?:\.[A-Za-z0-9_]+)+)"/).map { String($0.1) })
        let asked = Set(
            source.matches(of: /(?:html|plain|text)\(\s*"([a-z][a-z0-9_]*(?:\.[A-Za-z0-9_]+)+)"/).map { String($0.1) })
        for language in PageLanguage.allCases {
            let entries = catalogue.entries[language] ?? [:]
            for key in (allKeys.union(asked).union(derivedKeys)).sorted() where entries[key] == nil {
                problems.append("\(language.rawValue): \(key) is missing")
            }
            for (key, value) in entries.sorted(by: { $0.key < $1.key }) {
                guard let english = catalogue.entries[.en]?[key] else { continue }
                if placeholders(value) != placeholders(english) {
                    problems.append(
                        "\(language.rawValue): \(key) has \(placeholders(value).sorted()), English has \(placeholders(english).sorted())"
                    )
                }
                if value.trimmingCharacters(in: .whitespaces).isEmpty {
                    problems.append("\(language.rawValue): \(key) is empty")
                }
            }
        }
        for key in allKeys.subtracting(literals).subtracting(derivedKeys).sorted() {
            problems.append("\(key) is in the catalogue but no source names it — remove it, or use it")
        }
        return problems
    }

    /// Words of the English catalogue (4 letters or more) that `language`'s own catalogue does not
    /// also use (such as "Kuzet"): on that language's page, each one is an English fallback.
    public static func englishWords(_ catalogue: TextCatalogue, except language: PageLanguage) -> Set<String> {
        func words(_ entries: [String: String]?) -> Set<String> {
            Set((entries ?? [:]).values.flatMap { $0.matches(of: /[A-Za-z]{4,}/).map { String($0.0) } })
        }
        return words(catalogue.entries[.en]).subtracting(words(catalogue.entries[language]))
    }

    /// The words a reader sees in a page Chromium dumped (`--dump-dom`): text outside tags and
    /// style. Chromium's own log lines share the output, so only the document counts.
    public static func visibleWords(_ output: String) -> Set<String> {
        guard let start = output.range(of: "<html"), let end = output.range(of: "</html>", options: .backwards) else {
            return []
        }
        let dom = output[start.lowerBound..<end.upperBound]
        let text = dom.replacing(/<style>.*?<\/style>/.dotMatchesNewlines(), with: " ").replacing(/<[^>]*>/, with: " ")
        return Set(text.matches(of: /[A-Za-z]{4,}/).map { String($0.0) })
    }

    /// The `{name}`s in a catalogue text.
    public static func placeholders(_ text: String) -> Set<String> {
        Set(text.matches(of: /\{([a-z_]+)\}/).map { String($0.1) })
    }

    static func swiftSources(in directory: String) throws -> String {
        guard let walker = FileManager.default.enumerator(atPath: directory) else {
            throw TestKitError("\(directory): cannot be listed")
        }
        var text = ""
        for case let path as String in walker where path.hasSuffix(".swift") {
            text +=
                try String(contentsOfFile: (directory as NSString).appendingPathComponent(path), encoding: .utf8) + "\n"
        }
        guard !text.isEmpty else { throw TestKitError("\(directory): no Swift sources") }
        return text
    }
}
