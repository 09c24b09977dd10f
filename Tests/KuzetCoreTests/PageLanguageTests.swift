import KuzetCore
import Testing

@Suite("Page language")
struct PageLanguageTests {
    @Test("Accept-Language: the highest q of ours wins, region subtags are ignored")
    func negotiatesByQuality() {
        #expect(PageLanguage.negotiate(acceptLanguage: "kk-KZ,kk;q=0.9,ru;q=0.8,en;q=0.7") == .kk)
        #expect(PageLanguage.negotiate(acceptLanguage: "en-US,en;q=0.9") == .en)
        #expect(PageLanguage.negotiate(acceptLanguage: "de-DE, en;q=0.4, kk;q=0.6") == .kk)
        #expect(PageLanguage.negotiate(acceptLanguage: "en;q=0.5, ru;q=0.5") == .en, "on a tie, the earlier entry")
        #expect(PageLanguage.negotiate(acceptLanguage: "RU_ru") == .ru)
    }

    @Test("Nothing of ours asked for, q=0, a broken q or no header: Russian")
    func defaultsToRussian() {
        #expect(PageLanguage.negotiate(acceptLanguage: nil) == .ru)
        #expect(PageLanguage.negotiate(acceptLanguage: "de-DE,fr;q=0.9") == .ru)
        #expect(PageLanguage.negotiate(acceptLanguage: "en;q=0, de") == .ru)
        #expect(PageLanguage.negotiate(acceptLanguage: "en;q=nan") == .ru)
        #expect(PageLanguage.negotiate(acceptLanguage: "*") == .ru)
        #expect(PageLanguage.negotiate(acceptLanguage: "") == .ru)
    }

    @Test("A hostile header is read only so far: 1 KiB and 32 entries")
    func boundsTheHeader() {
        let long = Array(repeating: "de", count: 40).joined(separator: ",") + ",kk"
        #expect(PageLanguage.negotiate(acceptLanguage: long) == .ru, "kk is the 41st entry")
        #expect(PageLanguage.negotiate(acceptLanguage: String(repeating: " ", count: 2000) + "kk") == .ru)
    }

    @Test("The link's ?lang= beats the cookie, which beats Accept-Language")
    func choosesQueryThenCookieThenHeader() {
        #expect(PageLanguage.chosen(query: "kk", cookie: "en", acceptLanguage: "ru") == .kk)
        #expect(PageLanguage.chosen(query: nil, cookie: "en", acceptLanguage: "kk") == .en)
        #expect(PageLanguage.chosen(query: "xx", cookie: "bogus", acceptLanguage: "kk-KZ") == .kk)
    }

    @Test("The cookie is remembered for a year, SameSite=Lax, HttpOnly, Secure under HTTPS")
    func cookie() {
        #expect(
            PageLanguage.kk.cookie(secure: false) == "kuzet_lang=kk; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax")
        #expect(PageLanguage.ru.cookie(secure: true).hasSuffix("; Secure"))
    }
}
