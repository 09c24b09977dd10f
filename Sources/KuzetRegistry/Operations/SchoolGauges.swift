import Foundation
import Synchronization

/// The latest `SchoolCensus` as Prometheus gauges: schools, online schools and the online share by
/// region, and schools by region and flag. `SchoolCensusService` takes the census on a timer; a
/// scrape only renders the one held, so scraping costs no query.
///
/// Labels are the region (at most `SchoolCensus.defaultRegionLimit` of them, plus `(other)`) and the
/// flag (a fixed list): never a school's id, name or token.
public final class SchoolGauges: Sendable {
    private let held = Mutex<(census: SchoolCensus, seconds: Double)?>(nil)

    public init() {}

    /// The census a scrape shows from now on, and how long taking it took.
    public func record(_ census: SchoolCensus, took seconds: Double) {
        held.withLock { $0 = (census, seconds) }
    }

    public var census: SchoolCensus? { held.withLock { $0?.census } }

    /// The gauges in Prometheus text, for a reader of `region` only (nil: every region). Nothing
    /// until the first census.
    func exposition(region limited: String?) -> String {
        guard let (census, seconds) = held.withLock({ $0 }) else { return "" }
        let regions = census.regions.filter { limited == nil || $0.name == limited }
        var text = ""
        func family(_ name: String, _ help: String, _ rows: [(labels: String, value: String)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) gauge\n"
            for row in rows { text += "\(name)\(row.labels) \(row.value)\n" }
        }
        family(
            "kuzet_registry_school_census_timestamp_seconds",
            "When the school gauges were last counted (registry clock, Unix seconds).",
            [("", String(format: "%.3f", census.takenAt.timeIntervalSince1970))])
        family(
            "kuzet_registry_school_census_duration_seconds", "Time the last count of the school gauges took.",
            [("", String(format: "%.6f", seconds))])
        family(
            "kuzet_registry_schools", "Schools registered, by region.",
            regions.map { (Self.labels($0.name), "\($0.schools)") })
        family(
            "kuzet_registry_schools_online",
            "Schools online (reported within serve --offline-after-intervals of their interval), by region.",
            regions.map { (Self.labels($0.name), "\($0.online)") })
        family(
            "kuzet_registry_schools_online_ratio", "Share of a region's schools online, 0 to 1.",
            regions.map {
                (
                    Self.labels($0.name),
                    $0.schools > 0 ? String(format: "%.4f", Double($0.online) / Double($0.schools)) : "0"
                )
            })
        family(
            "kuzet_registry_schools_flagged",
            "Schools with a flag set, by region and flag (OFFLINE counts schools never heard from too).",
            regions.flatMap { region in
                SchoolFlag.allCases.map { flag in (Self.labels(region.name, flag: flag), "\(region.flagged[flag] ?? 0)")
                }
            })
        return text
    }

    /// `{region="…"[,flag="…"]}` with the region escaped as the text format wants.
    static func labels(_ region: String, flag: SchoolFlag? = nil) -> String {
        var escaped = ""
        for character in region {
            switch character {
            case "\\": escaped += "\\\\"
            case "\"": escaped += "\\\""
            case "\n": escaped += "\\n"
            default: escaped.append(character)
            }
        }
        return flag.map { "{region=\"\(escaped)\",flag=\"\($0.rawValue)\"}" } ?? "{region=\"\(escaped)\"}"
    }
}
