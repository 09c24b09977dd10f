import Foundation
import KuzetCore

extension ONVIFClient {
    /// Media (ver10): `GetProfiles`, then `GetStreamUri` (RTP-Unicast over RTSP) per video profile.
    func mediaProfiles(_ session: inout Session, at url: String) async throws(ONVIFError) -> [MediaProfile] {
        let body = try await call(
            &session, url: url, operation: "GetProfiles", body: "<trt:GetProfiles/>", authenticated: true)
        var profiles = bounded(body.all("Profiles").compactMap(Self.profile), &session)
        for index in profiles.indices where profiles[index].encoding != nil {
            let request = """
                <trt:GetStreamUri><trt:StreamSetup><tt:Stream>RTP-Unicast</tt:Stream><tt:Transport><tt:Protocol>RTSP</tt:Protocol></tt:Transport>\
                </trt:StreamSetup><trt:ProfileToken>\(SOAPEnvelope.escape(profiles[index].token))</trt:ProfileToken></trt:GetStreamUri>
                """
            let answer = try await call(
                &session, url: url, operation: "GetStreamUri(\(profiles[index].token))", body: request,
                authenticated: true)
            profiles[index].streamURI = answer.first("MediaUri")?.text(at: "Uri").flatMap {
                fixedStream($0, profile: profiles[index].token, &session)
            }
        }
        return profiles
    }

    /// Media2 (ver20): `GetProfiles` with all configurations, `GetStreamUri` with protocol RTSP.
    func media2Profiles(_ session: inout Session, at url: String) async throws(ONVIFError) -> [MediaProfile] {
        let body = try await call(
            &session, url: url, operation: "GetProfiles (Media2)",
            body: "<tr2:GetProfiles><tr2:Type>All</tr2:Type></tr2:GetProfiles>", authenticated: true)
        var profiles = bounded(body.all("Profiles").compactMap(Self.profile), &session)
        for index in profiles.indices where profiles[index].encoding != nil {
            let request =
                "<tr2:GetStreamUri><tr2:Protocol>RTSP</tr2:Protocol><tr2:ProfileToken>\(SOAPEnvelope.escape(profiles[index].token))</tr2:ProfileToken></tr2:GetStreamUri>"
            let answer = try await call(
                &session, url: url, operation: "GetStreamUri(\(profiles[index].token))", body: request,
                authenticated: true)
            profiles[index].streamURI = answer.first("GetStreamUriResponse")?.text(at: "Uri").flatMap {
                fixedStream($0, profile: profiles[index].token, &session)
            }
        }
        return profiles
    }

    /// The most profiles asked for a stream URI (one request each): a real recorder has a few per
    /// input; a device listing thousands would keep discovery busy for hours.
    static let maxProfiles = 128

    func bounded(_ profiles: [MediaProfile], _ session: inout Session) -> [MediaProfile] {
        guard profiles.count > Self.maxProfiles else { return profiles }
        session.problems.append(
            """
            \(CredentialRedaction.strip(deviceURL)): lists \(profiles.count) media profiles — only the first \(Self.maxProfiles) were asked for \
            their stream; add the rest by hand if the device really has them
            """)
        return Array(profiles.prefix(Self.maxProfiles))
    }

    /// A profile from Media (`VideoSourceConfiguration`, `VideoEncoderConfiguration`) or Media2
    /// (`Configurations/VideoSource`, `Configurations/VideoEncoder`) answers.
    static func profile(_ node: XMLElementNode) -> MediaProfile? {
        guard let token = node.attributes["token"] else { return nil }
        let source = node.first("VideoSourceConfiguration") ?? node.child("Configurations")?.child("VideoSource")
        let encoder = node.first("VideoEncoderConfiguration") ?? node.child("Configurations")?.child("VideoEncoder")
        let encoding = encoder?.attributes["Encoding"] ?? encoder?.child("Encoding")?.text
        return MediaProfile(
            token: token, name: node.child("Name")?.text, videoSourceToken: source?.text(at: "SourceToken"),
            encoding: encoding.flatMap { $0.isEmpty ? nil : $0 },
            width: encoder?.text(at: "Resolution", "Width").flatMap(Int.init),
            height: encoder?.text(at: "Resolution", "Height").flatMap(Int.init),
            frameRate: encoder?.text(at: "RateControl", "FrameRateLimit").flatMap(Double.init))
    }
}
