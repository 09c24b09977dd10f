import Foundation
import KuzetConfiguration
import KuzetCore
import Testing

@Suite("status.time_zone")
struct StatusTimeZoneConfigurationTests {
    static func yaml(_ status: String) -> String {
        """
        school: { id: KZ-AST-0042 }
        storage: { root: /var/lib/kuzet/recordings }
        status:
        \(status)
        cameras:
          - { id: entrance, url: "rtsp://192.168.1.64/ch1" }
        """
    }

    @Test("Asia/Almaty (UTC+5) when not given; an IANA name or an offset is read")
    func readsTheZone() throws {
        let instant = Date(timeIntervalSince1970: 1_796_430_936)
        #expect(
            try AgentConfiguration.parse(yaml: Self.yaml("  listen: 127.0.0.1:8080")).status.timeZone.label(at: instant)
                == "UTC+5")
        #expect(
            try AgentConfiguration.parse(yaml: Self.yaml("  time_zone: Asia/Qyzylorda")).status.timeZone.label(
                at: instant) == "UTC+5")
        #expect(
            try AgentConfiguration.parse(yaml: Self.yaml("  time_zone: UTC+6")).status.timeZone.label(at: instant)
                == "UTC+6")
    }

    @Test("Not a zone: refused at load with what to give")
    func refusesNonsense() {
        #expect {
            try AgentConfiguration.parse(yaml: Self.yaml("  time_zone: Almaty"))
        } throws: { error in
            String(describing: error).contains("status.time_zone: \"Almaty\" is not a zone")
                && String(describing: error).contains("Asia/Almaty")
        }
    }
}
