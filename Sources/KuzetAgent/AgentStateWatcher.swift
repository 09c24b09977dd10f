import Foundation
import KuzetProtocol
import KuzetRecorder
import Logging
import ServiceLifecycle

/// Looks at the media side once a second and turns changes into events (a camera went offline,
/// came back, the push to the ЦОУ failed or recovered), so the registry hears of them within
/// seconds instead of at the next interval.
struct AgentStateWatcher: Service {
    let runtime: AgentRuntime
    let events: AgentEvents
    /// Called when something changed: the heartbeat service sends a heartbeat soon.
    let changed: @Sendable () -> Void
    let logger: Logger

    func run() async throws {
        var previous = Self.facts(runtime.snapshot())
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .seconds(1))
            let current = Self.facts(runtime.snapshot())
            let found = Self.changes(from: previous, to: current, at: Date())
            previous = current
            guard !found.isEmpty else { continue }
            for event in found {
                events.append(event)
                logger.notice(
                    "\(event.message)",
                    metadata: ["camera.id": .string(event.camera ?? "-"), "event": .string(event.kind.rawValue)])
            }
            changed()
        }
    }

    /// What the watcher compares: per camera, is its recorded (or first) stream online, is its push connected.
    struct Facts: Equatable {
        var online: [String: Bool] = [:]
        var pushConnected: [String: Bool] = [:]
    }

    static func facts(_ state: AgentState) -> Facts {
        var facts = Facts()
        for camera in state.cameras {
            // An on-demand camera closed because nobody watches (`idle`) is not offline.
            facts.online[camera.id] = camera.streams.values.contains { $0.phase == .online || $0.phase == .idle }
            if let push = camera.push { facts.pushConnected[camera.id] = push.connected }
        }
        return facts
    }

    /// Only real transitions: `connecting` at start-up is not "offline" until it fails.
    static func changes(from old: Facts, to new: Facts, at now: Date) -> [AgentEvent] {
        var events: [AgentEvent] = []
        for (camera, online) in new.online.sorted(by: { $0.key < $1.key }) where old.online[camera] != online {
            events.append(
                online
                    ? AgentEvent(at: now, kind: .cameraOnline, camera: camera, message: "camera \(camera): online")
                    : AgentEvent(
                        at: now, kind: .cameraOffline, camera: camera,
                        message: "camera \(camera): offline — no video from the camera"))
        }
        for (camera, connected) in new.pushConnected.sorted(by: { $0.key < $1.key })
        where old.pushConnected[camera] != connected {
            events.append(
                connected
                    ? AgentEvent(
                        at: now, kind: .pushRestored, camera: camera,
                        message: "camera \(camera): live push to the ЦОУ restored")
                    : AgentEvent(
                        at: now, kind: .pushFailing, camera: camera,
                        message: "camera \(camera): live push to the ЦОУ failing"))
        }
        return events
    }
}
