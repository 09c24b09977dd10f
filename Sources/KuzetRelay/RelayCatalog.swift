import Foundation
import KuzetConfiguration
import KuzetCore
import KuzetMedia

/// Where the relay finds a camera stream's fan-out, and the SDP it serves for it.
public final class RelayCatalog: Sendable {
    /// The fan-out of a configured camera stream; nil when no such camera (or sub stream) exists.
    public let fanout: @Sendable (_ camera: String, _ stream: AgentConfiguration.Camera.StreamChoice) -> PacketFanout?
    private let descriptions = NIOLockedSDPCache()

    public init(
        fanout:
            @escaping @Sendable (_ camera: String, _ stream: AgentConfiguration.Camera.StreamChoice) -> PacketFanout?
    ) {
        self.fanout = fanout
    }

    /// A fixed set of fan-outs, keyed `camera` or `camera/sub`.
    public convenience init(fanouts: [String: PacketFanout]) {
        self.init { camera, stream in fanouts[stream == .sub ? "\(camera)/sub" : camera] }
    }

    public func availability(of path: RelayPath) -> RelayAvailability {
        guard let fanout = fanout(path.camera, path.stream) else { return .unknown }
        guard let stream = fanout.stream else { return .offline }
        guard let description = descriptions.description(for: stream, payload: path.payload, title: path.camera) else {
            return .offline
        }
        return .live(sdp: description.sdp, trackCount: description.trackCount)
    }
}

/// SDPs by stream description: made once per upstream (re)connection, not per client.
final class NIOLockedSDPCache: @unchecked Sendable {
    // @unchecked Sendable: guarded by `lock`.
    private let lock = NSLock()
    private var cache: [String: (stream: MediaStreamInfo, sdp: String, trackCount: Int)] = [:]

    func description(for stream: MediaStreamInfo, payload: RTPPacketizer.Payload, title: String) -> (
        sdp: String, trackCount: Int
    )? {
        let key = "\(ObjectIdentifier(stream).hashValue)/\(payload)/\(title)"
        if let hit = lock.withLock({ cache[key] }), hit.stream === stream { return (hit.sdp, hit.trackCount) }
        guard let packetizer = try? RTPPacketizer(stream: stream, title: title, payload: payload) else { return nil }
        let entry = (stream: stream, sdp: packetizer.sessionDescription, trackCount: packetizer.trackCount)
        lock.withLock {
            if cache.count > 64 { cache.removeAll() }
            cache[key] = entry
        }
        return (entry.sdp, entry.trackCount)
    }
}
