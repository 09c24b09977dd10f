import Foundation
import KuzetCore
import KuzetSegmentStore
import Logging
import Synchronization

extension RetentionService {
    /// How far back a camera's recorded rate is measured.
    static let rateWindowMillis: Int64 = 3_600_000
    /// Holes shorter than this between segments are not gaps (keyframe cuts, file flush timing).
    static let gapToleranceMillis: Int64 = 2000

    /// The retention facts of every camera with footage or configured for recording, and of the box.
    public func facts() -> RetentionFacts {
        let at = now()
        let nowMillis = at.millisecondsSince1970
        let window = (nowMillis - settings.daysMillis)..<nowMillis
        let snapshot = state.withLock { $0 }
        var cameras: [CameraRetentionFacts] = []
        var writeKbps = 0.0
        for camera in Set(snapshot.cameras.keys).union(settings.recordedCameras).sorted() {
            let segments = snapshot.cameras[camera] ?? CameraSegments()
            let isRecording = snapshot.open[camera]?.isEmpty == false
            let gaps = RetentionGaps.find(
                intervals: segments.all.lazy.map { (start: $0.start, end: $0.end) }, window: window,
                tolerance: Self.gapToleranceMillis, openUntilEnd: isRecording)
            let kbps = Self.recordedKbps(segments, since: nowMillis - Self.rateWindowMillis)
            if let kbps, isRecording || (segments.newest.map { $0.end > nowMillis - Self.rateWindowMillis } ?? false) {
                writeKbps += kbps
            }
            cameras.append(
                CameraRetentionFacts(
                    camera: camera, oldestFootage: segments.oldest.map { Date(millisecondsSince1970: $0.start) },
                    newestFootage: segments.newest.map { Date(millisecondsSince1970: $0.end) },
                    // Footage named after "now" (a clock corrected back after running ahead) is 0
                    // days kept, never negative: the registry refuses a batch with achieved_days < 0.
                    achievedDays: segments.oldest.map { max(0, Double(nowMillis - $0.start) / 86_400_000) } ?? 0,
                    gaps: gaps.map {
                        DateInterval(
                            start: Date(millisecondsSince1970: $0.lowerBound),
                            end: Date(millisecondsSince1970: $0.upperBound))
                    },
                    bytes: segments.bytes, segments: segments.count, recordedKbps: kbps, isRecording: isRecording,
                    shortfall: snapshot.shortfalls[camera],
                    untrustedSegments: untrustedSegmentCount(camera: camera, in: snapshot)))
        }
        let projection = snapshot.space.map {
            RetentionProjection(space: $0, bitsPerSecond: writeKbps * 1000, requiredDays: settings.days)
        }
        return RetentionFacts(
            at: at, requiredDays: settings.days, cameras: cameras, space: snapshot.space, writeKbps: writeKbps,
            projection: projection, diskPressureSince: snapshot.pressureSince, lastSweep: snapshot.lastSweep,
            scan: snapshot.scan, ageDeletionHeld: snapshot.ageDeletionHeld)
    }

    /// Events since the last call (disk pressure, shortfalls), oldest first, for the heartbeat.
    public func drainEvents() -> [RetentionEvent] {
        state.withLock { state in
            defer { state.events.removeAll() }
            return state.events
        }
    }

    /// The box's write rate now, bits per second: the recorded rates of cameras with footage in the last hour.
    func writeBitsPerSecond(at: Date) -> Double {
        let since = at.millisecondsSince1970 - Self.rateWindowMillis
        return state.withLock { state in
            state.cameras.values.reduce(0.0) { total, segments in
                guard let newest = segments.newest, newest.end > since,
                    let kbps = Self.recordedKbps(segments, since: since)
                else { return total }
                return total + kbps * 1000
            }
        }
    }

    /// Bytes over footage time of the segments ending after `since`; when there are none, of the
    /// camera's last 60 segments (footage from before an outage still tells the stream's rate).
    static func recordedKbps(_ segments: CameraSegments, since: Int64) -> Double? {
        var recent = segments.suffix(endingAfter: since)
        if recent.isEmpty { recent = segments.all.suffix(60) }
        let millis = recent.reduce(Int64(0)) { $0 + Int64($1.duration) }
        guard millis > 0 else { return nil }
        let bytes = recent.reduce(Int64(0)) { $0 + $1.bytes }
        return Double(bytes) * 8 / Double(millis) // bits per millisecond = kbit/s
    }
}
