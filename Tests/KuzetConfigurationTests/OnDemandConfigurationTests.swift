import KuzetConfiguration
import KuzetCore
import Testing

/// Issue 22: `cameras[].on_demand_close_seconds`, how long a `record: false` camera stays open after
/// its last viewer leaves.
struct OnDemandConfigurationTests {
    func yaml(_ extra: String) -> String {
        """
        school: { id: KZ-TEST-OD }
        storage: { root: /tmp/kuzet-od }
        cameras:
          - id: cam1
            url: rtsp://10.0.0.5/main
            record: false
        \(extra)
        """
    }

    @Test func theCloseDelayIsTwentySecondsUnlessSet() throws {
        #expect(try AgentConfiguration.parse(yaml: yaml("")).cameras[0].onDemandCloseSeconds == 20)
        #expect(
            try AgentConfiguration.parse(yaml: yaml("    on_demand_close_seconds: 5")).cameras[0].onDemandCloseSeconds
                == 5)
    }

    @Test func aCloseDelayOutsideOneToThreeThousandSixHundredSecondsIsRefusedWithTheKey() {
        for value in ["0", "3601", "soon"] {
            #expect {
                try AgentConfiguration.parse(yaml: yaml("    on_demand_close_seconds: \(value)"))
            } throws: { error in
                (error as? ConfigurationError)?.problems.map(\.key) == ["cameras[cam1].on_demand_close_seconds"]
            }
        }
    }
}
