import Foundation
import KuzetProtocol
import KuzetRegistry
import Testing

/// Issue 22: a `record: false` camera closed because nobody watches it reports `online: false`
/// with `idle_on_demand: true`; that is not OFFLINE. Without the mark it is.
@Suite("On-demand camera flags")
struct OnDemandCameraFlagTests {
    let now = Date(timeIntervalSince1970: 1_790_000_000)

    func cameraFlags(idleOnDemand: Bool?) -> [SchoolFlag] {
        var heartbeat = Sample(schoolID: "A").heartbeat(1, at: now)
        heartbeat.cameras[0].online = false
        heartbeat.cameras[0].recording = .disabled
        heartbeat.cameras[0].idleOnDemand = idleOnDemand
        let state = SchoolState.applying(heartbeat, to: nil, skewSeconds: 0, policy: FlagPolicy())
        return state.cameras[0].flags.map(\.flag)
    }

    @Test("a camera idle on demand is not OFFLINE")
    func idleIsNotOffline() { #expect(cameraFlags(idleOnDemand: true) == []) }

    @Test("a camera without video that is not idle on demand is OFFLINE")
    func notIdleIsOffline() { #expect(cameraFlags(idleOnDemand: nil) == [.offline]) }
}
