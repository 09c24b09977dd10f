import Foundation
import HTTPTypes
import Hummingbird
import KuzetCore
import KuzetProtocol

/// The status page's wording (`Sources/KuzetAgent/Localization/<language>.txt`, compiled in) and
/// how a request's language is chosen: `?lang=`, the `kuzet_lang` cookie, `Accept-Language`,
/// else Russian.
public enum StatusText {
    public static let catalogue = TextCatalogue(files: [
        .ru: PackageResources.ru_txt, .kk: PackageResources.kk_txt, .en: PackageResources.en_txt,
    ])

    static func language(of request: Request) -> PageLanguage {
        PageLanguage.chosen(
            query: request.uri.queryParameters.get("lang"), cookie: request.cookies[PageLanguage.cookieName]?.value,
            acceptLanguage: request.headers[.acceptLanguage])
    }

    /// Keys the page builds from a code (a camera's state, a problem's code) rather than spells
    /// out; the catalogue test adds them to the keys it finds in the sources.
    public static var derivedKeys: [String] {
        StatusCameraFacts.Upstream.allCases.map { "state.\($0.rawValue)" }
            + ["recording", "waiting", "off"].map { "recording.\($0)" }
            + ["live", "waiting", "off"].map { "push.\($0)" }
            + StatusProblem.Code.allCases.map { "problem.\($0.rawValue)" }
            + ["ok", "flagged", "unknown"].map { "health.\($0)" }
            + PictureCheck.allCases.map { "reason.\($0.rawValue)" }
    }
}
