// Benchmark (not a test): what the uplink's outbox costs on this machine's disk.
//   bench/uplink-bench.sh [--folder DIR] [--appends N] [--queued N]
// Prints figures: append latency (each append is written and fsync'd), opening an outbox that
// holds a long outage's backlog, and thinning it when over its bound.
import Foundation
import KuzetProtocol
import KuzetUplink

func option(_ name: String, default value: Int) -> Int {
    let arguments = CommandLine.arguments
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count,
        let number = Int(arguments[index + 1])
    else { return value }
    return number
}

let arguments = CommandLine.arguments
let base = arguments.firstIndex(of: "--folder").map { arguments[$0 + 1] } ?? NSTemporaryDirectory()
let folder = (base as NSString).appendingPathComponent("kuzet-uplink-bench-\(UUID().uuidString.prefix(8))")
defer { try? FileManager.default.removeItem(atPath: folder) }
let appends = option("--appends", default: 500)
let queued = option("--queued", default: 20_000)

/// A heartbeat of a school with 8 cameras, as the agent would send.
func heartbeat(_ sequence: UInt64) -> Heartbeat {
    let cameras = (0..<8).map {
        CameraReport(
            id: "camera-\($0)", online: true, codec: "h264", width: 1920, height: 1080, fps: 25, bitrateKbps: 4096,
            lastFrameAgeSeconds: 0.04,
            recording: .recording, push: .delivering,
            retention: RetentionReport(
                oldestFootage: Date(timeIntervalSinceNow: -31 * 86_400), achievedDays: 31, bytesUsed: 1 << 40))
    }
    return Heartbeat(
        schoolID: "KZ-AST-0042", sequence: sequence, sentAt: Date(), agentVersion: "bench", uptimeSeconds: 1,
        intervalSeconds: 30,
        cameras: cameras,
        storage: StorageReport(totalBytes: 8 << 40, freeBytes: 1 << 40, recordingsBytes: 7 << 40, projectedDays: 35),
        centre: CentreReport(maxKbps: 8000, achievedKbps: 4000))
}

func milliseconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
}

do {
    let clock = ContinuousClock()
    let outbox = try Outbox(configuration: .init(directory: folder + "/a"))
    var latencies: [Double] = []
    for _ in 0..<appends {
        let started = clock.now
        try outbox.append { heartbeat($0) }
        latencies.append(milliseconds(clock.now - started))
    }
    latencies.sort()
    let size = outbox.pending(limit: 1)[0].json.count
    print(
        String(
            format: "append+fsync (%d heartbeats of %d bytes, 8 cameras): p50 %.2f ms, p99 %.2f ms, max %.2f ms",
            appends, size, latencies[appends / 2], latencies[appends * 99 / 100], latencies[appends - 1]))

    // A long outage's backlog: written in one go (not fsync'd per line; only the read side is measured).
    let journal = folder + "/b/journal.jsonl"
    try FileManager.default.createDirectory(atPath: folder + "/b", withIntermediateDirectories: true)
    var data = Data()
    for sequence in 1...UInt64(queued) {
        data.append(try JSONEncoder.kuzetWire.encode(heartbeat(sequence)))
        data.append(UInt8(ascii: "\n"))
    }
    try data.write(to: URL(fileURLWithPath: journal))
    let openStarted = clock.now
    let backlog = try Outbox(configuration: .init(directory: folder + "/b", maxEntries: queued + 1, maxBytes: 1 << 40))
    print(
        String(
            format: "open with %d queued (%.1f MiB journal): %.0f ms", backlog.count, Double(data.count) / 1_048_576,
            milliseconds(clock.now - openStarted)))

    let thinStarted = clock.now
    let bounded = try Outbox(configuration: .init(directory: folder + "/b", maxEntries: queued / 2, maxBytes: 1 << 40))
    try bounded.append { heartbeat($0) }
    print(
        String(
            format: "open + thin %d → %d (bound %d) + rewrite: %.0f ms", queued + 1, bounded.count, queued / 2,
            milliseconds(clock.now - thinStarted)))
} catch {
    FileHandle.standardError.write(Data("uplink-bench: \(error)\n".utf8))
    exit(1)
}
