import KuzetConfiguration
import KuzetCore
import KuzetMedia

/// Turns a failure of a camera stream into the contract's one-line form
/// `where: what is wrong — what to do`, naming the camera and the configuration key to fix.
/// Credentials never appear: URLs are redacted.
enum CameraProblem {
    static func describe(
        _ error: MediaError, camera: String, stream: AgentConfiguration.Camera.StreamChoice, url: String
    ) -> String {
        let key = stream == .main ? "cameras[\(camera)].url" : "cameras[\(camera)].sub_url"
        let shown = CredentialRedaction.redact(url)
        let line: String =
            switch error.kind {
            case .unauthorized:
                "cameras[\(camera)].password: RTSP 401 Unauthorized at \(shown) — check cameras[\(camera)].username and password (or password_file)"
            case .forbidden:
                "cameras[\(camera)].username: RTSP 403 Forbidden at \(shown) — give the user the right to view this stream on the camera"
            case .notFound:
                "\(key): RTSP 404 Not Found at \(shown) — check the stream path (run `kuzet-agent probe` to list the camera's streams)"
            case .refused:
                "\(key): \(shown) refused the connection — check the camera is on and RTSP is enabled on that port"
            case .unreachable:
                "\(key): \(shown) cannot be reached (\(error.reason)) — check the address and the network to the camera"
            case .timedOut:
                "\(key): \(shown) gave \(error.reason) — check the address, the network, or try transport: tcp"
            case .endOfFile:
                "\(key): \(shown) ended the stream — the camera closed the session; reconnecting"
            case .interrupted, .other:
                "\(key): \(CredentialRedaction.redact(error.description)) — check the camera and its URL"
            }
        return CredentialRedaction.redact(line)
    }

    static func unsupportedVideo(_ codec: String?, camera: String, stream: AgentConfiguration.Camera.StreamChoice)
        -> String
    {
        let key = stream == .main ? "cameras[\(camera)].url" : "cameras[\(camera)].sub_url"
        guard let codec else {
            return "\(key): the stream has no video track — point it at a video stream of the camera"
        }
        return
            "\(key): video codec \(codec) is not supported — set this stream to H.264 or H.265 in the camera's settings"
    }
}
