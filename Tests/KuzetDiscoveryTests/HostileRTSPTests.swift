import Foundation
import KuzetDiscovery
import KuzetTestKit
import Testing

/// The raw RTSP client against a device that misbehaves: bounded in time and size, clear errors.
@Suite(.serialized)
struct HostileRTSPTests {
    static let limits = ExchangeLimits(timeout: 1.5, maxBytes: 256 * 1024)

    func describe(mode: String) async throws -> (any Error, Double) {
        let port = freeLoopbackPort()
        let server = try ExternalProcess(
            "python3", [TestSupport.script("hostile_rtsp_server.py"), "--port", "\(port)", "--mode", mode],
            name: "hostile-rtsp-\(mode)")
        defer { server.stop() }
        try TestSupport.waitUntilReady(server)
        let started = Date()
        do {
            _ = try await RTSPClient(credentials: nil, limits: Self.limits).describe(
                "rtsp://127.0.0.1:\(port)/Streaming/Channels/101")
        } catch {
            return (error, Date().timeIntervalSince(started))
        }
        throw TestKitError("DESCRIBE of a hostile device succeeded")
    }

    @Test func aDescribeAnswerThatNeverEndsIsAbandonedAtTheTimeout() async throws {
        let (error, seconds) = try await describe(mode: "endless")
        #expect(error as? ExchangeError == .timedOut(seconds: Self.limits.timeout), "\(error)")
        // bounded (the device would go on forever); slack for a loaded CI box
        #expect(seconds < Self.limits.timeout + 3)
    }

    @Test func aFiftyMegabyteDescribeAnswerIsCutOffAtTheSizeLimit() async throws {
        let (error, seconds) = try await describe(mode: "huge")
        #expect(error as? ExchangeError == .tooLarge(limit: Self.limits.maxBytes), "\(error)")
        #expect(seconds < Self.limits.timeout + 3)
    }

    @Test func bytesThatAreNotRTSPAreReportedAsSuch() async throws {
        let (error, _) = try await describe(mode: "garbage")
        #expect("\(error)".contains("not valid HTTP/RTSP"), "\(error)")
    }
}
