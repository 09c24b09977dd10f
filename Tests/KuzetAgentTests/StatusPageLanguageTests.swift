import Foundation
import KuzetAgent
import KuzetCore
import KuzetTestKit
import Testing

/// The integrator's page in Russian, Kazakh and English, in real headless Chromium against the
/// real status service. Screenshots go to `.build/status-screenshots/` (paths printed).
///
/// Headless Chromium 156 on Linux sends `Accept-Language: en-US` whatever `--lang` says;
/// `--accept-lang` sets the header. Both are given, as a browser set to that language would send.
@Suite("Status page languages", .serialized, .timeLimit(.minutes(5)))
struct StatusPageLanguageTests {
    static let known: [PageLanguage: [String]] = [
        .ru: [
            "нет изображения: камера — нет связи", "нет видео уже", "Запись", "Трансляция в ЦОУ", "в эфире",
            "Последний кадр", "время UTC+5",
        ],
        .kk: [
            "сурет жоқ: камера — байланыс жоқ", "бейне жоқ", "Жазба", "ЖБО-ға трансляция", "эфирде", "Соңғы кадр",
            "уақыт UTC+5",
        ],
        .en: [
            "no picture: camera offline", "no video for", "Recording", "Live to ЦОУ", "live", "Last frame",
            "times in UTC+5",
        ],
    ]

    static var screenshotDirectory: String {
        let path = PostgresTestServer.repositoryRoot + "/.build/status-screenshots"
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    func chromium(_ arguments: [String], language: String, profile: String) async throws -> String {
        let common = [
            "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
            "--user-data-dir=\(profile)", "--virtual-time-budget=5000",
            "--lang=\(language)", "--accept-lang=\(language)",
        ]
        let (status, output) = try await offPool {
            try run(StatusPageBrowserTests.chromium, common + arguments, timeout: 90)
        }
        guard status == 0 else { throw TestKitError("chromium failed (\(status)): \(output.suffix(800))") }
        return output
    }

    @Test("--lang=ru-RU, kk-KZ, en-US: the page in that language, no English left on ru/kk, screenshots kept")
    func rendersEachLanguage() async throws {
        let agent = try await StatusTestAgent()
        defer { agent.stop() }
        for (language, tag) in [(PageLanguage.ru, "ru-RU"), (.kk, "kk-KZ"), (.en, "en-US")] {
            let profile = agent.directory.file("chromium-\(language.rawValue)")
            let dom = try await chromium(["--dump-dom", agent.baseURL + "/"], language: tag, profile: profile)
            #expect(dom.contains("<html lang=\"\(language.rawValue)\">"), "\(tag): \(dom.prefix(300))")
            for phrase in Self.known[language]! { #expect(dom.contains(phrase), "\(tag): \(phrase)") }
            #expect(
                dom.contains("admin:***@") && !dom.contains(StatusTestAgent.cameraPassword),
                "the camera's own words, masked")
            if language != .en {
                let left = CatalogueAudit.englishWords(StatusText.catalogue, except: language).intersection(
                    CatalogueAudit.visibleWords(dom))
                #expect(left.isEmpty, "\(tag): English words left: \(left.sorted())")
            }
            let file = Self.screenshotDirectory + "/status-\(language.rawValue).png"
            try? FileManager.default.removeItem(atPath: file)
            _ = try await chromium(
                ["--window-size=1280,900", "--screenshot=\(file)", agent.baseURL + "/"], language: tag, profile: profile
            )
            let png = try Data(contentsOf: URL(fileURLWithPath: file))
            #expect(png.starts(with: [0x89, 0x50, 0x4E, 0x47]) && png.count > 50_000, "\(file): \(png.count) bytes")
            print("screenshot: \(file)")
        }
    }

    @Test("The switch works without script and survives a reload in a new browser run")
    func switchWithoutScript() async throws {
        let agent = try await StatusTestAgent()
        defer { agent.stop() }
        let profile = agent.directory.file("chromium-switch")
        let english = try await chromium(["--dump-dom", agent.baseURL + "/"], language: "en-US", profile: profile)
        #expect(english.contains("<a href=\"/?lang=kk\" lang=\"kk\"") && !english.contains("<script"))
        let followed = try await chromium(
            ["--dump-dom", agent.baseURL + "/?lang=kk"], language: "en-US", profile: profile)
        #expect(followed.contains("<html lang=\"kk\">") && followed.contains("Соңғы кадр"))
        let reloaded = try await chromium(["--dump-dom", agent.baseURL + "/"], language: "en-US", profile: profile)
        #expect(
            reloaded.contains("<html lang=\"kk\">"),
            "the cookie outlives the browser run, though the browser asks for English")
    }

    @Test("Times in UTC+5 with the zone shown: the page's clock is the instant it names")
    func localTime() async throws {
        let agent = try await StatusTestAgent()
        defer { agent.stop() }
        let dom = try await chromium(
            ["--dump-dom", agent.baseURL + "/"], language: "ru-RU", profile: agent.directory.file("chromium-time"))
        let match = try #require(dom.firstMatch(of: /<time datetime="([^"]+)">([^<]+)<\/time>/))
        let instant = try #require(ISO8601DateFormatter().date(from: String(match.1)), "UTC in the markup: \(match.1)")
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(secondsFromGMT: 5 * 3600)
        formatter.dateFormat = "yyyy-MM-dd HH:mm:ss"
        #expect(String(match.2) == formatter.string(from: instant) + " UTC+5")
        #expect(abs(instant.timeIntervalSinceNow) < 120)
    }

    @Test("The catalogue: every key in ru, kk and en, every key used, the same placeholders")
    func catalogueIsWhole() throws {
        let problems = try CatalogueAudit.problems(
            StatusText.catalogue, sources: PostgresTestServer.repositoryRoot + "/Sources/KuzetAgent",
            derivedKeys: StatusText.derivedKeys)
        #expect(problems.isEmpty, "\(problems.joined(separator: "\n"))")
    }
}
