import Foundation
import HTTPTypes
import HummingbirdTesting
import KuzetCore
import KuzetProtocol
import KuzetTestKit
import NIOCore
import Testing

@testable import KuzetRegistry

@Suite("Dashboard languages, local time and the CSV's headers", .timeLimit(.minutes(2)))
struct DashboardLanguageTests {
    /// A registry with one school that is not delivering; the viewer's token.
    func withSchool(_ body: @Sendable @escaping (TestRegistry, String) async throws -> Void) async throws {
        try await withRegistry(.sqlite) { registry in
            let school = try await registry.schoolToken("KZ-AST-0002", name: "Мектеп №2", region: "Astana")
            var sample = Sample(schoolID: "KZ-AST-0002")
            sample.push = .failing
            #expect(
                try await registry.post(sample.heartbeat(1, at: registry.clock.date).json, token: school).status == .ok)
            try await body(registry, try await registry.token(Principal(role: .viewer)))
        }
    }

    @Test("Accept-Language chooses the page's language; nothing of ours asked for gives Russian")
    func acceptLanguage() async throws {
        try await withSchool { registry, viewer in
            let cases: [(String?, String, String)] = [
                ("kk-KZ,kk;q=0.9,en;q=0.5", "kk", "Жіберу жоқ"), ("en-US,en;q=0.9", "en", "Not delivering"),
                ("ru-RU", "ru", "Нет передачи"), ("de-DE,fr;q=0.8", "ru", "Нет передачи"), (nil, "ru", "Нет передачи"),
            ]
            for (header, language, flagName) in cases {
                let headers: HTTPFields = header.map { [.acceptLanguage: $0] } ?? [:]
                let page = try await registry.get("/", token: viewer, headers: headers)
                #expect(page.status == .ok)
                #expect(page.text.contains("<html lang=\"\(language)\">"), "\(header ?? "none")")
                #expect(page.text.contains(">\(flagName)</span>"), "\(header ?? "none"): the flag by its name")
                #expect(page.text.contains("class=\"flag NOT_DELIVERING\""), "the code stays in the markup")
                #expect(page.headers[.vary] == "Accept-Language, Cookie")
            }
        }
    }

    @Test(
        "?lang= sets a SameSite=Lax cookie and redirects to the page without it; the cookie then beats Accept-Language")
    func switchIsRemembered() async throws {
        try await withSchool { registry, viewer in
            let link = try await registry.get(
                "/?region=Astana&lang=kk", token: viewer, headers: [.acceptLanguage: "en"])
            #expect(link.status == .seeOther)
            #expect(link.headers[.location] == "/?region=Astana")
            #expect(link.headers[.setCookie] == "kuzet_lang=kk; Path=/; Max-Age=31536000; HttpOnly; SameSite=Lax")
            let page = try await registry.get(
                "/?region=Astana", token: viewer, headers: [.acceptLanguage: "en", .cookie: "kuzet_lang=kk"])
            #expect(page.text.contains("<html lang=\"kk\">") && page.text.contains("ЖБО-ға қосылған мектептер"))
            #expect(
                page.text.contains("<a href=\"/?region=Astana&amp;lang=ru\" lang=\"ru\""), "the switch keeps the filter"
            )
            #expect(page.text.contains("<strong lang=\"kk\">Қазақша</strong>"))
        }
    }

    @Test("A ?token= and a ?lang= link together: both cookies, one redirect")
    func tokenAndLanguageLink() async throws {
        try await withSchool { registry, viewer in
            let link = try await registry.get("/schools/KZ-AST-0002?token=\(viewer)&lang=en", token: nil)
            #expect(link.status == .seeOther && link.headers[.location] == "/schools/KZ-AST-0002")
            let cookies = link.headers[values: .setCookie]
            #expect(
                cookies.count == 2 && cookies.contains { $0.hasPrefix("kuzet_session=") }
                    && cookies.contains { $0.hasPrefix("kuzet_lang=en;") })
        }
    }

    @Test("The sign-in page and its refusals are in the viewer's language")
    func signInPage() async throws {
        try await withRegistry(.sqlite) { registry in
            let page = try await registry.get("/login", token: nil, headers: [.acceptLanguage: "kk"])
            #expect(page.text.contains("<h1>Кіру</h1>"))
            let refused = try await registry.get("/?token=kzv_wrong", token: nil, headers: [.acceptLanguage: "ru"])
            #expect(refused.status == .unauthorized && refused.text.contains("Токен в ссылке не подходит для панели"))
        }
    }

    @Test("Times are in UTC+5 with the zone shown; the page's time is the API's instant")
    func localTime() async throws {
        try await withSchool { registry, viewer in
            let api = try await registry.getJSON("/api/v1/schools/KZ-AST-0002", token: viewer)
            let lastContact = try #require((api["school"] as? [String: Any])?["last_contact_at"] as? String, "\(api)")
            #expect(lastContact.hasSuffix("Z"), "the API keeps UTC: \(lastContact)")
            let instant = try #require(ISO8601DateFormatter().date(from: lastContact))
            let page = try await registry.get("/schools/KZ-AST-0002", token: viewer, headers: [.acceptLanguage: "ru"])
            let local = Self.plusFive(instant)
            #expect(
                page.text.contains(
                    "<dd id=\"last-heartbeat\"><time datetime=\"\(lastContact)\">\(local) UTC+5</time></dd>"),
                "\(local)")
            #expect(page.text.contains("время UTC+5"), "the footer names the zone")
        }
    }

    @Test("CSV ?lang=ru|kk: a UTF-8 byte order mark, then headers and the total row in that language")
    func csvInLanguage() async throws {
        try await withSchool { registry, viewer in
            let russian = try await registry.get("/api/v1/report?format=csv&lang=ru", token: viewer)
            let bytes = Array(russian.body.readableBytesView)
            #expect(bytes.starts(with: [0xEF, 0xBB, 0xBF]), "BOM")
            let text = try #require(String(bytes: bytes.dropFirst(3), encoding: .utf8), "valid UTF-8")
            let lines = text.components(separatedBy: "\r\n")
            #expect(
                lines[0]
                    == "Регион,Школ,На связи,\"На связи, %\",Передают в ЦОУ,\"Передают в ЦОУ, %\",Хранят не меньше нормы,\"Хранят не меньше нормы, %\",Хранение подтверждено за 7 дней,\"Хранение подтверждено за 7 дней, %\",Камера закрыта"
            )
            #expect(lines[2].hasPrefix("Итого,1,1,"))
            let kazakh = try await registry.get("/api/v1/report?format=csv&lang=kk", token: viewer)
            #expect(kazakh.text.hasPrefix("\u{FEFF}Өңір,Мектеп,Байланыста,"))
            let machine = try await registry.get("/api/v1/report?format=csv", token: viewer)
            #expect(machine.text.hasPrefix("region,schools,online,"), "without lang, the headers scripts read")
            let fromPage = try await registry.get(
                "/api/v1/report?format=csv&lang=kk", token: nil, headers: [.cookie: "kuzet_session=\(viewer)"])
            #expect(
                fromPage.status == .ok && fromPage.text == kazakh.text, "the dashboard's link works with its cookie")
            let wrong = try await registry.get("/api/v1/report?format=csv&lang=de", token: viewer)
            #expect(wrong.status == .badRequest && wrong.text.contains("use ru, kk or en"))
        }
    }

    @Test("The catalogue: every key in ru, kk and en, every key used, the same placeholders")
    func catalogueIsWhole() throws {
        let problems = try CatalogueAudit.problems(
            DashboardText.catalogue, sources: PostgresTestServer.repositoryRoot + "/Sources/KuzetRegistry",
            derivedKeys: DashboardText.derivedKeys)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
        #expect((DashboardText.catalogue.entries[.kk]?.count ?? 0) > 90)
    }

    @Test(
        "serve --time-zone UTC+6 shows UTC+6 on the pages; a zone that is not one is refused (exit 2) with what to give"
    )
    func serveTimeZone() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-time-zone")
        let database = "sqlite:" + directory.file("registry.sqlite")
        let viewer = try RegistryExecutable.createToken(["--role", "viewer", "--database", database])
        let refused = try RegistryExecutable.run([
            "serve", "--listen", "127.0.0.1:0", "--database", database, "--time-zone", "Mars/Olympus",
        ])
        #expect(
            refused.status == 2 && refused.output.contains("--time-zone: \"Mars/Olympus\" is not a zone"),
            "\(refused.output)")
        let server = try RegistryProcess(["--database", database, "--time-zone", "UTC+6"])
        let page = try curl(["-H", "Authorization: Bearer \(viewer)", server.url + "/"])
        #expect(
            page.status == 200 && page.body.contains("время UTC+6") && page.body.contains(" UTC+6</time>"),
            "\(page.body.prefix(2000))")
    }

    /// The instant as a clock in Kazakhstan reads it (computed apart from the product's code).
    static func plusFive(_ date: Date) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 5 * 3600)
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        return formatter.string(from: date)
    }
}
