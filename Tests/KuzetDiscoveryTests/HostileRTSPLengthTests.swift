import Foundation
import KuzetDiscovery
import KuzetTestKit
import Testing

/// `probe`'s raw RTSP client against lengths that used to trap (`Content-Length: -1`) or could
/// overflow: each is a clear ExchangeError, read through KuzetWire.
@Suite struct HostileRTSPLengthTests {
    static let limits = ExchangeLimits(timeout: 3, maxBytes: 256 * 1024)

    func describeError(_ answer: String) async throws -> ExchangeError {
        let device = try CannedTCPServer(answer: Array(answer.utf8))
        do {
            _ = try await RTSPClient(credentials: nil, limits: Self.limits).describe(
                "rtsp://127.0.0.1:\(device.port)/stream")
        } catch let error as ExchangeError {
            return error
        }
        throw TestKitError("DESCRIBE succeeded against \(answer.prefix(40))")
    }

    @Test func aNegativeContentLengthIsAFramingError() async throws {
        let error = try await describeError("RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: -1\r\n\r\n")
        #expect("\(error)".contains("not valid HTTP/RTSP") && "\(error)".contains("Content-Length"), "\(error)")
    }

    @Test func aContentLengthOfIntMaxIsOverTheSizeLimit() async throws {
        let error = try await describeError("RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 9223372036854775807\r\n\r\n")
        #expect(error == .tooLarge(limit: Self.limits.maxBytes), "\(error)")
    }

    @Test func aChunkSizeThatWouldOverflowIsRefused() async throws {
        let error = try await describeError(
            "RTSP/1.0 200 OK\r\nCSeq: 1\r\nTransfer-Encoding: chunked\r\n\r\nFFFFFFFFFFFFFFFFFFFF\r\n")
        #expect("\(error)".contains("chunk"), "\(error)")
    }
}
