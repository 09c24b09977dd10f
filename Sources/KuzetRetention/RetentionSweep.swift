import Foundation
import KuzetCore

/// What one sweep did.
public struct RetentionSweep: Sendable, Equatable {
    public var at: Date
    /// Segments deleted because they were older than `retention.days`.
    public var expiredFiles = 0
    public var expiredBytes: Int64 = 0
    /// Segments deleted because free space was below the reserve.
    public var pressureFiles = 0
    public var pressureBytes: Int64 = 0
    /// Empty folders of cameras no longer recorded that were removed.
    public var prunedFolders: [String] = []
    /// Files that could not be deleted (kept in the index; tried again next sweep).
    public var failures = 0
    /// Age-based deletion was held back: the wall clock was not trusted (``ClockTrust``).
    public var ageDeletionHeld = false
    /// How long the sweep took, seconds.
    public var duration: Double = 0

    public var deletedFiles: Int { expiredFiles + pressureFiles }
    public var deletedBytes: Int64 { expiredBytes + pressureBytes }
}
