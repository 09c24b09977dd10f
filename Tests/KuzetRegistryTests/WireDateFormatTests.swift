import Foundation
import KuzetProtocol
import Testing

@testable import KuzetRegistry

/// The registry reads and writes wire dates without ICU; the results must be Foundation's.
@Suite("Wire dates")
struct WireDateFormatTests {
    /// Dates across the direct path's range (and outside it), whole and fractional seconds.
    static let dates: [Date] = {
        var generator = SystemRandomNumberGenerator()
        var dates = (0..<3000).map { _ in
            Date(timeIntervalSince1970: Double.random(in: -2_208_988_800...253_402_300_799, using: &generator))
        }
        dates += (0..<2000).map { _ in
            Date(timeIntervalSince1970: Double(Int.random(in: 946_684_800...4_102_444_800, using: &generator)))
        }
        dates += [
            -2_208_988_800, -2_208_988_800.5, -1, -0.25, 0, 0.999, 951_782_400, 951_868_799.9, 4_107_542_400,
            253_402_300_799.9, 253_402_300_800,
        ]
        .map(Date.init(timeIntervalSince1970:))
        return dates
    }()

    @Test("a date is written as JSONEncoder.kuzetWire writes it")
    func formatMatchesFoundation() throws {
        for date in Self.dates {
            let foundation = try JSONEncoder.kuzetWire.encode([date])
            let ours = try RegistryJSON.encoder.encode([date])
            #expect(
                ours == foundation,
                "\(date.timeIntervalSince1970): \(String(decoding: ours, as: UTF8.self)) vs \(String(decoding: foundation, as: UTF8.self))"
            )
        }
    }

    @Test("a date text is read as WireDate.parse reads it, also the odd and the invalid")
    func parseMatchesFoundation() {
        let written = Self.dates.prefix(1500).map { WireDateFormat.format($0) }
        let odd = [
            "2026-02-29T00:00:00Z", "2024-02-29T23:59:59Z", "2100-02-29T12:00:00Z", "2000-02-29T12:00:00Z",
            "2026-13-01T00:00:00Z",
            "2026-00-10T00:00:00Z", "2026-04-31T00:00:00Z", "2026-01-01T24:00:00Z", "2026-01-01T23:60:00Z",
            "2026-01-01T23:59:60Z",
            "2026-01-01T10:00:00+05:00", "2026-01-01T10:00:00.250Z", "2026-01-01 10:00:00Z", "2026-01-01T10:00:00",
            "2026-1-01T10:00:00Z",
            "1899-12-31T23:59:59Z", "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z", "２026-01-01T10:00:00Z",
            "2026-01-01t10:00:00z", "",
            "garbage", "2026-01-01T10:00:00ZZ", "+2026-01-01T10:00:00Z",
        ]
        for text in written + odd {
            #expect(WireDateFormat.parse(text) == WireDate.parse(text), "\(text)")
        }
    }
}
