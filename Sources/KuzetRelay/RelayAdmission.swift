import NIOConcurrencyHelpers

/// The relay's caps on playing clients (`relay.max_clients`, `relay.max_clients_per_camera`):
/// a PLAY takes a place or is refused, a stop gives the place back. Checked and counted under one
/// lock, so a burst of PLAYs cannot overshoot a cap.
final class RelayAdmission: Sendable {
    enum Refusal: Sendable, Equatable {
        /// `relay.max_clients` reached: RTSP 503.
        case relayFull(limit: Int)
        /// `relay.max_clients_per_camera` reached for this camera: RTSP 453.
        case cameraFull(limit: Int)

        var status: Int {
            switch self {
            case .relayFull: 503
            case .cameraFull: 453
            }
        }
    }

    /// What ``admit(camera:)`` decided, and whether this refusal is the first since the cap was
    /// last below its limit (log it then, not for every refused client).
    struct Decision: Sendable, Equatable {
        var refusal: Refusal?
        var firstRefusal: Bool
    }

    private struct State {
        var total = 0
        var perCamera: [String: Int] = [:]
        var relayFullLogged = false
        var camerasFullLogged: Set<String> = []
    }

    let maxClients: Int
    let maxClientsPerCamera: Int
    private let state = NIOLockedValueBox(State())

    init(maxClients: Int, maxClientsPerCamera: Int) {
        self.maxClients = maxClients
        self.maxClientsPerCamera = maxClientsPerCamera
    }

    /// Takes a place for one more client of `camera`, or says why not.
    func admit(camera: String) -> Decision {
        state.withLockedValue { state in
            if state.total >= maxClients {
                defer { state.relayFullLogged = true }
                return Decision(refusal: .relayFull(limit: maxClients), firstRefusal: !state.relayFullLogged)
            }
            if state.perCamera[camera, default: 0] >= maxClientsPerCamera {
                return Decision(
                    refusal: .cameraFull(limit: maxClientsPerCamera),
                    firstRefusal: state.camerasFullLogged.insert(camera).inserted)
            }
            state.total += 1
            state.perCamera[camera, default: 0] += 1
            return Decision(refusal: nil, firstRefusal: false)
        }
    }

    /// Gives back the place of one client of `camera`.
    func release(camera: String) {
        state.withLockedValue { state in
            state.total = max(0, state.total - 1)
            let left = max(0, state.perCamera[camera, default: 0] - 1)
            state.perCamera[camera] = left == 0 ? nil : left
            if state.total < maxClients { state.relayFullLogged = false }
            if left < maxClientsPerCamera { state.camerasFullLogged.remove(camera) }
        }
    }

    var playing: Int { state.withLockedValue { $0.total } }
}
