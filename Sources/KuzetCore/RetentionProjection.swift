/// How many days of footage the disk holds at a total write rate, and whether that meets `retention.days`.
public struct RetentionProjection: Sendable, Equatable, Codable {
    public var requiredDays: Int
    /// The total rate footage is written at, all recorded cameras together, in bits per second.
    public var bitsPerSecond: Double
    /// Days the disk holds at that rate; nil when nothing is written (no rate to project from).
    public var projectedDays: Double?
    /// Disk to add so `requiredDays` fit (0 when compliant).
    public var missingBytes: Int64

    public init(space: RetentionSpace, bitsPerSecond: Double, requiredDays: Int) {
        self.requiredDays = requiredDays
        self.bitsPerSecond = bitsPerSecond
        let usable = space.usableBytes(atBitsPerSecond: bitsPerSecond)
        guard bitsPerSecond > 0 else {
            projectedDays = nil
            missingBytes = 0
            return
        }
        let bytesPerDay = bitsPerSecond / 8 * 86_400
        projectedDays = Double(usable) / bytesPerDay
        let needed = bytesPerDay * Double(requiredDays)
        missingBytes = max(0, Int64((needed - Double(usable)).rounded(.up)))
    }

    /// True when the disk holds at least `requiredDays` (also true when nothing is recorded).
    public var isCompliant: Bool { projectedDays.map { $0 >= Double(requiredDays) } ?? true }
}
