import KuzetCore
import Testing

@Suite("Text catalogue")
struct TextCatalogueTests {
    static let catalogue = TextCatalogue(files: [
        .ru: Array("# комментарий\n\nhome.title = Школы: {count}\r\nbroken line\nhome.title = again\n".utf8),
        .kk: Array("home.title = Мектептер: {count}\r\nhome.more = Тағы\r\n".utf8),
        .en: Array("home.title = Schools: {count}\nonly.english = Only\n".utf8),
    ])

    @Test("key = value lines, comments and blank lines skipped, {placeholders} filled")
    func readsAndFills() {
        #expect(Self.catalogue.text("home.title", in: .en, ["count": "3"]) == "Schools: 3")
        #expect(Self.catalogue.text("home.title", in: .kk, ["count": "3"]) == "Мектептер: 3", "CRLF line ends")
        #expect(Self.catalogue.text("home.more", in: .kk) == "Тағы")
        #expect(
            Self.catalogue.text("home.title", in: .ru) == "again", "a key given twice: the later line (reported below)")
    }

    @Test("A line that is not key = value, and a key given twice, are reported with their place")
    func reportsBadLines() {
        #expect(
            Self.catalogue.problems == [
                "ru.txt:4: not `key = value` — write the key, ` = `, then the text",
                "ru.txt:5: home.title is given twice — keep one",
            ])
    }

    @Test("A key missing in a language falls back to English, then to the key itself")
    func fallsBack() {
        #expect(Self.catalogue.text("only.english", in: .kk) == "Only")
        #expect(Self.catalogue.text("no.such", in: .ru) == "no.such")
    }

    @Test("A value with braces that are not a known placeholder keeps them")
    func keepsUnknownBraces() {
        #expect(TextCatalogue.fill("{a} {b} {", ["a": "1"]) == "1 {b} {")
    }
}
