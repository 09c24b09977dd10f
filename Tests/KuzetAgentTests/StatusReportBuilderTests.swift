import Foundation
import KuzetAgent
import KuzetConfiguration
import KuzetCore
import KuzetSegmentStore
import KuzetTestKit
import Testing

/// What the status report says of the footage on disk, with the builder's clock injected.
@Suite struct StatusReportBuilderTests {
    /// A box whose clock ran 12 h ahead and was corrected back holds footage named after "now":
    /// the status page and `kuzet_camera_footage_days` show 0 days kept, not a negative number.
    @Test func footageNamedAfterAClockCorrectedBackShowsNoDaysKeptNotNegative() throws {
        let directory = try TemporaryDirectory(prefix: "kuzet-status-report")
        let storage = directory.file("recordings")
        try FileManager.default.createDirectory(atPath: storage + "/entrance", withIntermediateDirectories: true)
        let now = Date(timeIntervalSince1970: 1_790_812_800)
        _ = FileManager.default.createFile(
            atPath: SegmentName(start: now.addingTimeInterval(12 * 3600), format: .fmp4).path(
                root: storage, camera: "entrance"),
            contents: Data([0]))
        let configuration = AgentConfiguration(
            school: .init(id: "KZ-AST-0042", name: "School No. 42", region: "Astana"), storage: .init(root: storage),
            cameras: [.init(id: "entrance", url: "rtsp://10.0.0.5/ch1")])
        let report = StatusReportBuilder(configuration: configuration, now: { now }).report(cameras: [:])
        let entrance = try #require(report.cameras.first)
        #expect(entrance.segments == 1)
        let days = entrance.daysKept ?? -1
        #expect(days == 0, "\(days) days kept")
    }
}
