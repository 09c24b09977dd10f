import Foundation
import KuzetConfiguration
import KuzetMedia
import KuzetProtocol

/// One camera's picture health (issue 23): judges each sample with every check, and flags a check
/// only after `flag_after` bad samples in a row and clears it only after `clear_after` good ones,
/// so one passing shadow (or one odd keyframe) changes nothing. Pure: no clock, no I/O.
///
/// The rules, per sample (`PictureMeasures` explains the figures):
/// - `no_video`: no video keyframe came, or it did not decode. Nothing else is judged then.
/// - `dark`: level ≤ `dark_level` and deviation ≤ `dark_max_deviation` (a night scene has texture).
/// - `uniform`: not dark, and deviation ≤ `uniform_max_deviation`.
/// - On a dark or flat picture the three below are not judged (they keep their state):
/// - `frozen`: mean absolute difference from the previous sample ≤ `frozen_max_difference` while
///   the keyframe's timestamp advanced (a live camera's noise alone differs more).
/// - `blurred`: sharpness < `blur_ratio` × the camera's baseline (the mean of its first 3 good
///   samples, then followed slowly — 1/10 per good sample — so lighting over a day moves it).
/// - `moved`: similarity of the layout to the reference picture's < `moved_min_similarity`.
public struct PictureHealthJudge: Sendable {
    public enum Observation: Sendable {
        case picture(GreyPicture, presentationSeconds: Double?)
        case noVideo
    }

    /// What one sample changed, for an event.
    public struct Change: Sendable, Equatable {
        public var flagged: [PictureCheck]
        public var cleared: [PictureCheck]
    }

    public static let baselineSamples = 3
    static let baselineFollow = 0.1

    public let settings: AgentConfiguration.Health
    public private(set) var state: CameraHealthReport.State = .unknown
    public private(set) var since: Date
    public private(set) var checkedAt: Date?
    public private(set) var flagged: Set<PictureCheck> = []
    public private(set) var lastMeasures: PictureMeasures?
    /// The last sample's verdict per check: true bad, false good; absent when not judged.
    public private(set) var lastVerdicts: [PictureCheck: Bool] = [:]
    public private(set) var baselineSharpness: Double?
    /// The reference picture's layout (`PictureMeasures.layout`); nil until one is taken.
    public var reference: [Double]?
    private var baselineCount = 0
    private var bad: [PictureCheck: Int] = [:]
    private var good: [PictureCheck: Int] = [:]
    private var previous: (picture: GreyPicture, seconds: Double?)?

    public init(settings: AgentConfiguration.Health, startedAt: Date) {
        self.settings = settings
        self.since = startedAt
    }

    public var report: CameraHealthReport {
        CameraHealthReport(state: state, reasons: flagged.sorted(), since: since, checkedAt: checkedAt)
    }

    /// Whether `measures` may serve as a reference picture (not dark, not flat).
    public func isUsableReference(_ measures: PictureMeasures) -> Bool {
        !isDark(measures) && measures.deviation > settings.uniformMaxDeviation
    }

    /// Forgets the reference (and so any `moved` flag); the next usable sample becomes the new one.
    public mutating func resetReference(at now: Date) {
        reference = nil
        bad[.moved] = nil
        good[.moved] = nil
        if flagged.remove(.moved) != nil { updateState(at: now) }
    }

    /// Judges one sample taken at `now`.
    @discardableResult
    public mutating func judge(_ observation: Observation, at now: Date) -> Change {
        var verdicts: [PictureCheck: Bool] = [:]
        switch observation {
        case .noVideo:
            verdicts[.noVideo] = true
            lastMeasures = nil
            previous = nil
        case .picture(let picture, let seconds):
            let measures = PictureMeasures(picture)
            lastMeasures = measures
            verdicts[.noVideo] = false
            let dark = isDark(measures)
            let uniform = !dark && measures.deviation <= settings.uniformMaxDeviation
            verdicts[.dark] = dark
            verdicts[.uniform] = uniform
            if !dark && !uniform {
                if let previous, let difference = PictureMeasures.difference(previous.picture, picture),
                    Self.advanced(from: previous.seconds, to: seconds)
                {
                    verdicts[.frozen] = difference <= settings.frozenMaxDifference
                }
                if let baseline = baselineSharpness, baselineCount >= Self.baselineSamples {
                    verdicts[.blurred] = measures.sharpness < settings.blurRatio * baseline
                }
                if let reference {
                    verdicts[.moved] =
                        PictureMeasures.similarity(reference, measures.layout) < settings.movedMinSimilarity
                }
                if !verdicts.values.contains(true) { learnSharpness(measures.sharpness) }
            }
            previous = (picture, seconds)
        }
        lastVerdicts = verdicts
        checkedAt = now
        var change = Change(flagged: [], cleared: [])
        for check in PictureCheck.allCases {
            guard let isBad = verdicts[check] else { continue }
            if isBad {
                bad[check, default: 0] += 1
                good[check] = 0
                if bad[check, default: 0] >= settings.flagAfter && flagged.insert(check).inserted {
                    change.flagged.append(check)
                }
            } else {
                good[check, default: 0] += 1
                bad[check] = 0
                if good[check, default: 0] >= settings.clearAfter && flagged.remove(check) != nil {
                    change.cleared.append(check)
                }
            }
        }
        updateState(at: now)
        return change
    }

    private func isDark(_ measures: PictureMeasures) -> Bool {
        measures.level <= settings.darkLevel && measures.deviation <= settings.darkMaxDeviation
    }

    private mutating func learnSharpness(_ sharpness: Double) {
        if baselineCount < Self.baselineSamples {
            let total = (baselineSharpness ?? 0) * Double(baselineCount) + sharpness
            baselineCount += 1
            baselineSharpness = total / Double(baselineCount)
        } else if let baseline = baselineSharpness {
            baselineSharpness = baseline + Self.baselineFollow * (sharpness - baseline)
        }
    }

    private mutating func updateState(at now: Date) {
        let next: CameraHealthReport.State = flagged.isEmpty ? .ok : .flagged
        if next != state {
            state = next
            since = now
        }
    }

    /// A frozen picture only counts while time moves on: a missing timestamp counts as moving on
    /// (the wall clock did); a timestamp that went back (a reconnect) does not.
    static func advanced(from previous: Double?, to current: Double?) -> Bool {
        guard let previous, let current else { return true }
        return current > previous
    }
}
