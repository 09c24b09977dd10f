import Foundation
import KuzetRegistry
import Testing

/// A flag is documented where users look it up: a row of the registry guide's flag table and a
/// value of the API's `FlagName`. (The dashboard, the API, the filters and the stores take every
/// `SchoolFlag` case without a list of their own.)
@Suite("Flag documentation")
struct FlagDocumentationTests {
    static func document(_ name: String) throws -> String {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return try String(contentsOf: root.appendingPathComponent("docs/\(name)"), encoding: .utf8)
    }

    @Test("every flag has a row in the registry guide's flag table")
    func guideListsEveryFlag() throws {
        let guide = try Self.document("registry-guide.md")
        for flag in SchoolFlag.allCases {
            #expect(
                guide.contains("\n| `\(flag.rawValue)` |"),
                "docs/registry-guide.md: no row for \(flag.rawValue) in the flag table (section 6)")
        }
    }

    @Test("the API description's FlagName lists exactly the flags, in order")
    func apiEnumIsTheFlags() throws {
        let api = try Self.document("registry-api.yaml")
        let declaration = try #require(api.range(of: "FlagName:"), "docs/registry-api.yaml: no FlagName schema")
        let line = try #require(api[declaration.upperBound...].split(separator: "\n").first { $0.contains("enum:") })
        let names = line.split(separator: "[").last?.split(separator: "]").first?.split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        #expect(names == SchoolFlag.allCases.map(\.rawValue))
    }
}
