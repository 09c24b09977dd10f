import Foundation

extension RegistryReport {
    /// RFC 4180 CSV, one row per region and a TOTAL row last.
    public var csv: String {
        var lines = ["region,schools,online,online_percent,delivering,delivering_percent,retention_compliant,retention_compliant_percent"]
        for row in regions + [total] {
            let fields = [
                Self.csvField(row.region), "\(row.schools)", "\(row.online)", Self.format(row.percent(row.online)),
                "\(row.delivering)", Self.format(row.percent(row.delivering)), "\(row.retentionCompliant)",
                Self.format(row.percent(row.retentionCompliant)),
            ]
            lines.append(fields.joined(separator: ","))
        }
        return lines.joined(separator: "\r\n") + "\r\n"
    }

    static func format(_ value: Double) -> String { String(format: "%.1f", value) }

    /// Quotes a field when it holds a comma, quote or line break; neutralises spreadsheet formulas.
    static func csvField(_ text: String) -> String {
        var text = text
        if let first = text.first, "=+-@".contains(first) { text = "'" + text }
        guard text.contains(where: { ",\"\r\n".contains($0) }) else { return text }
        return "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
