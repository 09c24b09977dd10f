import Foundation
import KuzetProtocol
import KuzetTestKit
import Testing

/// Issue 22 against the real `kuzet-registry serve` and real curl: the agent's long-poll outlives
/// the connection deadlines, and an upload survives the registry's restart mid-way.
@Suite("Commands, real registry process", .serialized, .timeLimit(.minutes(4)))
struct CommandProcessTests {
    struct Setup {
        let directory: TemporaryDirectory
        let arguments: [String]
        let school: String
        let operatorToken: String
    }

    func setUp() throws -> Setup {
        let directory = try TemporaryDirectory(prefix: "kuzet-command-process")
        let database = "sqlite:" + directory.file("registry.sqlite")
        let school = try RegistryExecutable.createToken([
            "--role", "school", "--school", "KZ-AST-0042", "--region", "Astana", "--database", database,
        ])
        let operatorToken = try RegistryExecutable.createToken([
            "--role", "operator", "--region", "Astana", "--database", database,
        ])
        #expect(operatorToken.hasPrefix("kzo_"))
        let arguments = [
            "--database", database, "--evidence-dir", directory.file("evidence"), "--header-timeout", "2",
            "--body-timeout", "5", "--idle-timeout", "3",
        ]
        return Setup(directory: directory, arguments: arguments, school: school, operatorToken: operatorToken)
    }

    func heartbeat(_ server: RegistryProcess, _ setup: Setup) throws {
        let body = String(decoding: Sample(schoolID: "KZ-AST-0042").heartbeat(1, at: Date()).json, as: UTF8.self)
        let response = try curl([
            "-H", "Authorization: Bearer \(setup.school)", "-H", "Content-Type: application/json", "--data-binary",
            body,
            server.url + "/api/v1/heartbeats",
        ])
        guard response.status == 200 else { throw TestKitError("heartbeat: \(response.status) \(response.body)") }
    }

    @Test("A long-poll longer than every connection deadline (2, 5 and 3 s) is answered after its wait, not cut")
    func pollOutlivesDeadlines() throws {
        let setup = try setUp()
        let server = try RegistryProcess(setup.arguments)
        let started = Date()
        let response = try curl([
            "-H", "Authorization: Bearer \(setup.school)", server.url + "/api/v1/agent/commands?wait=8",
        ])
        let took = Date().timeIntervalSince(started)
        #expect(response.status == 200 && response.body == #"{"commands":[]}"#, "\(response)")
        #expect(took >= 8 && took < 12, "\(took)")
    }

    @Test(
        "A registry killed mid-upload keeps the offset: after the restart HEAD gives it, the rest completes, the checksum matches"
    )
    func uploadSurvivesRestart() throws {
        let setup = try setUp()
        var server = try RegistryProcess(setup.arguments)
        try heartbeat(server, setup)
        let from = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-3 * 86_400))
        let to = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-3 * 86_400 + 600))
        let issued = try curl([
            "-H", "Authorization: Bearer \(setup.operatorToken)", "-H", "Content-Type: application/json",
            "--data-binary", #"{"kind":"clip","camera":"cam-1","from":"\#(from)","to":"\#(to)"}"#,
            server.url + "/api/v1/schools/KZ-AST-0042/commands",
        ])
        #expect(issued.status == 202, "\(issued)")
        let id = try #require(
            (try JSONSerialization.jsonObject(with: Data(issued.body.utf8)) as? [String: Any])?["id"] as? String)

        let total = 3 << 20
        var bytes = [UInt8](repeating: 0, count: total)
        for index in bytes.indices { bytes[index] = UInt8(truncatingIfNeeded: index &* 31 &+ index >> 9) }
        let sha = try sha256sum(bytes)
        let first = setup.directory.file("first.bin")
        let rest = setup.directory.file("rest.bin")
        _ = FileManager.default.createFile(atPath: first, contents: Data(bytes[0..<(1 << 20)]))
        _ = FileManager.default.createFile(atPath: rest, contents: Data(bytes[(1 << 20)...]))
        func patch(_ file: String, offset: Int) throws -> (status: Int, body: String) {
            try curl([
                "-i", "-X", "PATCH", "-H", "Authorization: Bearer \(setup.school)",
                "-H", "Content-Type: application/offset+octet-stream", "-H", "Upload-Offset: \(offset)",
                "-H", "Upload-Length: \(total)", "-H", "Kuzet-SHA256: \(sha)", "--data-binary", "@" + file,
                server.url + "/api/v1/agent/uploads/\(id)",
            ])
        }
        let answer = try patch(first, offset: 0)
        #expect(answer.status == 204 && answer.body.lowercased().contains("upload-offset: 1048576"), "\(answer)")

        server.process.stop(signal: SIGKILL)
        server = try RegistryProcess(setup.arguments)
        let head = try curl([
            "-I", "-H", "Authorization: Bearer \(setup.school)", server.url + "/api/v1/agent/uploads/\(id)",
        ])
        let offsetLine = head.body.split(separator: "\r\n").first { $0.lowercased().hasPrefix("upload-offset:") }
        #expect(head.status == 200 && offsetLine?.lowercased() == "upload-offset: 1048576", "\(head)")
        print(
            "upload across a registry restart (SIGKILL): offset after the restart \(offsetLine ?? "none") of \(total)")
        let stale = try patch(rest, offset: 0)
        #expect(stale.status == 409 && stale.body.lowercased().contains("upload-offset: 1048576"))
        let completed = try patch(rest, offset: 1 << 20)
        #expect(completed.status == 204, "\(completed)")

        let downloaded = setup.directory.file("clip.mp4")
        let clip = try curl([
            "-o", downloaded, "-H", "Authorization: Bearer \(setup.operatorToken)", server.url + "/api/v1/clips/\(id)",
        ])
        #expect(clip.status == 200)
        #expect(try sha256sum(file: downloaded) == sha)
    }
}
