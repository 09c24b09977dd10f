import Foundation

extension Date {
    init(millisecondsSince1970 millis: Int64) { self.init(timeIntervalSince1970: Double(millis) / 1000) }
    var millisecondsSince1970: Int64 { Int64((timeIntervalSince1970 * 1000).rounded()) }
}
