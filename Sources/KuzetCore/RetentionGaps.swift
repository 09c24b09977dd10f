/// Finds the holes in a camera's footage: the parts of a window that no segment covers.
public enum RetentionGaps {
    /// Gaps inside `window` between consecutive covered intervals, each longer than `tolerance`.
    ///
    /// - Parameters:
    ///   - intervals: covered intervals in milliseconds since 1970, sorted by start (overlaps allowed).
    ///   - window: the interval looked at; the part before the first footage is not a gap (it is
    ///     what "achieved days" says), the part after the last footage is, unless `openUntilEnd`.
    ///   - openUntilEnd: a segment is being written now, so footage reaches the window's end.
    /// - Returns: gaps in milliseconds, oldest first.
    public static func find(
        intervals: some Sequence<(start: Int64, end: Int64)>, window: Range<Int64>, tolerance: Int64, openUntilEnd: Bool
    ) -> [Range<Int64>] {
        var gaps: [Range<Int64>] = []
        var coveredUntil: Int64? = nil
        for interval in intervals where interval.end > window.lowerBound && interval.start < window.upperBound {
            if let until = coveredUntil {
                if interval.start - until > tolerance { gaps.append(until..<min(interval.start, window.upperBound)) }
                coveredUntil = max(until, interval.end)
            } else {
                coveredUntil = interval.end
            }
        }
        if let until = coveredUntil, !openUntilEnd, window.upperBound - until > tolerance {
            gaps.append(until..<window.upperBound)
        }
        return gaps
    }
}
