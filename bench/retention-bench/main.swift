// Benchmark (not a test) of the retention service on a synthetic store: 30 days × 32 cameras ×
// 60 s segments (~1.4 M empty files on a tmpfs). Prints the cold-start scan time, the steady-state
// sweep (one new expired minute per camera) time, and memory. Run by bench/retention-sweep.sh.
import Foundation
import KuzetCore
import KuzetRetention
import KuzetSegmentStore
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

let arguments = CommandLine.arguments
guard arguments.count >= 3, ["create", "measure"].contains(arguments[1]) else {
    FileHandle.standardError.write(
        Data("usage: kuzet-retention-bench create|measure ROOT [CAMERAS] [DAYS] [STEADY_SWEEPS]\n".utf8))
    exit(2)
}
// `create` makes the store; `measure` (a fresh process, so its memory is the service's alone) scans and sweeps.
let mode = arguments[1]
let root = arguments[2]
let store = SegmentStore(root: root)
let cameras = arguments.count > 3 ? Int(arguments[3])! : 32
let days = arguments.count > 4 ? Int(arguments[4])! : 30
let steadySweeps = arguments.count > 5 ? Int(arguments[5])! : 20
let segmentSeconds = 60

/// Resident and peak resident memory of this process, from /proc/self/status (MB).
func memory() -> (rss: Double, peak: Double) {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    func field(_ name: String) -> Double {
        guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix(name) }) else { return 0 }
        return Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0").map {
            $0 / 1024
        } ?? 0
    }
    return (field("VmRSS:"), field("VmHWM:"))
}

/// Anonymous resident memory (heap and stacks, without mapped libraries and files), MB: `RssAnon`.
func heap() -> Double {
    let status = (try? String(contentsOfFile: "/proc/self/status", encoding: .utf8)) ?? ""
    guard let line = status.split(separator: "\n").first(where: { $0.hasPrefix("RssAnon:") }) else { return 0 }
    return Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0").map {
        $0 / 1024
    } ?? 0
}

func touch(_ path: String) {
    let fd = open(path, O_CREAT | O_WRONLY | O_CLOEXEC, 0o644)
    if fd >= 0 { close(fd) }
}

func format(_ seconds: Double) -> String { String(format: "%.3f s", seconds) }

// The store ends at `end` (the minute it was made, kept in a file); it starts a minute more than
// `days` before, so the first sweep has work.
let perCamera = days * 1440 + 1
let ids = (1...cameras).map { String(format: "cam-%02d", $0) }
let endFile = (root as NSString).deletingLastPathComponent + "/store-end"
if mode == "measure" { await measure() } else { create() }

func create() {
    let end = Date(timeIntervalSince1970: (Date().timeIntervalSince1970 / 60).rounded(.down) * 60)
    try! String(end.timeIntervalSince1970).write(toFile: endFile, atomically: true, encoding: .utf8)
    let created = Date()
    var files = 0
    for id in ids {
        try! FileManager.default.createDirectory(atPath: store.folder(camera: id), withIntermediateDirectories: true)
        for minute in 0..<perCamera {
            let start = end.addingTimeInterval(Double(minute - perCamera) * 60)
            touch(store.file(camera: id, name: SegmentName(start: start, format: .fmp4)).path)
            files += 1
        }
    }
    print(
        "store: \(cameras) cameras × \(perCamera) segments = \(files) files, created in \(format(Date().timeIntervalSince(created)))"
    )
}

func measure() async {
    let end = Date(timeIntervalSince1970: Double(try! String(contentsOfFile: endFile, encoding: .utf8))!)
    let atStart = memory()
    let heapAtStart = heap()
    print(
        String(
            format: "measuring process: RSS %.1f MB at start (Foundation, ICU and libav* mapped), anonymous %.1f MB",
            atStart.rss, heapAtStart))

    let clock = Mutex(end)
    let retention = RetentionService(
        settings: RetentionSettings(
            root: root, days: days, minFreePercent: 0.5, segmentSeconds: segmentSeconds, recordedCameras: Set(ids)),
        now: { clock.withLock { $0 } })
    let before = memory()
    let scan = await retention.scan(checkLastSegments: false)
    let afterScan = memory()
    let heapAfterScan = heap()
    print(
        "cold start scan: \(scan.segments) segments of \(scan.cameras.count) cameras in \(format(scan.duration)); RSS \(String(format: "%.1f", before.rss)) → \(String(format: "%.1f", afterScan.rss)) MB, peak \(String(format: "%.1f", afterScan.peak)) MB"
    )

    let first = await retention.sweep()
    print("first sweep (catch-up): deleted \(first.deletedFiles) in \(format(first.duration))")

    var durations: [Double] = []
    var deleted = 0
    let steadyStart = memory()
    for step in 1...steadySweeps {
        // One minute passes: every camera closes one new segment and one minute expires per camera.
        let now = end.addingTimeInterval(Double(step) * 60)
        clock.withLock { $0 = now }
        for id in ids {
            let file = store.file(camera: id, name: SegmentName(start: now.addingTimeInterval(-60), format: .fmp4))
            touch(file.path)
            retention.segmentClosed(file, bytes: 0, duration: 60)
        }
        let sweep = await retention.sweep()
        durations.append(sweep.duration)
        deleted += sweep.deletedFiles
    }
    let steadyEnd = memory()
    let heapAfterSweeps = heap()
    durations.sort()
    print(
        "steady-state sweep (\(steadySweeps) sweeps, one expired minute per camera, \(deleted) files deleted): median \(String(format: "%.3f ms", durations[durations.count / 2] * 1000)), max \(String(format: "%.3f ms", durations.last! * 1000)) — target < 1 s"
    )
    print(
        String(
            format:
                "memory: RSS %.1f MB after the scan, %.1f MB after the steady-state sweeps (sweeps grew it by %.1f MB), peak %.1f MB — target < 64 MB",
            afterScan.rss, steadyEnd.rss, steadyEnd.rss - steadyStart.rss, steadyEnd.peak))
    print(
        String(
            format:
                "anonymous memory (RssAnon): %.1f MB at start, %.1f MB with the index of the whole store, %.1f MB after the steady-state sweeps — the service's own memory",
            heapAtStart, heapAfterScan, heapAfterSweeps))
    let facts = Date()
    let report = retention.facts()
    print(
        "facts for all cameras (gaps over 30 days): \(format(Date().timeIntervalSince(facts))), \(report.cameras.count) cameras, achieved \(String(format: "%.2f", report.cameras.first?.achievedDays ?? 0)) days"
    )
}
