import Foundation
import KuzetTestKit
import Testing

/// Issue 23, must-show 2's registry half and 4's pictures, end to end: the real `kuzet-agent run`
/// watching real scene cameras reports to the real `kuzet-registry serve` (SQLite), which shows
/// CAMERA_OBSTRUCTED with the camera and its reason while a camera is black, clears it when the
/// normal scene returns, and serves the camera's latest thumbnail to the region's viewer only.
@Suite(.serialized) struct PictureHealthRegistryTests {
    /// `GET url` with a bearer token: (HTTP status, body).
    static func get(_ url: String, token: String) throws -> (status: Int, body: String) {
        let marker = "\n--kuzet-status:"
        // A picture's bytes are not text: only its status is read.
        let discard = url.hasSuffix("/thumbnail") ? ["-o", "/dev/null"] : []
        let (_, output) = try run(
            "curl",
            ["-sS", "--max-time", "10", "-H", "Authorization: Bearer \(token)", "-w", "\(marker)%{http_code}"]
                + discard + [url],
            timeout: 20)
        guard let range = output.range(of: marker, options: .backwards) else { return (0, output) }
        return (
            Int(output[range.upperBound...].trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0,
            String(output[..<range.lowerBound])
        )
    }

    static func registry(_ arguments: [String]) throws -> String {
        let (status, output) = try run(try BuiltExecutable.path("kuzet-registry"), arguments, timeout: 60)
        guard status == 0, let last = output.split(separator: "\n").last else {
            throw TestKitError("kuzet-registry \(arguments.first ?? ""): \(status) \(output)")
        }
        return String(last).trimmingCharacters(in: .whitespaces)
    }

    /// The camera's flags and health reasons as the registry's API shows them.
    static func camera(_ id: String, in body: String) -> (flags: [String], state: String?, reasons: [String])? {
        guard let object = try? JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any],
            let camera = (object["cameras"] as? [[String: Any]])?.first(where: { $0["id"] as? String == id })
        else { return nil }
        let flags = (camera["flags"] as? [[String: Any]] ?? []).compactMap { $0["flag"] as? String }
        let health = camera["health"] as? [String: Any]
        return (flags, health?["state"] as? String, health?["reasons"] as? [String] ?? [])
    }

    @Test(.timeLimit(.minutes(8)))
    func blackCameraIsObstructedInTheRegistryAndItsPictureFollowsRegions() throws {
        let directory = try TemporaryDirectory()
        let database = "sqlite:" + directory.file("registry.sqlite")
        let schoolToken = try Self.registry([
            "token", "create", "--role", "school", "--school", "KZ-AST-0023", "--name", "School 23", "--region",
            "Astana", "--database", database,
        ])
        let astana = try Self.registry([
            "token", "create", "--role", "viewer", "--region", "Astana", "--database", database,
        ])
        let almaty = try Self.registry([
            "token", "create", "--role", "viewer", "--region", "Almaty", "--database", database,
        ])
        let server = try ExternalProcess(
            try BuiltExecutable.path("kuzet-registry"), ["serve", "--listen", "127.0.0.1:0", "--database", database],
            name: "registry", logDirectory: directory.path)
        defer { server.stop() }
        var base: String?
        _ = eventually(timeout: 30) {
            base = server.output.split(separator: "\n").first { $0.hasPrefix("kuzet-registry listening on ") }
                .map { String($0.dropFirst("kuzet-registry listening on ".count)).trimmingCharacters(in: .whitespaces) }
            return base != nil
        }
        let registry = try #require(base, "\(server.output.suffix(1000))")
        try schoolToken.write(toFile: directory.file("school.token"), atomically: true, encoding: .utf8)

        let cameras = try SceneCamera(mounts: [.init(path: "/cam-a"), .init(path: "/cam-b")])
        let yaml = """
            school: { id: KZ-AST-0023, name: School 23, region: Astana }
            storage: { root: \(directory.file("rec")), segment_seconds: 10 }
            health: { interval_seconds: 5, thumbnail_minutes: 1, state_dir: \(directory.file("health")) }
            registry: { url: "\(registry)/api/v1/heartbeats", token_file: \(directory.file("school.token")), interval_seconds: 5 }
            cameras:
              - id: cam-a
                url: \(cameras.url(for: "/cam-a"))
              - id: cam-b
                url: \(cameras.url(for: "/cam-b"))

            """
        try yaml.write(toFile: directory.file("agent.yaml"), atomically: true, encoding: .utf8)
        let agent = try ExternalProcess(
            BuiltExecutable.agent, ["run", "--config", directory.file("agent.yaml")], name: "agent",
            logDirectory: directory.path)
        defer { agent.stop() }
        let school = registry + "/api/v1/schools/KZ-AST-0023"
        let thumbnail = school + "/cameras/cam-a/thumbnail"
        func report() -> String { (try? Self.get(school, token: astana).body) ?? "" }

        // Both cameras judged and a thumbnail of cam-a kept.
        let healthy = eventually(timeout: 120) {
            // (a new box is also RETENTION_BELOW_MINIMUM: only the picture's flag counts here)
            Self.camera("cam-a", in: report()).map { $0.state == "ok" && !$0.flags.contains("CAMERA_OBSTRUCTED") }
                == true && (try? Self.get(thumbnail, token: astana).status) == 200
        }
        #expect(healthy, "\(report().prefix(1500)) \(agent.output.suffix(2000))")
        guard healthy else { return }

        try cameras.show(.black, on: "/cam-a")
        let flagged = Date()
        let obstructed = eventually(timeout: 60) {
            let camera = Self.camera("cam-a", in: report())
            return camera?.flags.contains("CAMERA_OBSTRUCTED") == true && camera?.reasons == ["dark"]
        }
        #expect(obstructed, "cam-a black: \(report().prefix(2000))")
        print("registry: cam-a black → CAMERA_OBSTRUCTED (dark) after \(Int(Date().timeIntervalSince(flagged))) s")
        #expect(report().contains("\"CAMERA_OBSTRUCTED\""))
        #expect(Self.camera("cam-b", in: report())?.flags.contains("CAMERA_OBSTRUCTED") == false)

        try cameras.show(.normal, on: "/cam-a")
        let restored = Date()
        let cleared = eventually(timeout: 60) {
            Self.camera("cam-a", in: report()).map { !$0.flags.contains("CAMERA_OBSTRUCTED") } == true
        }
        #expect(cleared, "cam-a normal again: \(report().prefix(2000))")
        print("registry: cam-a normal → cleared after \(Int(Date().timeIntervalSince(restored))) s")

        let picture = try Self.get(thumbnail, token: astana)
        #expect(picture.status == 200)
        #expect(try Self.get(thumbnail, token: almaty).status == 404, "another region's viewer is refused")
    }
}
