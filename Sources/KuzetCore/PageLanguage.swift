/// The languages the pages speak: Russian (the default), Kazakh (Cyrillic) and English.
///
/// Chosen per request: a `?lang=` link (which also sets the `kuzet_lang` cookie), else that
/// cookie, else the browser's `Accept-Language` (q-values honoured), else Russian.
public enum PageLanguage: String, CaseIterable, Sendable {
    case ru, kk, en

    /// When nothing the browser asks for matches.
    public static let fallback = PageLanguage.ru
    /// The cookie that remembers a choice made on the page.
    public static let cookieName = "kuzet_lang"
    /// A year: the choice is the viewer's, not the session's.
    public static let cookieLifetime = 365 * 86_400

    /// A tag such as `kk`, `kk-KZ`, `RU_ru` or `en-US`, by its primary subtag; nil for others.
    public init?(tag: some StringProtocol) {
        let primary = tag.prefix { $0 != "-" && $0 != "_" }.lowercased()
        guard let language = PageLanguage(rawValue: primary) else { return nil }
        self = language
    }

    /// The language of a request: `query` (`?lang=`), else `cookie`, else `Accept-Language`.
    public static func chosen(query: String?, cookie: String?, acceptLanguage: String?) -> PageLanguage {
        if let query, let language = PageLanguage(tag: query) { return language }
        if let cookie, let language = PageLanguage(tag: cookie) { return language }
        return negotiate(acceptLanguage: acceptLanguage)
    }

    /// The best of ours for an `Accept-Language` header (RFC 9110 §12.5.4): the highest q wins,
    /// the earlier entry on a tie; `q=0` refuses. Only the first 1 KiB and 32 entries are read
    /// (the header is the browser's, or anyone's).
    public static func negotiate(acceptLanguage: String?) -> PageLanguage {
        guard let header = acceptLanguage else { return fallback }
        var best: (language: PageLanguage, quality: Double)?
        for entry in header.utf8.prefix(1024).split(separator: UInt8(ascii: ",")).prefix(32) {
            let parts = Substring(decoding: entry, as: UTF8.self).split(separator: ";")
            guard let tag = parts.first?.trimmingSpaces, let language = PageLanguage(tag: tag) else { continue }
            var quality = 1.0
            for parameter in parts.dropFirst() {
                let pair = parameter.trimmingSpaces.split(separator: "=", maxSplits: 1)
                guard pair.count == 2, pair[0].lowercased() == "q" else { continue }
                guard let value = Double(pair[1]), value.isFinite, (0...1).contains(value) else {
                    quality = 0
                    break
                }
                quality = value
            }
            if quality > 0, quality > (best?.quality ?? 0) { best = (language, quality) }
        }
        return best?.language ?? fallback
    }

    /// `Set-Cookie` for a choice made on the page: every path, readable by the server only,
    /// sent on links from other sites (`Lax`) so a bookmarked page keeps its language.
    public func cookie(secure: Bool) -> String {
        "\(Self.cookieName)=\(rawValue); Path=/; Max-Age=\(Self.cookieLifetime); HttpOnly; SameSite=Lax"
            + (secure ? "; Secure" : "")
    }

    /// The language's own name, for the switch on the page.
    public var ownName: String {
        switch self {
        case .ru: "Русский"
        case .kk: "Қазақша"
        case .en: "English"
        }
    }
}

extension Substring {
    fileprivate var trimmingSpaces: Substring {
        var text = self
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return text
    }
}
