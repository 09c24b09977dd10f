import KuzetTestKit
import Testing

@testable import KuzetWireClients

/// A camera (or whatever listens on its port) answering what KuzetWire refuses: the session fails
/// with a WireClientError naming the camera's problem, never a trap, never an unbounded read.
@Suite struct RTSPInterleavedSessionHostileTests {
    func openFailure(_ answer: String) throws -> WireClientError {
        let camera = try CannedTCPServer(answer: Array(answer.utf8))
        let interrupt = TestDeadline(seconds: 5)
        do {
            _ = try RTSPInterleavedSession(
                url: "rtsp://admin:secret@127.0.0.1:\(camera.port)/cam1", interrupt: interrupt)
        } catch {
            #expect(!error.description.contains("secret"), "\(error)")
            #expect(error.kind == .brokenProtocol, "\(error)")
            return error
        }
        throw TestKitError("the session opened against \(answer.prefix(40))")
    }

    @Test func aNegativeContentLengthIsAMalformedAnswer() throws {
        let error = try openFailure("RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: -1\r\n\r\n")
        #expect(error.reason.contains("malformed RTSP answer"), "\(error)")
        #expect(error.reason.contains("Content-Length"), "\(error)")
    }

    @Test func aContentLengthOfIntMaxIsOverTheLimit() throws {
        let error = try openFailure("RTSP/1.0 200 OK\r\nCSeq: 1\r\nContent-Length: 9223372036854775807\r\n\r\n")
        #expect(error.reason.contains("over the limit"), "\(error)")
    }

    @Test func tenThousandHeadersAreOverTheLimit() throws {
        let error = try openFailure("RTSP/1.0 200 OK\r\n" + String(repeating: "X: y\r\n", count: 10_000) + "\r\n")
        #expect(error.reason.contains("over the limit"), "\(error)")
    }

    @Test func anHTTPServerIsNotTakenForACamera() throws {
        let error = try openFailure("HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n")
        #expect(error.reason.contains("did not answer in RTSP"), "\(error)")
    }
}
