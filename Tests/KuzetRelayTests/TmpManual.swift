import Foundation
import Testing
@Test func tmpManualRelay() async throws {
    guard ProcessInfo.processInfo.environment["KUZET_MANUAL"] != nil else { return }
    let relay = try await RelayHarness(username: nil, password: nil)
    try "\(relay.port)".write(toFile: "/tmp/relay-manual-port", atomically: true, encoding: .utf8)
    try await Task.sleep(for: .seconds(90))
    try relay.logs.text.write(toFile: "/tmp/relay-manual-logs", atomically: true, encoding: .utf8)
    relay.stop()
}
