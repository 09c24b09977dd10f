import KuzetConfiguration
import KuzetCore
import Testing

/// `centre.push` accepts exactly the schemes of ``PushProtocol/all``: the reader keeps no list of its own.
@Suite struct CentrePushTests {
    func parse(push: String) throws(ConfigurationError) -> AgentConfiguration {
        try AgentConfiguration.parse(
            yaml: """
                school: { id: KZ-TEST-1 }
                storage: { root: /tmp/kuzet-test }
                centre: { push: "\(push)" }
                cameras: []
                """)
    }

    @Test(arguments: PushProtocol.all.map(\.scheme))
    func everyListedSchemeIsAccepted(scheme: String) throws {
        let configuration = try parse(push: "\(scheme)://cou.example/live/{school}/{camera}")
        #expect(configuration.centre?.push == "\(scheme)://cou.example/live/{school}/{camera}")
    }

    @Test func anUnlistedSchemeIsRefusedNamingTheList() {
        do {
            _ = try parse(push: "http://cou.example/live")
            Issue.record("http:// was accepted as a push URL")
        } catch {
            #expect(error.problems.map(\.key) == ["centre.push"])
            #expect(error.problems.first?.problem.contains(PushProtocol.schemes()) == true)
        }
    }
}
