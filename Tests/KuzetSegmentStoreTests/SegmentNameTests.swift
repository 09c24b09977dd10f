import Foundation
import KuzetSegmentStore
import Testing

/// How a segment file is named on disk. Existing stores are read and swept by these names: a
/// change here is a change of the on-disk format (see docs/architecture.md, "Where to change").
@Suite struct SegmentNameTests {
    @Test func aNameCarriesItsUTCStartAndRoundTrips() throws {
        let start = Date(timeIntervalSince1970: 1_795_425_300.25) // 2026-11-23T09:15:00.250Z
        let name = SegmentName(start: start, format: .fmp4)
        #expect(name.fileName == "2026-11-23T09-15-00.250Z.mp4")
        #expect(SegmentName(fileName: name.fileName) == name)
    }

    @Test func anMPEGTSSegmentEndsInTs() {
        let name = SegmentName(start: Date(timeIntervalSince1970: 1_795_425_300), format: .mpegts)
        #expect(name.fileName == "2026-11-23T09-15-00.000Z.ts")
        #expect(SegmentName(fileName: "2026-11-23T09-15-00.000Z.ts") == name)
    }

    @Test func foreignFilesDoNotParse() {
        for name in ["notes.txt", "2026-11-23T09-15-00.250Z.avi", "2026-13-23T09-15-00.250Z.mp4", "x.250Z.mp4", ".mp4"]
        {
            #expect(SegmentName(fileName: name) == nil, "\(name)")
        }
    }

    @Test func aSegmentFileLivesInItsCameraFolder() {
        let file = SegmentStore(root: "/srv/recordings").file(
            camera: "entrance", name: SegmentName(start: Date(timeIntervalSince1970: 1_795_425_300.25), format: .fmp4))
        #expect(file.path == "/srv/recordings/entrance/2026-11-23T09-15-00.250Z.mp4")
        #expect(file.description == "entrance/2026-11-23T09-15-00.250Z.mp4")
    }
}
