import Foundation
import KuzetConfiguration
import KuzetCore
import Testing

/// `health:` (issue 23): defaults, values read, and every bad value refused naming its key.
@Suite struct AgentConfigurationHealthTests {
    static let base = """
        school: { id: KZ-AST-0042 }
        storage: { root: /tmp/rec }
        cameras:
          - { id: cam1, url: "rtsp://10.0.0.5/stream" }

        """

    @Test("Without a health section picture health is on with the documented defaults")
    func defaults() throws {
        let health = try AgentConfiguration.parse(yaml: Self.base).health
        #expect(health == AgentConfiguration.Health())
        #expect(health.intervalSeconds == 60 && health.thumbnailMinutes == 10 && health.isEnabled)
        #expect(health.darkMaxDeviation == 5 && health.frozenMaxDifference == 0.8 && health.blurRatio == 0.4)
    }

    @Test("Every health key is read")
    func valuesAreRead() throws {
        let yaml =
            Self.base
                + """
                health: { interval_seconds: 0, thumbnail_minutes: 0, flag_after: 3, clear_after: 4, dark_level: 30,
                          dark_max_deviation: 4, uniform_max_deviation: 7, frozen_max_difference: 1.5, blur_ratio: 0.3,
                          moved_min_similarity: 0.6, state_dir: /srv/health }
                """
        let health = try AgentConfiguration.parse(yaml: yaml).health
        #expect(!health.isEnabled && health.thumbnailMinutes == 0 && health.flagAfter == 3 && health.clearAfter == 4)
        #expect(health.darkLevel == 30 && health.darkMaxDeviation == 4 && health.uniformMaxDeviation == 7)
        #expect(health.frozenMaxDifference == 1.5 && health.blurRatio == 0.3 && health.movedMinSimilarity == 0.6)
        #expect(health.stateDirectory == "/srv/health")
    }

    @Test(
        "A bad health value is refused naming the key",
        arguments: [
            ("interval_seconds: 1", "health.interval_seconds"), ("interval_seconds: 5000", "health.interval_seconds"),
            ("thumbnail_minutes: -1", "health.thumbnail_minutes"), ("flag_after: 0", "health.flag_after"),
            ("blur_ratio: 2", "health.blur_ratio"), ("dark_level: lots", "health.dark_level"),
            ("moved_min_similarity: .nan", "health.moved_min_similarity"), ("colour: red", "health.colour"),
        ])
    func badValueIsRefused(line: String, key: String) throws {
        let yaml = Self.base + "health: { \(line) }\n"
        #expect {
            _ = try AgentConfiguration.parse(yaml: yaml)
        } throws: { error in
            (error as? ConfigurationError)?.problems.contains { $0.key == key } == true
        }
    }
}
