import Foundation
import KuzetProtocol
import KuzetTestKit
import Testing

/// libcurl honours the proxy settings of the environment (`http_proxy`, `no_proxy`, …): shown
/// with a real uplink process whose registry address has nothing listening (a loopback address,
/// since plain http:// elsewhere is refused by the configuration), reached only through the proxy.
@Suite struct ProxyTests {
    @Test func theUplinkGoesThroughTheProxyFromTheEnvironment() async throws {
        let world = try RegistryWorld()
        let proxy = try RecordingHTTPServer(bearerToken: world.token) // answers absolute-form requests as the registry
        let outbox = world.folder.file("outbox")
        let config = world.folder.file("agent.yaml")
        try Harness.writeConfig(
            to: config, registryURL: "http://127.0.0.2:9/api/v1/heartbeats", tokenFile: world.tokenFile,
            caFile: world.authority.certificate,
            outbox: outbox)
        let process = try Harness.start(
            config: config, intervalMilliseconds: 200, backoffCapMilliseconds: 300, logDirectory: world.folder.path,
            environment: ["http_proxy": proxy.baseURL, "no_proxy": ""])
        #expect(
            await waitUntil(timeout: 20) { proxy.storedSequences().count >= 3 }, "harness output: \(process.output)")
        process.stop()
        let request = try #require(proxy.requests().first)
        #expect(request.header("Host") == "127.0.0.2:9")
        #expect(proxy.storedSequences() == Array(1...UInt64(proxy.storedSequences().count)))
    }
}
