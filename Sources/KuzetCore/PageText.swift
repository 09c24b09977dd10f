import Foundation

/// What a page is written with: the viewer's language, the program's catalogue and the zone
/// its times are shown in.
public struct PageText: Sendable {
    public let language: PageLanguage
    public let catalogue: TextCatalogue
    public let timeZone: PageTimeZone

    public init(language: PageLanguage, catalogue: TextCatalogue, timeZone: PageTimeZone) {
        self.language = language
        self.catalogue = catalogue
        self.timeZone = timeZone
    }

    /// The text for `key`, plain (for a title attribute, a CSV header, a log).
    public func plain(_ key: String, _ values: [String: String] = [:]) -> String {
        catalogue.text(key, in: language, values)
    }

    /// The text for `key` as HTML: the catalogue's text escaped, then `values` put in as they are
    /// (they are HTML already: escape free text before passing it).
    public func html(_ key: String, _ values: [String: String] = [:]) -> String {
        TextCatalogue.fill(HTMLText.escape(catalogue.text(key, in: language)), values)
    }

    /// A moment in the page's zone with the zone shown (`2026-12-05 05:35:36 UTC+5`).
    public func time(_ date: Date) -> String { timeZone.format(date) }
}
