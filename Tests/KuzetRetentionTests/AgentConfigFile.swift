import Foundation

/// Writes an agent configuration for the `kuzet-agent` command tests.
func writeAgentConfig(
    to path: String, root: String, cameras: [(id: String, url: String, subURL: String?, record: String)],
    retentionDays: Int = 30,
    segmentSeconds: Int = 60
) throws {
    var yaml = """
        school: { id: KZ-AST-0042, name: "School No. 42", region: Astana }
        storage:
          root: \(root)
          segment_seconds: \(segmentSeconds)
        retention:
          days: \(retentionDays)
          min_free_percent: 5
        cameras:

        """
    for camera in cameras {
        yaml += "  - id: \(camera.id)\n    url: \(camera.url)\n    record: \(camera.record)\n"
        if let sub = camera.subURL { yaml += "    sub_url: \(sub)\n" }
    }
    try yaml.write(toFile: path, atomically: true, encoding: .utf8)
}

func iso(_ date: Date) -> String { ISO8601DateFormatter().string(from: date) }
