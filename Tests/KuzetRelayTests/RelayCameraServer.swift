import Foundation
import KuzetTestKit

/// The harness's real gst-rtsp-server camera (`scripts/testing/rtsp_camera_server.py`), with
/// the per-mount session counts it keeps — to show the camera sees one session however many
/// clients pull through the relay.
// @unchecked Sendable: its fields are set in init and only read afterwards.
final class RelayCameraServer: @unchecked Sendable {
    let process: ExternalProcess
    let port: Int
    let statusFile: String

    init(directory: TemporaryDirectory, mount: String) throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/testing/rtsp_camera_server.py").path
        port = freeLoopbackPort()
        statusFile = directory.file("camera-status.json")
        process = try ExternalProcess(
            "/usr/bin/python3", [script, "--port", "\(port)", "--mount", mount, "--status-file", statusFile],
            name: "camera-server")
        guard eventually(timeout: 120, { process.output.contains("READY port=") || !process.isRunning }),
            process.isRunning
        else {
            process.stop()
            throw TestKitError("camera server did not start: \(process.output)")
        }
    }

    /// Sessions the camera holds now on `mount`.
    func sessions(mount: String) -> Int {
        guard let data = FileManager.default.contents(atPath: statusFile),
            let json = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
            let mounts = json["mounts"] as? [String: [String: Any]], let entry = mounts[mount]
        else { return 0 }
        return entry["sessions"] as? Int ?? 0
    }

    func stop() { process.stop() }
    deinit { process.stop() }
}
