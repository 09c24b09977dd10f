import Foundation
import Hummingbird
import KuzetCore

/// `GET /api/v1/report[?format=json|csv][&region=R][&lang=ru|kk|en]`: per region schools, online, delivering, retention-compliant.
struct ReportRoutes {
    let registry: Registry

    func add(to router: Router<RegistryRequestContext>) {
        router.get("/api/v1/report") { request, context in try await report(request, context: context) }
    }

    func report(_ request: Request, context: RegistryRequestContext) async throws -> Response {
        let principal = try context.reader()
        let parameters = request.uri.queryParameters
        for (key, _) in parameters where !["format", "region", "token", "lang"].contains(String(key)) {
            throw APIError.badQuery("\(String(key).prefix(40)): unknown query parameter — use format, region or lang")
        }
        var language: PageLanguage?
        if let lang = parameters.get("lang") {
            guard let chosen = PageLanguage(rawValue: lang) else {
                throw APIError.badQuery("lang: \"\(lang.prefix(20))\" — use ru, kk or en")
            }
            language = chosen
        }
        let format = parameters.get("format") ?? "json"
        guard format == "json" || format == "csv" else {
            throw APIError.badQuery("format: \"\(format.prefix(20))\" — use json or csv")
        }
        var region = parameters.get("region")
        if let limited = principal.readableRegion {
            if let region, region != limited {
                return try render(
                    RegistryReport(generatedAt: registry.now(), regions: []), format: format, language: language)
            }
            region = limited
        }
        let report = try await registry.report(region: region, at: registry.now())
        return try render(report, format: format, language: language)
    }

    /// `language` translates the CSV's headers (and adds a byte order mark for Excel); the JSON
    /// keeps its keys and codes.
    func render(_ report: RegistryReport, format: String, language: PageLanguage?) throws -> Response {
        if format == "csv" {
            return JSONResponse.text(
                report.csv(language: language), contentType: "text/csv; charset=utf-8",
                headers: [.contentDisposition: "attachment; filename=\"kuzet-report.csv\""])
        }
        return try JSONResponse.make(
            APIResponses.Report(
                generated_at: report.generatedAt, minimum_retention_days: registry.policy.minimumRetentionDays,
                offline_after_intervals: registry.policy.offlineAfterIntervals,
                regions: report.regions.map(APIResponses.ReportRow.init),
                total: .init(report.total)))
    }
}
