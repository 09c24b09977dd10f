import Foundation
import KuzetCore
import KuzetProtocol
import KuzetTestKit
import Testing

@testable import KuzetRegistry

/// The dashboard in real headless Chromium in Russian, Kazakh and English, against the real
/// `kuzet-registry serve`. Screenshots go to `.build/registry-screenshots/` (paths printed).
///
/// Headless Chromium 156 on Linux sends `Accept-Language: en-US` whatever `--lang` says;
/// `--accept-lang` sets the header. Both are given, as a browser set to that language would send.
@Suite("Dashboard languages in Chromium", .serialized, .timeLimit(.minutes(6)))
struct DashboardLanguageBrowserTests {
    static let known: [PageLanguage: [String]] = [
        .ru: [
            "Школы, подключённые к ЦОУ", "Передают в ЦОУ", "Нет передачи", "Нет связи", "Последний сигнал",
            "Все регионы", "время UTC+5",
        ],
        .kk: [
            "ЖБО-ға қосылған мектептер", "ЖБО-ға жіберуде", "Жіберу жоқ", "Байланыс жоқ", "Соңғы белгі",
            "Барлық өңірлер", "уақыт UTC+5",
        ],
        .en: [
            "Schools connected to the ЦОУ", "Delivering to ЦОУ", "Not delivering", "Offline", "Last heartbeat",
            "All regions", "times in UTC+5",
        ],
    ]
    static let knownOnSchoolPage: [PageLanguage: [String]] = [
        .ru: ["Камеры", "Последние сигналы", "Расхождение часов", "сбой"],
        .kk: ["Камералар", "Соңғы белгілер", "Сағат айырмасы", "ақау"],
        .en: ["Cameras", "Recent heartbeats", "Clock offset", "failing"],
    ]

    /// A registry with schools in two regions (one not delivering, one never reported); the viewer.
    func server(_ directory: TemporaryDirectory) throws -> (RegistryProcess, viewer: String, sentAt: Date) {
        let database = "sqlite:" + directory.file("registry.sqlite")
        let schools: [(String, String, String, CameraReport.DeliveryState)] = [
            ("KZ-AST-0001", "Мектеп №1", "Astana", .delivering), ("KZ-AST-0002", "Мектеп №2", "Astana", .failing),
            ("KZ-ALA-0001", "Гимназия №12", "Almaty", .delivering),
        ]
        var tokens: [String: String] = [:]
        for (id, name, region, _) in schools {
            tokens[id] = try RegistryExecutable.createToken([
                "--role", "school", "--school", id, "--name", name, "--region", region, "--database", database,
            ])
        }
        _ = try RegistryExecutable.createToken([
            "--role", "school", "--school", "KZ-ALA-0002", "--name", "Лицей №3", "--region", "Almaty", "--database",
            database,
        ])
        let viewer = try RegistryExecutable.createToken(["--role", "viewer", "--database", database])
        let server = try RegistryProcess(["--database", database])
        let sentAt = Date(timeIntervalSince1970: Date().timeIntervalSince1970.rounded(.down))
        for (id, _, _, push) in schools {
            var sample = Sample(schoolID: id)
            sample.push = push
            let body = String(decoding: sample.heartbeat(1, at: sentAt).json, as: UTF8.self)
            let response = try curl([
                "-H", "Authorization: Bearer \(tokens[id]!)", "-H", "Content-Type: application/json", "--data-binary",
                body, server.url + "/api/v1/heartbeats",
            ])
            guard response.status == 200 else { throw TestKitError("heartbeat: \(response.status) \(response.body)") }
        }
        return (server, viewer, sentAt)
    }

