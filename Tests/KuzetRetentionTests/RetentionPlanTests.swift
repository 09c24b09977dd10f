import Foundation
import KuzetCore
import Testing

/// The pure planning behind `check` (KuzetCore): projection, reserve, and which cameras to switch.
@Suite struct RetentionPlanTests {
    // 10 TB disk, 5 % kept free; 16 cameras at 4 Mbit/s is the 20.7 TB example.
    let space = RetentionSpace(
        totalBytes: 10_000_000_000_000, freeBytes: 10_000_000_000_000, recordingsBytes: 0, minFreePercent: 5)

    @Test func sixteenCamerasAtFourMegabitsNeedAbout20TerabytesFor30Days() {
        let projection = RetentionProjection(space: space, bitsPerSecond: 16 * 4_000_000, requiredDays: 30)
        #expect(!projection.isCompliant)
        let days = projection.projectedDays ?? 0
        #expect(abs(days - 9_500_000_000_000 / (8_000_000 * 86_400)) < 0.001)
        // 30 days at 64 Mbit/s = 20.736 TB; the disk offers 9.5 TB.
        #expect(abs(Double(projection.missingBytes) - (20_736_000_000_000 - 9_500_000_000_000)) < 2)
    }

    @Test func theReserveIsAnHourOfWritingWhenThatIsMoreThanMinFreePercent() {
        let small = RetentionSpace(
            totalBytes: 100_000_000_000, freeBytes: 50_000_000_000, recordingsBytes: 40_000_000_000, minFreePercent: 5)
        #expect(small.reserveBytes(atBitsPerSecond: 0) == 5_000_000_000)
        #expect(small.reserveBytes(atBitsPerSecond: 64_000_000) == 28_800_000_000)
        #expect(small.usableBytes(atBitsPerSecond: 64_000_000) == 90_000_000_000 - 28_800_000_000)
    }

    @Test func thePlanSwitchesTheBiggestSavingsFirstAndStopsWhenThirtyDaysFit() {
        let cameras = (1...16).map { index in
            RetentionPlan.CameraRates(
                camera: "cam-\(index)", recorded: .main, mainKbps: index <= 4 ? 8000 : 3000, subKbps: 500)
        }
        let plan = RetentionPlan.make(cameras: cameras, space: space, requiredDays: 30)
        #expect(plan.reachesTarget)
        #expect((plan.projection.projectedDays ?? 0) >= 30)
        #expect(Array(plan.switches.prefix(4)).map(\.camera).sorted() == ["cam-1", "cam-2", "cam-3", "cam-4"])
        // One switch fewer would not reach 30 days.
        let allMain = cameras.reduce(0.0) { $0 + ($1.mainKbps ?? 0) * 1000 }
        let fewer = allMain - plan.switches.dropLast().reduce(0.0) { $0 + ($1.mainKbps - $1.subKbps) * 1000 }
        #expect(!RetentionProjection(space: space, bitsPerSecond: fewer, requiredDays: 30).isCompliant)
    }

    @Test func whenEvenEverySubStreamIsNotEnoughThePlanSaysHowMuchDiskToAdd() {
        let cameras = (1...16).map {
            RetentionPlan.CameraRates(camera: "cam-\($0)", recorded: .main, mainKbps: 4000, subKbps: 3000)
        }
        let plan = RetentionPlan.make(cameras: cameras, space: space, requiredDays: 30)
        #expect(plan.switches.count == 16)
        #expect(!plan.reachesTarget)
        #expect(plan.additionalBytes == plan.projection.missingBytes)
        #expect(plan.additionalBytes > 0)
    }

    @Test func camerasWithoutAMeasuredSubStreamAreNeverSwitched() {
        let cameras = [
            RetentionPlan.CameraRates(camera: "a", recorded: .main, mainKbps: 60_000, subKbps: nil),
            RetentionPlan.CameraRates(camera: "b", recorded: .main, mainKbps: 4000, subKbps: 500),
        ]
        let plan = RetentionPlan.make(cameras: cameras, space: space, requiredDays: 30)
        #expect(plan.switches.map(\.camera) == ["b"])
    }
}
