import Foundation
import HTTPTypes
import Hummingbird
import KuzetCore
import KuzetProtocol

/// The registry's wording (`Sources/KuzetRegistry/Localization/<language>.txt`, compiled in) and
/// how a request's language and zone are chosen.
enum DashboardText {
    static let catalogue = TextCatalogue(files: [
        .ru: PackageResources.ru_txt, .kk: PackageResources.kk_txt, .en: PackageResources.en_txt,
    ])

    /// The language of a request: `?lang=`, the `kuzet_lang` cookie, `Accept-Language`, Russian.
    static func language(of request: Request) -> PageLanguage {
        PageLanguage.chosen(
            query: request.uri.queryParameters.get("lang"), cookie: request.cookies[PageLanguage.cookieName]?.value,
            acceptLanguage: request.headers[.acceptLanguage])
    }

    static func text(for request: Request, registry: Registry) -> PageText {
        PageText(language: language(of: request), catalogue: catalogue, timeZone: registry.pageTimeZone)
    }

    /// A flag's name on the pages (the API keeps its code).
    static func flagName(_ flag: SchoolFlag, _ text: PageText) -> String { text.html("flag.\(flag.rawValue).name") }
    /// What a flag means, in a sentence.
    static func flagMeaning(_ flag: SchoolFlag, _ text: PageText) -> String {
        text.plain("flag.\(flag.rawValue).about")
    }
}

extension DashboardText {
    /// Keys the pages build from a code (a flag, a role, a camera's state) rather than spell
    /// out; the catalogue test adds them to the keys it finds in the sources.
    static var derivedKeys: [String] {
        SchoolFlag.allCases.flatMap { ["flag.\($0.rawValue).name", "flag.\($0.rawValue).about"] }
            + Role.allCases.map { "role.\($0.rawValue)" }
            + [CameraReport.RecordingState.recording, .notRecording, .disabled].map { "recording.\($0.rawValue)" }
            + [CameraReport.DeliveryState.delivering, .failing, .disabled].map { "delivery.\($0.rawValue)" }
            + RegistryReport.csvColumns.map { "csv.\($0)" }
            + PictureCheck.allCases.map { "health.reason.\($0.rawValue)" } // issue 23
    }
}
