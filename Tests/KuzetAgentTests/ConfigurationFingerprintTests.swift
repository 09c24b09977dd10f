import Foundation
import KuzetAgent
import KuzetConfiguration
import KuzetCore
import Testing

@Suite struct ConfigurationFingerprintTests {
    func configuration(
        password: String = "s3cret-cam", push: String = "rtmp://cou:push-pass@cou.example/live/{school}/{camera}",
        main: String = "rtsp://10.0.0.5/main"
    )
        throws -> AgentConfiguration
    {
        try AgentConfiguration.parse(
            yaml: """
                school: { id: KZ-1, region: Astana }
                storage: { root: /tmp/kuzet-fingerprint }
                centre: { push: "\(push)", max_kbps: 8000 }
                relay: { listen: "0.0.0.0:8554", username: cou, password: relay-pass }
                cameras:
                  - { id: gate, url: "\(main)", username: admin, password: "\(password)", push: main }
                """)
    }

    @Test("the fingerprint is 64 hex digits, the same for the same settings, and different when a setting differs")
    func sameSettingsSameFingerprint() throws {
        let fingerprint = ConfigurationFingerprint.of(try configuration())
        #expect(
            fingerprint.count == 64 && fingerprint.allSatisfy(\.isHexDigit) && fingerprint == fingerprint.lowercased())
        #expect(ConfigurationFingerprint.of(try configuration()) == fingerprint)
        #expect(ConfigurationFingerprint.of(try configuration(main: "rtsp://10.0.0.6/main")) != fingerprint)
    }

    @Test("secrets are left out: another camera password or push-URL password gives the same fingerprint")
    func secretsDoNotChangeTheFingerprint() throws {
        let fingerprint = ConfigurationFingerprint.of(try configuration())
        #expect(ConfigurationFingerprint.of(try configuration(password: "another")) == fingerprint)
        #expect(
            ConfigurationFingerprint.of(try configuration(push: "rtmp://cou:other@cou.example/live/{school}/{camera}"))
                == fingerprint)
    }
}
