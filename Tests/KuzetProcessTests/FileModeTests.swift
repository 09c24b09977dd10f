import Foundation
import KuzetTestKit
import Testing

/// What the agent writes on the box is never world-readable: footage, its folders and the
/// heartbeat outbox — also when it is started with a careless umask (here 000).
@Suite(.serialized) struct FileModeTests {
    @Test(.timeLimit(.minutes(2)))
    func recordingsAndTheOutboxAreNotWorldReadableWhateverTheUmask() throws {
        let cameras = try RTSPCameraServer(mounts: [CameraMount(path: "/cam1")])
        let directory = try TemporaryDirectory()
        let root = directory.file("rec")
        let outbox = directory.file("outbox")
        let tokenFile = directory.file("token")
        try "school-token".write(toFile: tokenFile, atomically: true, encoding: .utf8)
        let config = directory.file("agent.yaml")
        try """
        school: { id: KZ-TEST-MODES }
        storage: { root: \(root), segment_seconds: 2 }
        registry: { url: "http://127.0.0.1:\(freeLoopbackPort())/api/v1/heartbeats", token_file: \(tokenFile), outbox: \(outbox), interval_seconds: 1 }
        cameras:
          - id: cam1
            url: \(cameras.url(for: "/cam1"))
        """.write(toFile: config, atomically: true, encoding: .utf8)

        let agent = try ExternalProcess(
            "/bin/sh", ["-c", "umask 000; exec \"$0\" \"$@\"", BuiltExecutable.agent, "run", "--config", config],
            name: "agent", logDirectory: directory.path)
        #expect(
            eventually(timeout: 30) { RecordingChecks.fileNames(root: root, camera: "cam1").count >= 2 },
            "\(agent.output.suffix(2000))")
        #expect(
            eventually(timeout: 15) { !((try? FileManager.default.contentsOfDirectory(atPath: outbox)) ?? []).isEmpty })
        agent.stop()

        let created = [root, root + "/cam1", outbox] + files(in: root + "/cam1") + files(in: outbox)
        #expect(created.count >= 5)
        for path in created {
            let mode = try #require(FileManager.default.attributesOfItem(atPath: path)[.posixPermissions] as? Int)
            #expect(mode & 0o007 == 0, "\(path) is \(String(mode, radix: 8)): others may read it")
            #expect(mode & 0o020 == 0, "\(path) is \(String(mode, radix: 8)): the group may write it")
        }
    }

    private func files(in folder: String) -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).map { folder + "/" + $0 }
    }
}
