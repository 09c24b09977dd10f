import KuzetConfiguration
import KuzetCore
import KuzetSegmentStore

extension SegmentFormat {
    /// The segment format `storage.format` names (the configuration keeps its own spelling; the
    /// store owns what a format means on disk).
    init(_ format: AgentConfiguration.Storage.Format) {
        switch format {
        case .fmp4: self = .fmp4
        case .mpegts: self = .mpegts
        }
    }
}
