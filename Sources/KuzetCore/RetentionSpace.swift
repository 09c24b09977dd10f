/// The disk as retention sees it: what is free, what our footage takes, and how much must stay free.
///
/// The reserve is the larger of `retention.min_free_percent` of the disk and about an hour of the
/// measured write rate: below it, the retention service deletes the oldest footage even when it is
/// younger than `retention.days`, so recording never stops on a full disk.
public struct RetentionSpace: Sendable, Equatable, Codable {
    public var totalBytes: Int64
    public var freeBytes: Int64
    /// Bytes our segments take (what retention can free).
    public var recordingsBytes: Int64
    public var minFreePercent: Double

    /// How many seconds of writing the reserve must hold, besides `min_free_percent`.
    public static let reserveSeconds: Double = 3600

    public init(totalBytes: Int64, freeBytes: Int64, recordingsBytes: Int64, minFreePercent: Double) {
        self.totalBytes = totalBytes
        self.freeBytes = freeBytes
        self.recordingsBytes = recordingsBytes
        self.minFreePercent = minFreePercent
    }

    /// The free space that must remain at `bitsPerSecond` of writing.
    public func reserveBytes(atBitsPerSecond bitsPerSecond: Double) -> Int64 {
        let percent = Double(totalBytes) * minFreePercent / 100
        let hour = bitsPerSecond / 8 * Self.reserveSeconds
        return Int64(max(percent, hour).rounded(.up))
    }

    /// Bytes footage may occupy at `bitsPerSecond`: what it takes now plus what is free, minus the reserve.
    public func usableBytes(atBitsPerSecond bitsPerSecond: Double) -> Int64 {
        max(0, recordingsBytes + freeBytes - reserveBytes(atBitsPerSecond: bitsPerSecond))
    }
}
