import Foundation

extension Date {
    /// A wall time from milliseconds since 1970 (how the segment index keeps starts).
    package init(millisecondsSince1970 millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
    package var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}
