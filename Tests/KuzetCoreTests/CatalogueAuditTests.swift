import Foundation
import KuzetCore
import KuzetTestKit
import Testing

@Suite("Catalogue audit")
struct CatalogueAuditTests {
    @Test(
        "A key missing in a language, a key no source names, a lost placeholder and a key the code asks for but no file has: each reported"
    )
    func findsEveryKindOfGap() throws {
        let sources = try TemporaryDirectory(prefix: "kuzet-catalogue")
        try #"let a = text.html("home.title", ["count": n]); let b = text.plain("home.lost"); let c = "flag.x""#
            .write(toFile: sources.file("Page.swift"), atomically: true, encoding: .utf8)
        let catalogue = TextCatalogue(files: [
            .ru: Array("home.title = Школы\nold.key = Старое\n".utf8),
            .kk: Array("home.title = Мектептер {count}\nold.key = Ескі\nflag.x = x\n".utf8),
            .en: Array("home.title = Schools {count}\nold.key = Old\nflag.x = x\n".utf8),
        ])
        let problems = try CatalogueAudit.problems(catalogue, sources: sources.path, derivedKeys: ["derived.key"])
        #expect(problems.contains("ru: flag.x is missing"))
        #expect(problems.contains("ru: home.lost is missing") && problems.contains("en: home.lost is missing"))
        #expect(problems.contains("kk: derived.key is missing"))
        #expect(problems.contains("ru: home.title has [], English has [\"count\"]"))
        #expect(problems.contains("old.key is in the catalogue but no source names it — remove it, or use it"))
        #expect(problems.count == 9, "\(problems)")
    }
}
