import Foundation
import KuzetWireClients
import Testing

@testable import KuzetMedia

/// A failure of our own RTSP session or RTMP publisher reads as libavformat's client would give it:
/// the same kind (which picks the user's message) and, for an RTSP status, the same words.
@Suite struct MediaErrorWireClientTests {
    func mapped(_ kind: WireClientError.Kind, reason: String = "why") -> MediaError {
        MediaError(WireClientError(kind, operation: "open rtsp://admin:***@127.0.0.1/cam1", reason: reason))
    }

    @Test func aCamerasStatusBecomesTheKindLibavformatGivesIt() {
        #expect(mapped(.status(401)).kind == .unauthorized)
        #expect(mapped(.status(403)).kind == .forbidden)
        #expect(mapped(.status(404)).kind == .notFound)
        #expect(mapped(.status(401)).reason == MediaError.reason(mapped(.status(401)).code))
    }

    @Test func aStatusLibavformatHasNoCodeForKeepsTheCamerasWords() {
        let error = mapped(.status(454), reason: "the camera answered SETUP with RTSP 454 Session Not Found")
        #expect(error.kind == .other)
        #expect(error.reason == "the camera answered SETUP with RTSP 454 Session Not Found")
    }

    @Test func socketFailuresKeepTheirMeaning() {
        #expect(mapped(.system(errno: ECONNREFUSED)).kind == .refused)
        #expect(mapped(.system(errno: EHOSTUNREACH)).kind == .unreachable)
        #expect(
            mapped(.noAddress, reason: "cannot resolve camera.invalid (Name or service not known)").kind == .unreachable
        )
        #expect(mapped(.closed).isEndOfFile)
        #expect(mapped(.interrupted).isInterrupted)
    }

    @Test func theOperationAndReasonPassThroughUnchanged() {
        let error = mapped(.brokenProtocol, reason: "the camera sent a malformed RTSP answer (x)")
        #expect(
            error.description == "open rtsp://admin:***@127.0.0.1/cam1: the camera sent a malformed RTSP answer (x)")
        #expect(error.kind == .other)
    }
}
