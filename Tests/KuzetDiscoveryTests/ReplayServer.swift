import Foundation
import KuzetDiscovery
import KuzetTestKit

/// scripts/testing/onvif_replay_server.py serving one recorded device on a free loopback port.
struct ReplayServer {
    static let username = "admin"
    static let password = "Kz-Replay-77"

    let process: ExternalProcess
    let port: Int

    init(
        device: String, auth: String = "ws-digest", clockOffsetHours: Double = 0, streamHost: String? = nil,
        extraProfiles: Int = 0
    ) throws {
        port = freeLoopbackPort()
        process = try ExternalProcess(
            "python3",
            [
                TestSupport.script("onvif_replay_server.py"), "--port", "\(port)", "--fixtures",
                TestSupport.fixture(device),
                "--user", Self.username, "--password", Self.password, "--auth", auth, "--clock-offset-hours",
                "\(clockOffsetHours)",
            ]
                + (streamHost.map { ["--stream-host", $0] } ?? []) + ["--extra-profiles", "\(extraProfiles)"],
            name: "onvif-replay-\(device)")
        try TestSupport.waitUntilReady(process)
    }

    var deviceURL: String { "http://127.0.0.1:\(port)/onvif/device_service" }
    func url(_ path: String) -> String { "http://127.0.0.1:\(port)\(path)" }

    static let credentials = DeviceCredentials(username: username, password: password)

    /// The `SEEN` lines: what authentication each request carried.
    var seen: [String] { process.output.split(separator: "\n").filter { $0.hasPrefix("SEEN ") }.map(String.init) }
    /// Whether any request carried the password in plain text (HTTP Basic or WS-Security PasswordText).
    var receivedPlaintextPassword: Bool {
        seen.contains { $0.contains("authorization=Basic") || $0.contains("wsse=PasswordText") }
    }

    func stop() { process.stop() }
}
