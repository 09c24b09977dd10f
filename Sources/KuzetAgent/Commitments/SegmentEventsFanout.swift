import KuzetSegmentStore

/// Hands the recorder's segment announcements to several listeners (retention, commitments), in order.
struct SegmentEventsFanout: SegmentEvents {
    let listeners: [any SegmentEvents]

    func segmentOpened(_ segment: SegmentFile) {
        for listener in listeners { listener.segmentOpened(segment) }
    }

    func segmentClosed(_ segment: SegmentFile, bytes: Int64, duration: Double) {
        for listener in listeners { listener.segmentClosed(segment, bytes: bytes, duration: duration) }
    }
}
