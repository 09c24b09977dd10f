import KuzetMedia
import Testing

@Suite struct TimestampRepairTests {
    let timeBase: (numerator: Int32, denominator: Int32) = (1, 90_000)

    /// The outcomes of writing each value as both DTS and PTS.
    func straight(_ values: [Int64]) -> [TimestampRepair.Outcome] { values.map { .write(dts: $0, pts: $0) } }

    func writes(_ repair: inout TimestampRepair, _ dtsValues: [Int64?]) -> [TimestampRepair.Outcome] {
        dtsValues.map { repair.repair(track: 0, dts: $0, pts: $0, duration: 3600, timeBase: timeBase) }
    }

    @Test func increasingTimestampsPassUnchanged() {
        var repair = TimestampRepair()
        let outcomes = writes(&repair, [0, 3600, 7200, 10800])
        #expect(outcomes == straight([0, 3600, 7200, 10800]))
        #expect(repair.repairedCount == 0)
    }

    @Test func aRepeatedOrBackwardDTSBecomesStrictlyIncreasing() {
        var repair = TimestampRepair()
        let outcomes = writes(&repair, [0, 3600, 3600, 1000, 10800])
        #expect(outcomes == straight([0, 3600, 7200, 10800, 14400]))
        #expect(repair.repairedCount == 3)
    }

    @Test func aSingleFrameHoursOffIsPulledBackInLine() {
        var repair = TimestampRepair()
        let threeHours: Int64 = 3 * 3600 * 90_000
        let outcomes = writes(&repair, [0, 3600, threeHours, 10800])
        #expect(outcomes == straight([0, 3600, 7200, 10800]))
    }

    @Test func aCameraClockJumpIsADiscontinuity() {
        var repair = TimestampRepair()
        let jump: Int64 = 600 * 90_000
        let outcomes = writes(&repair, [0, 3600, jump, jump + 3600])
        #expect(outcomes.last == .discontinuity)
        repair.reset()
        #expect(writes(&repair, [jump + 3600]) == straight([jump + 3600]))
    }

    @Test func missingTimestampsContinueFromTheLastFrameInterval() {
        var repair = TimestampRepair()
        let outcomes = writes(&repair, [0, 3600, nil, nil])
        #expect(outcomes == straight([0, 3600, 7200, 10800]))
    }

    @Test func presentationTimeNeverPrecedesDecodingTime() {
        var repair = TimestampRepair()
        _ = repair.repair(track: 0, dts: 0, pts: 0, duration: 3600, timeBase: timeBase)
        let outcome = repair.repair(track: 0, dts: 0, pts: 0, duration: 3600, timeBase: timeBase)
        guard case .write(let dts, let pts) = outcome else {
            Issue.record("expected a write")
            return
        }
        #expect(dts > 0 && pts >= dts)
    }
}