    func chromium(_ arguments: [String], language: String, profile: TemporaryDirectory) throws -> String {
        let (status, output) = try run(
            "chromium",
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--user-data-dir=\(profile.path)",
                "--hide-scrollbars",
                "--lang=\(language)", "--accept-lang=\(language)",
            ] + arguments,
            timeout: 120)
        guard status == 0 else { throw TestKitError("chromium failed (\(status)): \(output.suffix(800))") }
        return output
    }

    @Test(
        "--lang=ru-RU, kk-KZ, en-US: the dashboard and a school's page in that language, no English left on ru/kk, screenshots kept"
    )
    func rendersEachLanguage() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-dashboard-lang")
        let (server, viewer, _) = try server(directory)
        for (language, tag) in [(PageLanguage.ru, "ru-RU"), (.kk, "kk-KZ"), (.en, "en-US")] {
            let profile = try TemporaryDirectory(prefix: "kuzet-chromium")
            let home = try chromium(["--dump-dom", server.url + "/?token=\(viewer)"], language: tag, profile: profile)
            let school = try chromium(
                ["--dump-dom", server.url + "/schools/KZ-AST-0002"], language: tag, profile: profile)
            #expect(home.contains("<html lang=\"\(language.rawValue)\">"), "\(tag): \(home.prefix(400))")
            for phrase in Self.known[language]! { #expect(home.contains(phrase), "\(tag) dashboard: \(phrase)") }
            for phrase in Self.knownOnSchoolPage[language]! {
                #expect(school.contains(phrase), "\(tag) school page: \(phrase)")
            }
            if language != .en {
                let english = CatalogueAudit.englishWords(DashboardText.catalogue, except: language)
                for (page, dom) in [("dashboard", home), ("school page", school)] {
                    let left = english.filter { CatalogueAudit.visibleWords(dom).contains($0) }
                    let places = left.compactMap { word -> String? in
                        guard let found = dom.range(of: word) else { return nil }
                        let start =
                            dom.index(found.lowerBound, offsetBy: -120, limitedBy: dom.startIndex) ?? dom.startIndex
                        return String(dom[start..<found.upperBound])
                    }
                    #expect(left.isEmpty, "\(tag) \(page): English words left: \(left.sorted()) in \(places)")
                }
            }
            for (name, url, size) in [
                ("dashboard", "/", "1280,900"), ("school", "/schools/KZ-AST-0002", "1280,1000"),
                ("dashboard-phone", "/", "390,844"),
            ] {
                let file = DashboardBrowserTests.screenshotDirectory + "/\(name)-\(language.rawValue).png"
                try? FileManager.default.removeItem(atPath: file)
                _ = try chromium(
                    ["--screenshot=\(file)", "--window-size=\(size)", server.url + url], language: tag, profile: profile
                )
                let png = try #require(FileManager.default.contents(atPath: file))
                #expect(
                    png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 20_000, "\(file): \(png.count) bytes")
                print("screenshot: \(file)")
            }
        }
    }

    @Test(
        "The switch works without script: a ?lang=kk link in a Russian browser gives Kazakh, and so does a reload in a new browser run"
    )
    func switchWithoutScript() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-dashboard-switch")
        let (server, viewer, _) = try server(directory)
        let profile = try TemporaryDirectory(prefix: "kuzet-chromium")
        let russian = try chromium(
            ["--dump-dom", server.url + "/?token=\(viewer)"], language: "ru-RU", profile: profile)
        #expect(russian.contains("<html lang=\"ru\">"))
        let link = try #require(
            russian.firstMatch(of: /<a href="([^"]*lang=kk)"/).map {
                String($0.1).replacingOccurrences(of: "&amp;", with: "&")
            })
        #expect(!russian.contains("<script"), "no script on the page")
        let followed = try chromium(["--dump-dom", server.url + link], language: "ru-RU", profile: profile)
        #expect(
            followed.contains("<html lang=\"kk\">") && followed.contains("ЖБО-ға қосылған мектептер"),
            "the link: \(followed.prefix(300))")
        let reloaded = try chromium(["--dump-dom", server.url + "/"], language: "ru-RU", profile: profile)
        #expect(
            reloaded.contains("<html lang=\"kk\">"),
            "the choice outlives the browser run (cookie), though the browser asks for Russian")
        let screenshot = DashboardBrowserTests.screenshotDirectory + "/dashboard-switched-kk.png"
        _ = try chromium(
            ["--screenshot=\(screenshot)", "--window-size=1280,900", server.url + "/"], language: "ru-RU",
            profile: profile)
        print("screenshot: \(screenshot)")
        let back = try chromium(["--dump-dom", server.url + "/?lang=ru"], language: "ru-RU", profile: profile)
        #expect(back.contains("<html lang=\"ru\">"))
    }

    @Test("The same heartbeat: UTC in the API, UTC+5 with the zone on the page")
    func sameInstant() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-dashboard-time")
        let (server, viewer, sentAt) = try server(directory)
        let api = try curl(["-H", "Authorization: Bearer \(viewer)", server.url + "/api/v1/schools/KZ-AST-0002"])
        let json = try #require(try JSONSerialization.jsonObject(with: Data(api.body.utf8)) as? [String: Any])
        let history = try #require(json["history"] as? [[String: Any]])
        let sentInAPI = try #require(history.first?["sent_at"] as? String)
        #expect(sentInAPI == ISO8601DateFormatter().string(from: sentAt), "the API in UTC: \(sentInAPI)")
        let profile = try TemporaryDirectory(prefix: "kuzet-chromium")
        let page = try chromium(
            ["--dump-dom", server.url + "/schools/KZ-AST-0002?token=\(viewer)"], language: "ru-RU", profile: profile)
        let local = DashboardLanguageTests.plusFive(sentAt) + " UTC+5"
        #expect(page.contains("<time datetime=\"\(sentInAPI)\">\(local)</time>"), "\(local) on the page")
        let shown = try #require(
            page.firstMatch(of: /<table id="history">.*?<time datetime="[^"]*">([^<]*)<\/time>/.dotMatchesNewlines())
                .map { String($0.1) })
        #expect(shown == local)
    }
}
