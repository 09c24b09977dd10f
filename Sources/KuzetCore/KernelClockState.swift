import Glibc

/// What the kernel says about the wall clock: whether NTP (chrony, ntpd, systemd-timesyncd)
/// keeps it synchronised, and the largest error it admits. Read with `adjtimex` (mode 0: read only).
public struct KernelClockState: Sendable, Equatable {
    public var synchronised: Bool
    /// The kernel's maximum error estimate, seconds (16 s when nothing disciplines the clock).
    public var maxErrorSeconds: Double

    public init(synchronised: Bool, maxErrorSeconds: Double) {
        self.synchronised = synchronised
        self.maxErrorSeconds = maxErrorSeconds
    }

    /// The kernel's state now; nil when `adjtimex` cannot be called or fails.
    ///
    /// Swift's Glibc module does not import `<sys/timex.h>`, and Core has no C target (the C
    /// boundary is KuzetMedia's and KuzetCurl's), so `adjtimex` is looked up with `dlsym` and given
    /// a zeroed `struct timex`, of which only the leading fields are read. Their offsets are the
    /// same on every LP64 Linux (x86_64, aarch64): `modes` (int, padded) 0, `offset` 8, `freq` 16,
    /// `maxerror` (long, µs) 24, `esterror` 32, `status` (int) 40. The struct is 208 bytes; 512 are given.
    public static func read() -> KernelClockState? {
        guard let adjust = adjustTime else { return nil }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: 512, alignment: 16)
        defer { buffer.deallocate() }
        buffer.initializeMemory(as: UInt8.self, repeating: 0, count: 512)
        let result = adjust(buffer) // modes 0: read only, needs no privilege
        guard result >= 0 else { return nil }
        let maxErrorMicroseconds = buffer.load(fromByteOffset: 24, as: Int.self)
        let status = buffer.load(fromByteOffset: 40, as: Int32.self)
        let timeError: Int32 = 5 // TIME_ERROR: the clock is not synchronised
        let unsynchronisedFlag: Int32 = 0x0040 // STA_UNSYNC
        let unsynchronised = result == timeError || (status & unsynchronisedFlag) != 0
        return KernelClockState(synchronised: !unsynchronised, maxErrorSeconds: Double(maxErrorMicroseconds) / 1e6)
    }

    private typealias AdjustTime = @convention(c) (UnsafeMutableRawPointer) -> Int32

    /// `adjtimex`, looked up once.
    private static let adjustTime: AdjustTime? = {
        guard MemoryLayout<Int>.size == 8, let symbol = dlsym(nil, "adjtimex") else { return nil }
        return unsafeBitCast(symbol, to: AdjustTime.self)
    }()
}
