/// A problem in the status report as a code and the values it names, so the status page can word
/// it in the viewer's language (the catalogue's `problem.<code>`); `problems` keeps the English
/// words for the API and `kuzet-agent status`.
public struct StatusProblem: Codable, Sendable, Equatable {
    public enum Code: String, Codable, Sendable, CaseIterable {
        /// Free space below `retention.min_free_percent` (`root`, `free`, `minimum`).
        case storageLow = "storage_low"
        /// `storage.root` cannot be read (`root`).
        case storageUnreadable = "storage_unreadable"
        /// Heartbeats are not delivered (`waiting`).
        case registryFailing = "registry_failing"
        /// No video from a camera (`camera`; `seconds` when a frame was ever seen).
        case noVideo = "no_video"
        case noVideoFor = "no_video_for"
        /// Still connecting (`camera`).
        case connecting
        /// Live but not recorded.
        case notRecorded = "not_recorded"
        /// Picture health flagged (`camera`, `reasons`: the checks' names, comma-separated). Issue 23.
        case pictureFlagged = "picture_flagged"
    }

    public var code: Code
    public var values: [String: String]
    /// The device's or library's own words for the failure (credentials masked), shown as given.
    public var reason: String?

    public init(_ code: Code, _ values: [String: String] = [:], reason: String? = nil) {
        self.code = code
        self.values = values
        self.reason = reason
    }
}
