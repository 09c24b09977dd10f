import Foundation
import KuzetCore
import Testing

@Suite("Page time zone")
struct PageTimeZoneTests {
    /// 2026-12-05T00:35:36Z.
    let instant = Date(timeIntervalSince1970: 1_796_430_936)

    @Test("Asia/Almaty (the default) is UTC+5 and each time says so")
    func almatyIsUTCPlusFive() throws {
        #expect(PageTimeZone.almaty.label(at: instant) == "UTC+5")
        #expect(PageTimeZone.almaty.format(instant) == "2026-12-05 05:35:36 UTC+5")
        #expect(PageTimeZone.almaty.description == "Asia/Almaty", "this machine's zone files know Asia/Almaty")
    }

    @Test("Fixed offsets and other IANA names")
    func parsesOffsetsAndNames() throws {
        #expect(try #require(PageTimeZone("UTC")).format(instant) == "2026-12-05 00:35:36 UTC")
        #expect(try #require(PageTimeZone("+05:00")).format(instant) == "2026-12-05 05:35:36 UTC+5")
        #expect(try #require(PageTimeZone("UTC+5:30")).format(instant) == "2026-12-05 06:05:36 UTC+5:30")
        #expect(try #require(PageTimeZone("UTC-3")).format(instant) == "2026-12-04 21:35:36 UTC-3")
        #expect(try #require(PageTimeZone("Asia/Aqtobe")).label(at: instant) == "UTC+5")
        #expect(try #require(PageTimeZone("Europe/Moscow")).label(at: instant) == "UTC+3")
    }

    @Test("Not a zone: refused, not guessed")
    func refusesNonsense() {
        for text in [
            "", "Almaty", "Mars/Olympus", "UTC+15", "+5:75", "UTC+", "UTC+abc", "+005:00",
            String(repeating: "A/", count: 50),
        ] {
            #expect(PageTimeZone(text) == nil, "\(text)")
        }
    }
}
