import Foundation
import KuzetTestKit

/// Starts `kuzet-uplink-harness` (the uplink alone, built with the package) as a real process.
enum Harness {
    static var executable: String {
        let besideTests = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("kuzet-uplink-harness").path
        if FileManager.default.isExecutableFile(atPath: besideTests) { return besideTests }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent()
        return root.appendingPathComponent(".build/debug/kuzet-uplink-harness").path
    }

    static func start(
        config: String, intervalMilliseconds: Int, backoffCapMilliseconds: Int, logDirectory: String,
        environment: [String: String]? = nil
    ) throws -> ExternalProcess {
        guard FileManager.default.isExecutableFile(atPath: executable) else {
            throw TestKitError("\(executable) is missing: build it with `swift build --build-tests`")
        }
        let (launcher, arguments) = DiesWithTheTest.wrap(
            executable,
            [
                "--config", config, "--interval-ms", "\(intervalMilliseconds)", "--backoff-cap-ms",
                "\(backoffCapMilliseconds)",
            ])
        return try ExternalProcess(
            launcher, arguments, name: "uplink-harness", environment: environment, logDirectory: logDirectory)
    }

    /// An agent configuration file for the harness.
    static func writeConfig(to path: String, registryURL: String, tokenFile: String, caFile: String, outbox: String)
        throws
    {
        let yaml = """
            school: { id: \(Fixtures.school), name: "School No. 42", region: Astana }
            storage:
              root: \(outbox)/../recordings
            registry:
              url: \(registryURL)
              token_file: \(tokenFile)
              ca_file: \(caFile)
              interval_seconds: 1
              outbox: \(outbox)
            cameras:
              - id: entrance
                url: rtsp://127.0.0.1:8554/entrance
            """
        try yaml.write(toFile: path, atomically: true, encoding: .utf8)
    }
}
