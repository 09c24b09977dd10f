import Foundation
import KuzetCore

extension RegistryReport {
    /// RFC 4180 CSV, one row per region and a TOTAL row last, with the machine headers
    /// (`region,schools,…`) for scripts.
    public var csv: String { csv(language: nil) }

    /// The CSV for people (`?lang=ru|kk|en`): headers, the total row and the unnamed region in
    /// `language`, and a UTF-8 byte order mark first so that Excel reads Cyrillic as Cyrillic.
    /// Without a language, the machine headers and no mark (what scripts have always read).
    public func csv(language: PageLanguage?) -> String {
        let columns = Self.csvColumns
        let header =
            language.map { language in
                columns.map { Self.csvField(DashboardText.catalogue.text("csv.\($0)", in: language)) }
            } ?? columns
        var lines = [header.joined(separator: ",")]
        for row in regions + [total] {
            var region = row.region
            if let language, row == total && row.region == total.region {
                region = DashboardText.catalogue.text("csv.total", in: language)
            }
            if let language, row.region == UnknownRegion.name {
                region = DashboardText.catalogue.text("regions.unknown", in: language)
            }
            let fields = [
                Self.csvField(region), "\(row.schools)", "\(row.online)", Self.format(row.percent(row.online)),
                "\(row.delivering)", Self.format(row.percent(row.delivering)), "\(row.retentionCompliant)",
                Self.format(row.percent(row.retentionCompliant)), "\(row.retentionProven)",
                Self.format(row.percent(row.retentionProven)),
                "\(row.cameraObstructed)",
            ]
            lines.append(fields.joined(separator: ","))
        }
        return (language == nil ? "" : "\u{FEFF}") + lines.joined(separator: "\r\n") + "\r\n"
    }

    /// The machine headers; `csv.<column>` in the catalogue is each one's name for people.
    static let csvColumns = [
        "region", "schools", "online", "online_percent", "delivering", "delivering_percent", "retention_compliant",
        "retention_compliant_percent", "retention_proven", "retention_proven_percent", "camera_obstructed",
    ]

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Quotes a field when it holds a comma, quote or line break; neutralises spreadsheet formulas.
    static func csvField(_ text: String) -> String {
        var text = text
        if let first = text.first, "=+-@".contains(first) { text = "'" + text }
        guard text.contains(where: { ",\"\r\n".contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
