import Foundation
import KuzetSegmentStore
import KuzetTestKit
import Testing

/// The store on a real folder: what it lists, and how it names a new segment.
@Suite struct SegmentStoreTests {
    let directory: TemporaryDirectory
    let store: SegmentStore
    let start = Date(timeIntervalSince1970: 1_795_425_300.25)

    init() throws {
        directory = try TemporaryDirectory()
        store = SegmentStore(root: directory.file("recordings"))
    }

    func touch(_ path: String) throws {
        try FileManager.default.createDirectory(
            atPath: (path as NSString).deletingLastPathComponent, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: path, contents: Data([0])))
    }

    @Test func aCameraListsOnlyItsSegmentsOldestFirst() throws {
        let names = [120.0, 0, 60].map { SegmentName(start: start.addingTimeInterval($0), format: .fmp4) }
        for name in names { try touch(store.file(camera: "entrance", name: name).path) }
        try touch(
            store.file(camera: "entrance", name: SegmentName(start: start.addingTimeInterval(30), format: .mpegts)).path
        )
        try touch((store.folder(camera: "entrance") as NSString).appendingPathComponent("notes.txt"))
        try touch(store.file(camera: "yard", name: names[0]).path)

        let listed = store.segments(camera: "entrance")
        #expect(listed.map(\.start) == [0.0, 30, 60, 120].map { start.addingTimeInterval($0) })
        #expect(listed.map(\.format) == [.fmp4, .mpegts, .fmp4, .fmp4])
        #expect(listed.allSatisfy { $0.camera == "entrance" && FileManager.default.fileExists(atPath: $0.path) })
        #expect(store.segments(camera: "gate").isEmpty, "no folder: no segments")
        #expect(store.segments(camera: "../yard").isEmpty, "not a camera id: never read")
    }

    @Test func aNewSegmentNeverTakesTheNameOfAFileThere() throws {
        let first = store.newSegment(camera: "entrance", start: start, format: .fmp4)
        #expect(first.start == start)
        try touch(first.path)
        let second = store.newSegment(camera: "entrance", start: start, format: .fmp4)
        #expect(second.path != first.path)
        #expect(abs(second.start.timeIntervalSince(start) - 0.001) < 0.0001, "one millisecond later")
        try touch(second.path)
        #expect(store.segments(camera: "entrance").map(\.path) == [first.path, second.path])
    }

    @Test func camerasAreTheFoldersWithACameraID() throws {
        try touch(store.file(camera: "yard", name: SegmentName(start: start, format: .fmp4)).path)
        try FileManager.default.createDirectory(
            atPath: store.folder(camera: "entrance"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(
            atPath: store.folder(camera: "Lost+Found"), withIntermediateDirectories: true)
        try touch(store.folder(camera: "notes")) // a file, not a folder
        #expect(store.cameras() == ["entrance", "yard"])
        #expect(store.hasFolder(camera: "entrance"))
        #expect(!store.hasFolder(camera: "notes"))
    }

    @Test func aScanIndexesEverySegmentAndCountsForeignFiles() throws {
        for offset in stride(from: 0.0, to: 600, by: 60) {
            try touch(
                store.file(
                    camera: "entrance", name: SegmentName(start: start.addingTimeInterval(offset), format: .fmp4)
                ).path)
        }
        try touch((store.folder(camera: "entrance") as NSString).appendingPathComponent("notes.txt"))
        try touch((store.root as NSString).appendingPathComponent(".ledger"))
        try touch((store.root as NSString).appendingPathComponent("stray"))

        let scan = StorageScan.scan(root: store.root, segmentSeconds: 60, ownFiles: [".ledger"])
        #expect(scan.segmentCount == 10)
        #expect(scan.cameras["entrance"]?.oldest?.name == SegmentName(start: start, format: .fmp4))
        #expect(
            scan.cameras["entrance"]?.newest?.name == SegmentName(start: start.addingTimeInterval(540), format: .fmp4))
        #expect(scan.foreignFiles.sorted() == ["entrance/notes.txt", "stray"])
    }

    @Test func theCommitmentsFolderIsNeitherFootageNorForeign() throws {
        try touch(store.file(camera: "entrance", name: SegmentName(start: start, format: .fmp4)).path)
        let commitments = (store.root as NSString).appendingPathComponent(SegmentStore.commitmentsFolderName)
        try touch(commitments + "/entrance/2026-11-23.journal")
        let scan = StorageScan.scan(root: store.root, segmentSeconds: 60)
        #expect(scan.segmentCount == 1)
        #expect(scan.foreignFiles.isEmpty)
        #expect(scan.cameras.keys.sorted() == ["entrance"])
        #expect(store.cameras() == ["entrance"])
    }
}
